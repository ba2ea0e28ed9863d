"""Admin for people, orders, zones, absences and bracelets. Edits of zones, windows, absences and orders
here replace the person's rules token like the services do, so evaluation sees them at once, and are
audited with the fields they changed. Lists name people by their file number only; a person's or a
zone's page opens after a reason, recorded. Positions and violations are read-only records shown
without coordinates, zones or details."""

import json
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bracelets.models import (
    ApprovedAbsence,
    Bracelet,
    BraceletAssignment,
    CourtOrder,
    CurfewWindow,
    Position,
    SupervisedPerson,
    Violation,
    Zone,
)
from bracelets.services.registry import bracelet_add, person_rules_changed
from opscenter.admin import AuditedAdmin, MapFieldsMixin, ReadOnlyAdmin
from opscenter.admin_privacy import AuditedInline, PersonalDataAdmin

# Personal fields: an edit's audit names them without copying their values.
PERSON_FIELDS = ("full_name", "iin", "birth_date", "photo", "home_address", "notes")
PLACE_FIELDS = ("name", "latitude", "longitude", "radius_m", "polygon")


class FileNumberColumn:
    """The person a row is about, by file number: for lists, pages and inlines that must not name them."""

    @admin.display(description=_("file number"))
    def file_number(self, obj) -> str:
        person = obj if isinstance(obj, SupervisedPerson) else obj.person
        return person.file_number if person is not None else "—"


def _file_search(queryset, term: str):
    """Search by file number (EM-000042 or 42): never by name or IIN, which would read them."""
    digits = term.strip().upper().removeprefix("EM-").lstrip("0") or "0"
    return queryset.filter(pk=int(digits)) if digits.isdigit() else queryset.none()


class CourtOrderInline(AuditedInline, admin.TabularInline):
    model = CourtOrder
    extra = 0


class ZoneInline(AuditedInline, admin.TabularInline):
    model = Zone
    extra = 0
    fields = ["kind", "name", "shape", "latitude", "longitude", "radius_m", "schedule", "is_active"]
    show_change_link = True
    audit_redacted_fields = PLACE_FIELDS


class AbsenceInline(AuditedInline, admin.TabularInline):
    model = ApprovedAbsence
    extra = 0
    audit_redacted_fields = ("note",)
    fields = [
        "kind",
        "purpose",
        "starts_at",
        "ends_at",
        "weekdays",
        "start_time",
        "end_time",
        "valid_from",
        "valid_until",
    ]


if TYPE_CHECKING:  # what the mixin is mixed into, for its super() calls
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


class RulesChangedMixin(_ModelAdmin):
    """After any save from these pages, evaluation must recompile the person's rules."""

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        instance = form.instance
        person = instance if isinstance(instance, SupervisedPerson) else instance.person
        person_rules_changed(person=person)


@admin.register(SupervisedPerson)
class SupervisedPersonAdmin(FileNumberColumn, RulesChangedMixin, PersonalDataAdmin, AuditedAdmin):
    list_display = ["file_number", "district", "responsible_officer"]
    list_filter = ["district"]
    search_fields = ["pk"]  # by file number, see get_search_results
    search_help_text = _("File number, e.g. EM-000042.")
    autocomplete_fields = ["responsible_officer"]
    inlines = [CourtOrderInline, ZoneInline, AbsenceInline]
    audit_redacted_fields = PERSON_FIELDS
    actions = None  # the bulk delete's confirmation would list the people chosen

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return _file_search(queryset, search_term), False


class CurfewWindowInline(AuditedInline, admin.TabularInline):
    model = CurfewWindow
    extra = 0


@admin.register(Zone)
class ZoneAdmin(MapFieldsMixin, FileNumberColumn, RulesChangedMixin, PersonalDataAdmin, AuditedAdmin):
    map_points = (("latitude", "longitude"),)
    map_polygons = ("polygon",)
    list_display = ["pk", "kind", "file_number", "shape", "schedule", "is_active"]
    list_filter = ["kind", "shape", "schedule", "is_active"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]  # a select would list everyone's name
    inlines = [CurfewWindowInline]
    audit_redacted_fields = PLACE_FIELDS
    actions = None


class AssignmentInline(FileNumberColumn, admin.TabularInline):
    model = BraceletAssignment
    extra = 0
    can_delete = False
    readonly_fields = ("file_number", "started_at", "ended_at")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Bracelet)
class BraceletAdmin(FileNumberColumn, admin.ModelAdmin):
    """No positions here: the last known place is the person's, shown on their audited card."""

    list_display = ["unique_id", "model", "state", "file_number", "battery", "last_contact_at", "last_fix_at"]
    list_filter = ["state", "model"]
    list_select_related = ["person"]
    search_fields = ["unique_id"]
    fields = [
        "unique_id",
        "model",
        "firmware",
        "state",
        "file_number",
        "battery",
        "last_contact_at",
        "last_fix_at",
        "last_fix_received_at",
    ]
    readonly_fields = ["file_number", "battery", "last_contact_at", "last_fix_at", "last_fix_received_at"]
    inlines = [AssignmentInline]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new bracelet gets its credential from the spine; its secret is shown once, here.
        try:
            bracelet, secret = bracelet_add(unique_id=obj.unique_id, model=obj.model, firmware=obj.firmware,
                                            actor=request.user)  # fmt: skip
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
            raise
        obj.pk, obj.credential_id = bracelet.pk, bracelet.credential_id
        messages.warning(request, _("Bracelet secret (shown once): %(json)s")
                         % {"json": json.dumps({"unique_id": bracelet.unique_id, "token": secret})})  # fmt: skip


@admin.register(Position)
class PositionAdmin(FileNumberColumn, ReadOnlyAdmin):
    """Kept for their retention and counted here; where someone was is shown only on the person's
    audited card."""

    list_display = ["fix_time", "bracelet", "file_number", "battery", "alarm", "is_late", "source", "case_number"]
    list_filter = ["source", "is_late", "is_valid"]
    search_fields = ["bracelet__unique_id", "case_number"]
    date_hierarchy = "fix_time"
    list_select_related = ["bracelet", "person"]
    readonly_fields = (
        "bracelet",
        "file_number",
        "fix_time",
        "received_at",
        "battery",
        "is_valid",
        "alarm",
        "source",
        "is_late",
        "case_number",
    )
    fields = readonly_fields


@admin.register(Violation)
class ViolationAdmin(FileNumberColumn, ReadOnlyAdmin):
    list_display = ["started_at", "file_number", "kind", "status", "severity", "alarm_at", "ended_at", "end_reason"]
    list_filter = ["kind", "status", "severity"]
    date_hierarchy = "started_at"
    list_select_related = ["person"]
    readonly_fields = (
        "file_number",
        "bracelet",
        "kind",
        "status",
        "severity",
        "started_at",
        "alarm_at",
        "ended_at",
        "end_reason",
        "alert",
    )
    fields = readonly_fields
