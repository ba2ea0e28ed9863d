"""Admin for protected objects and panels; frames and events are read-only records. Edits of objects
and panels are audited with the fields they changed (keys and contacts named, not copied); an object's
page, which holds the people to call (contact rows, an inline) and its instructions, opens after a
reason, recorded."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from alarms.models import (
    AlarmEvent,
    AlarmPanel,
    ObjectContact,
    ObjectInstruction,
    ProtectedObject,
    ReceivedFrame,
    RefusedInput,
)
from opscenter.admin import AuditedAdmin, InternalFieldsAdmin, InternalsAdmin, MapFieldsMixin, ReadOnlyAdmin
from opscenter.admin_privacy import AuditedInline, PersonalDataAdmin


class AlarmPanelInline(AuditedInline, admin.TabularInline):
    model = AlarmPanel
    extra = 0
    fields = ["account", "supervision_seconds", "is_active", "is_online", "last_contact_at"]
    readonly_fields = ["is_online", "last_contact_at"]


class ObjectContactInline(AuditedInline, admin.TabularInline):
    """Whom to call back, one row each: a duty phone of the object is shown with the pre-plan; a named
    person only through the alert's audited details read."""

    model = ObjectContact
    extra = 1
    fields = ["position", "kind", "name", "role", "phone"]
    audit_redacted_fields = ("name", "phone")


class ObjectInstructionInline(AuditedInline, admin.StackedInline):
    model = ObjectInstruction
    extra = 0
    fields = [("alert_kind", "replaces_kind_plan", "position"), "text_ru", "text_kk"]


@admin.register(ProtectedObject)
class ProtectedObjectAdmin(MapFieldsMixin, PersonalDataAdmin, AuditedAdmin):
    map_points = (("latitude", "longitude"),)
    list_display = ["name", "kind", "district", "address"]
    list_filter = ["kind", "district"]
    search_fields = ["name", "name_kk", "address", "address_kk"]
    inlines = [ObjectContactInline, ObjectInstructionInline, AlarmPanelInline]


class AuthenticationFilter(admin.SimpleListFilter):
    """Panels without a key are unauthenticated: anyone who knows the account can send as them."""

    title = _("authentication")
    parameter_name = "authenticated"

    def lookups(self, request, model_admin):
        return [("yes", _("Authenticated (AES key)")), ("no", _("Unauthenticated (no key)"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(aes_key="")
        if self.value() == "no":
            return queryset.filter(aes_key="")
        return queryset


@admin.register(AlarmPanel)
class AlarmPanelAdmin(AuditedAdmin):
    audit_redacted_fields = ("aes_key",)
    list_display = [
        "account",
        "protected_object",
        "is_online",
        "last_contact_at",
        "supervision_seconds",
        "authenticated",
    ]
    list_filter = [
        AuthenticationFilter,
        "is_online",
        "is_active",
        "protected_object__district",
        "protected_object__kind",
    ]
    search_fields = ["account", "protected_object__name"]
    autocomplete_fields = ["protected_object"]
    readonly_fields = ["last_contact_at", "is_online"]

    @admin.display(boolean=True, description=_("authenticated (AES)"), ordering="aes_key")
    def authenticated(self, panel: AlarmPanel) -> bool:
        return panel.is_authenticated


@admin.register(ReceivedFrame)
class ReceivedFrameAdmin(InternalsAdmin, ReadOnlyAdmin):
    list_display = ["received_at", "transport", "peer", "account", "sequence", "response", "is_repeat", "reason"]
    list_filter = ["response", "transport", "is_repeat"]
    search_fields = ["account", "raw", "peer"]
    date_hierarchy = "received_at"


@admin.register(AlarmEvent)
class AlarmEventAdmin(InternalFieldsAdmin, ReadOnlyAdmin):
    internal_fields = ("frame",)  # the raw frame, as the receiver stored it
    list_display = ["received_at", "panel", "protocol", "code", "qualifier", "kind", "event_class", "zone", "alert"]
    list_filter = ["event_class", "kind", "protocol", "alert_pending"]
    search_fields = ["panel__account", "panel__protected_object__name", "code"]
    date_hierarchy = "received_at"
    list_select_related = ["panel__protected_object", "alert"]


@admin.register(RefusedInput)
class RefusedInputAdmin(InternalsAdmin, ReadOnlyAdmin):
    list_display = ["address", "transport", "count", "last_reason", "last_account", "first_at", "last_at"]
    list_filter = ["transport"]
    search_fields = ["address", "last_account"]
    date_hierarchy = "last_at"
