"""Django admin for the spine's models: useful lists, filters and search; the audit is read-only."""

import contextvars
import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.models import (
    Alert,
    AlertEvent,
    Assignment,
    AuditEntry,
    DeviceCredential,
    District,
    Incident,
    OperationsCenter,
    OutboxAttempt,
    OutboxMessage,
    OutboxStatus,
    PrePlan,
    PrePlanContact,
    Unit,
    UnitStatusChange,
    User,
)
from opscenter.permissions import Capability, has
from opscenter.requests import request_user
from opscenter.services.audit import audit_record
from opscenter.services.credentials import credential_revoke, credential_rotate
from opscenter.services.geography import BoundaryInvalid, district_boundaries_load, district_boundary_set
from opscenter.services.outbox import outbox_replay
from opscenter.services.units import unit_changed, unit_crew_set, unit_device_issue
from opscenter.services.users import (
    user_activate,
    user_deactivate,
    user_password_set,
    user_role_set,
    user_scope_set,
    user_superuser_set,
)
from opscenter.widgets import MapPointWidget, MapPolygonWidget

# The site's own name, in the reader's language (was Django's "Django site admin").
admin.site.site_header = admin.site.site_title = _("Opscenter administration")
admin.site.index_title = _("Administration")


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records nobody edits by hand (audit, received frames, positions...): list and read only."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class InternalsAdmin(admin.ModelAdmin):
    """For the platform's plumbing (received frames, idempotency keys, the outbox): the admin shows it,
    in the menu and at its address, only to those with Capability.INTERNALS_VIEW, whatever model
    permissions a staff account was given. Mix in before ReadOnlyAdmin."""

    def _internals(self, request) -> bool:
        return has(request.user, Capability.INTERNALS_VIEW)

    def has_module_permission(self, request) -> bool:
        return self._internals(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._internals(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return self._internals(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._internals(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._internals(request) and super().has_delete_permission(request, obj)


class InternalFieldsAdmin(admin.ModelAdmin):
    """For a record most staff may read but some of whose fields are plumbing (an alarm event's raw
    frame): `internal_fields` are left out of its pages for those without Capability.INTERNALS_VIEW."""

    internal_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if has(request.user, Capability.INTERNALS_VIEW):
            return fields
        return [field for field in fields if field not in self.internal_fields]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if has(request.user, Capability.INTERNALS_VIEW):
            return readonly
        return [field for field in readonly if field not in self.internal_fields]


class MapFieldsMixin:
    """Pick places on a map (opscenter.widgets): `map_points` names (latitude, longitude) field pairs, a
    click on the map under the latitude sets both; `map_polygons` names JSON fields of [[lat, lon], ...]
    drawn and edited on a map. For a ModelAdmin or an inline."""

    map_points: tuple[tuple[str, str], ...] = ()
    map_polygons: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        pairs = dict(self.map_points)
        if db_field.name in pairs:
            kwargs["widget"] = MapPointWidget(latitude_field=db_field.name, longitude_field=pairs[db_field.name])
        elif db_field.name in self.map_polygons:
            kwargs["widget"] = MapPolygonWidget()
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


class AuditedAdmin(admin.ModelAdmin):
    """For records whose edits change how the platform behaves (zones, court orders, panels and keys,
    partners' settings, credentials): every add, change and delete in the admin, inlines included,
    writes an audit entry naming the changed fields, with before and after values except for the
    fields in `audit_redacted_fields` (keys, secrets, personal data), which are named only."""

    audit_redacted_fields: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        _audit_form(request, obj, form, change=change, redacted=self.audit_redacted_fields)

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        redacted = tuple(getattr(formset, "audit_redacted_fields", ()))
        for inline_form in formset.forms:
            if inline_form.instance.pk and inline_form.has_changed() and inline_form not in formset.deleted_forms:
                _audit_form(request, inline_form.instance, inline_form, change=True, redacted=redacted)
        for deleted in formset.deleted_objects:
            audit_record(actor=request.user, action="admin.delete", obj=deleted)

    def delete_model(self, request, obj) -> None:
        audit_record(actor=request.user, action="admin.delete", obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            audit_record(actor=request.user, action="admin.delete", obj=obj)
        super().delete_queryset(request, queryset)


def _audit_form(request, obj, form, *, change: bool, redacted: tuple[str, ...], only: list[str] | None = None) -> None:
    changed = list(form.changed_data) if only is None else [name for name in form.changed_data if name in only]
    if change and not changed:
        return
    shown = [name for name in changed if name not in redacted]
    data = {
        "fields": changed,
        "before": {name: _plain(form.initial.get(name)) for name in shown} if change else {},
        "after": {name: _plain(form.cleaned_data.get(name)) for name in shown},
    }
    audit_record(actor=request.user, action="admin.change" if change else "admin.add", obj=obj, data=data)


def _plain(value) -> object:
    """A JSON-safe rendering of a form value (model instances and querysets as their keys)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if hasattr(value, "__iter__"):
        return [_plain(item) for item in value]
    return str(value)


class DistrictInline(MapFieldsMixin, admin.TabularInline):
    map_points = (("seat_latitude", "seat_longitude"),)
    model = District
    extra = 0
    fields = ["code", "name_ru", "name_kk", "seat_latitude", "seat_longitude"]


@admin.register(OperationsCenter)
class OperationsCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_kk", "head"]
    search_fields = ["code", "name_ru", "name_kk"]
    autocomplete_fields = ["head"]
    inlines = [DistrictInline]


class BoundaryFileForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON FeatureCollection"))
    key_property = forms.CharField(
        label=_("Property naming the district"),
        initial="code",
        help_text=_("Its value is a district code or its Russian or Kazakh name."),
    )


@admin.register(District)
class DistrictAdmin(MapFieldsMixin, admin.ModelAdmin):
    map_points = (("seat_latitude", "seat_longitude"),)
    list_display = ["code", "name_ru", "name_kk", "center", "seat_latitude", "seat_longitude", "has_boundary"]
    list_filter = ["center"]
    search_fields = ["code", "name_ru", "name_kk"]
    readonly_fields = ["boundary_loaded_at"]
    change_list_template = "admin/opscenter/district/change_list.html"

    @admin.display(boolean=True, description=_("boundary"))
    def has_boundary(self, district: District) -> bool:
        return district.boundary is not None

    def save_model(self, request, obj, form, change) -> None:
        # The boundary goes through its service, which derives the bounding box that routing reads.
        super().save_model(request, obj, form, change)
        if "boundary" in form.changed_data:
            district_boundary_set(district=obj, geometry=obj.boundary, source="admin", actor=request_user(request))

    def get_urls(self):
        return [
            path("load/", self.admin_site.admin_view(self.load_view), name="opscenter_district_load"),
            *super().get_urls(),
        ]

    def load_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            return redirect("admin:opscenter_district_changelist")
        form = BoundaryFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                loaded = district_boundaries_load(
                    collection=json.loads(upload.read()),
                    source=upload.name,
                    key_property=form.cleaned_data["key_property"],
                    actor=request_user(request),
                )
            except (ValueError, BoundaryInvalid) as error:
                form.add_error("file", getattr(error, "detail", None) or str(error))
            else:
                self.message_user(request, _("%(count)d district boundaries loaded.") % {"count": len(loaded)})
                return redirect(reverse("admin:opscenter_district_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Load district boundaries"),
            "form": form,
            "opts": District._meta,
        }
        return TemplateResponse(request, "admin/opscenter/district/load.html", context)


_admin_actor: contextvars.ContextVar[User | None] = contextvars.ContextVar("admin_actor", default=None)


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password form, through `user_password_set`: audited, and the user's sockets close."""

    def save(self, commit: bool = True) -> User:
        password = self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        return user_password_set(user=self.user, actor=_admin_actor.get(), password=password)


# What decides whom a user sees and what they may do: changed through the users services only.
_SERVICE_FIELDS = ("role", "is_active", "is_superuser")
_SCOPE_FIELDS = ("centers", "districts")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Role, scope and access change through opscenter.services.users (audited, and the user's open
    sockets follow at once); every other change is audited with its fields, the password never shown."""

    change_password_form = AuditedPasswordChangeForm
    list_display = ["username", "last_name", "first_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_superuser", "centers", "districts"]
    filter_horizontal = ["centers", "districts", "groups", "user_permissions"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Role and scope"), {"fields": ["role", "centers", "districts", "language", "phone"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ["role", "centers", "districts"]}),
    ]

    def user_change_password(self, request, id, form_url=""):
        token = _admin_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _admin_actor.reset(token)

    def save_model(self, request, obj, form, change) -> None:
        redacted = ("password", "password1", "password2", "usable_password")
        if not change:
            super().save_model(request, obj, form, change)
            _audit_form(request, obj, form, change=False, redacted=redacted)
            return
        stored = User.objects.get(pk=obj.pk)
        wanted = {name: getattr(obj, name) for name in _SERVICE_FIELDS}
        for name in _SERVICE_FIELDS:
            setattr(obj, name, getattr(stored, name))
        super().save_model(request, obj, form, change)
        others = [name for name in form.changed_data if name not in (*_SERVICE_FIELDS, *_SCOPE_FIELDS)]
        _audit_form(request, obj, form, change=True, redacted=redacted, only=others)
        if wanted["role"] != stored.role:
            user_role_set(user=obj, actor=request.user, role=wanted["role"])
        if wanted["is_superuser"] != stored.is_superuser:
            user_superuser_set(user=obj, actor=request.user, is_superuser=wanted["is_superuser"])
        if wanted["is_active"] != stored.is_active:
            (user_activate if wanted["is_active"] else user_deactivate)(user=obj, actor=request.user)

    def save_related(self, request, form, formsets, change) -> None:
        # Django's save_m2m would set the scope directly: the service sets it instead.
        scope = {name: form.cleaned_data.pop(name) for name in _SCOPE_FIELDS if name in form.cleaned_data}
        super().save_related(request, form, formsets, change)
        if scope:
            user_scope_set(user=form.instance, actor=request.user, **scope)


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


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Incidents are made and worked on the console (opscenter.services.incidents); here they are read."""

    list_display = ["pk", "title", "center", "status", "disposition", "created_at", "created_by", "resolved_at"]
    list_filter = ["status", "center", "disposition"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    list_select_related = ["center", "created_by"]


class PrePlanContactInline(admin.TabularInline):
    model = PrePlanContact
    extra = 1
    fields = ["position", "name", "phone"]


@admin.register(PrePlan)
class PrePlanAdmin(AuditedAdmin):
    """What to do per alert kind, in Russian and Kazakh, with the services to call back (duty numbers,
    one row each: never a person's own phone)."""

    list_display = ["source", "kind", "is_active", "updated_at"]
    list_filter = ["source", "is_active"]
    search_fields = ["source", "kind", "instructions_ru", "instructions_kk"]
    fields = [("source", "kind", "is_active"), "instructions_ru", "instructions_kk"]
    inlines = [PrePlanContactInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "reason", "address", "sealed"]
    list_filter = ["action", "object_type"]
    list_select_related = ["seal"]
    search_fields = ["actor_label", "object_repr", "object_id", "reason", "address"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [*(field.name for field in AuditEntry._meta.fields), "sealed"]

    @admin.display(description=_("seal"))
    def sealed(self, obj: AuditEntry) -> str:
        """Its place in the hash chain, or a dash until beat seals it (`manage.py audit_verify` checks it)."""
        seal = getattr(obj, "seal", None)
        return f"#{seal.seq} {seal.hash[:12]}" if seal is not None else "—"


class OutboxAttemptInline(admin.TabularInline):
    """Every try at delivering the message, read only: what a partner's "you never told us" is answered with."""

    model = OutboxAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "number",
        "started_at",
        "duration_ms",
        "outcome",
        "status_code",
        "error",
        "worker",
        "late",
    )

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(InternalsAdmin):
    list_display = ["id", "channel", "status", "attempts", "created_at", "next_attempt_at", "delivered_at"]
    inlines = [OutboxAttemptInline]
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
class DeviceCredentialAdmin(AuditedAdmin):
    """Secrets are issued by each app's commands; here they are rotated and revoked, through the services
    (audited). `is_active` is read-only: a revoked credential comes back only by rotation, with a new
    secret."""

    list_display = ["kind", "identifier", "is_active", "created_at", "rotated_at", "last_used_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["identifier"]
    fields = readonly_fields = (
        "kind",
        "identifier",
        "created_at",
        "rotated_at",
        "last_used_at",
        "previous_valid_until",
        "is_active",
    )
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

    @admin.action(description=_("Revoke (for good: only a rotation gives the device a new secret)"))
    def revoke(self, request, queryset) -> None:
        for credential in queryset:
            credential_revoke(credential=credential, actor=request.user)


class UnitStatusChangeInline(admin.TabularInline):
    model = UnitStatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "status_from", "status", "actor_label", "assignment")
    ordering = ("-at", "-pk")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    """Patrol units: call sign, kind, center, district and crew are edited here (audited; the crew through
    the units service, so their tablets follow at once). Status and position are the services' (the
    console, the tablet, the unit's device): shown, never edited."""

    list_display = [
        "call_sign",
        "kind",
        "center",
        "district",
        "status",
        "status_changed_at",
        "position_at",
        "is_active",
    ]
    list_filter = ["center", "status", "kind", "is_active"]
    list_select_related = ["center", "district"]
    search_fields = ["call_sign"]
    filter_horizontal = ["crew"]
    fields = [
        "call_sign",
        "kind",
        "center",
        "district",
        "crew",
        "is_active",
        "status",
        "status_changed_at",
        "latitude",
        "longitude",
        "position_at",
        "credential",
    ]
    readonly_fields = ["status", "status_changed_at", "latitude", "longitude", "position_at", "credential"]
    inlines = [UnitStatusChangeInline]
    actions = ["issue_device"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.status_changed_at = obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        crew = form.cleaned_data.pop("crew", None)
        super().save_related(request, form, formsets, change)
        if crew is not None:
            unit_crew_set(unit=form.instance, crew=crew, actor=request.user)
        unit_changed(unit=form.instance)

    @admin.action(description=_("Issue the unit's device secret (tablet or tracker; shown once)"))
    def issue_device(self, request, queryset) -> None:
        for unit in queryset:
            secret = unit_device_issue(unit=unit, actor=request.user)
            self.message_user(
                request,
                _("Device secret of %(unit)s, shown once: %(secret)s") % {"unit": unit, "secret": secret},
                messages.WARNING,
            )


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    """Units sent to alerts, with their times: written by the console and the tablets only."""

    list_display = ["pk", "unit", "alert", "status", "dispatched_at", "accepted_at", "arrived_at", "cleared_at"]
    list_filter = ["status", "unit__center"]
    list_select_related = ["unit", "alert"]
    search_fields = ["unit__call_sign", "alert__title"]
    date_hierarchy = "dispatched_at"
