"""Django admin for the spine's models: useful lists, filters and search; the audit is read-only."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from opscenter.models import (
    Alert,
    AlertEvent,
    AuditEntry,
    DeviceCredential,
    District,
    OperationsCenter,
    OutboxMessage,
    OutboxStatus,
    User,
)
from opscenter.services.credentials import credential_revoke, credential_rotate
from opscenter.services.outbox import outbox_replay


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records nobody edits by hand (audit, received frames, positions...): list and read only."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DistrictInline(admin.TabularInline):
    model = District
    extra = 0
    fields = ["code", "name_ru", "name_kk", "seat_latitude", "seat_longitude"]


@admin.register(OperationsCenter)
class OperationsCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_kk", "head"]
    search_fields = ["code", "name_ru", "name_kk"]
    autocomplete_fields = ["head"]
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_kk", "center", "seat_latitude", "seat_longitude"]
    list_filter = ["center"]
    search_fields = ["code", "name_ru", "name_kk"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_superuser", "centers", "districts"]
    filter_horizontal = ["centers", "districts", "groups", "user_permissions"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ["role", "centers", "districts", "language", "phone"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ["role", "centers", "districts"]}),
    ]


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "at", "text", "data"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Alerts change only through the lifecycle (dashboard, API); the admin shows them."""

    list_display = ["pk", "severity", "status", "title", "center", "district", "source", "kind", "raised_at"]
    list_filter = ["status", "severity", "source", "center", "disposition", "escalation_level"]
    search_fields = ["title", "address", "dedup_key", "kind"]
    date_hierarchy = "raised_at"
    list_select_related = ["center", "district"]
    inlines = [AlertEventInline]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [field.name for field in Alert._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "reason", "address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id", "reason", "address"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [field.name for field in AuditEntry._meta.fields]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "status", "attempts", "created_at", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "channel"]
    search_fields = ["id", "destination", "last_error"]
    date_hierarchy = "created_at"
    actions = ["replay"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Replay: deliver again with a fresh set of attempts"))
    def replay(self, request, queryset) -> None:
        count = 0
        for message in queryset.exclude(status=OutboxStatus.DELIVERED):
            outbox_replay(message=message, actor=request.user)
            count += 1
        self.message_user(request, _("%(count)d message(s) queued again.") % {"count": count}, messages.SUCCESS)


@admin.register(DeviceCredential)
class DeviceCredentialAdmin(admin.ModelAdmin):
    """Secrets are issued by each app's commands; here they are rotated and revoked."""

    list_display = ["kind", "identifier", "is_active", "created_at", "rotated_at", "last_used_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["identifier"]
    readonly_fields = [
        "kind",
        "identifier",
        "created_at",
        "rotated_at",
        "last_used_at",
        "previous_valid_until",
    ]
    fields = [*readonly_fields, "is_active"]
    actions = ["rotate", "revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Rotate the secret (the new one is shown once)"))
    def rotate(self, request, queryset) -> None:
        for credential in queryset:
            secret = credential_rotate(credential=credential, actor=request.user)
            self.message_user(
                request,
                _("New secret of %(credential)s, shown once: %(secret)s")
                % {"credential": credential, "secret": secret},
                messages.WARNING,
            )

    @admin.action(description=_("Revoke"))
    def revoke(self, request, queryset) -> None:
        for credential in queryset:
            credential_revoke(credential=credential, actor=request.user)
