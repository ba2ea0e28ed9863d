"""Admin for people, orders, zones, absences and bracelets. Edits of zones, windows, absences and orders
here replace the person's rules token like the services do, so evaluation sees them at once. Positions
and violations are read-only records."""

import json

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
from opscenter.admin import ReadOnlyAdmin


class CourtOrderInline(admin.TabularInline):
    model = CourtOrder
    extra = 0


class ZoneInline(admin.TabularInline):
    model = Zone
    extra = 0
    fields = ["kind", "name", "shape", "latitude", "longitude", "radius_m", "schedule", "is_active"]
    show_change_link = True


class AbsenceInline(admin.TabularInline):
    model = ApprovedAbsence
    extra = 0
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


class RulesChangedMixin:
    """After any save from these pages, evaluation must recompile the person's rules."""

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        instance = form.instance
        person = instance if isinstance(instance, SupervisedPerson) else instance.person
        person_rules_changed(person=person)


@admin.register(SupervisedPerson)
class SupervisedPersonAdmin(RulesChangedMixin, admin.ModelAdmin):
    list_display = ["full_name", "iin", "district", "responsible_officer"]
    list_filter = ["district"]
    search_fields = ["full_name", "iin"]
    autocomplete_fields = ["responsible_officer"]
    inlines = [CourtOrderInline, ZoneInline, AbsenceInline]


class CurfewWindowInline(admin.TabularInline):
    model = CurfewWindow
    extra = 0


@admin.register(Zone)
class ZoneAdmin(RulesChangedMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "person", "shape", "schedule", "is_active"]
    list_filter = ["kind", "shape", "schedule", "is_active"]
    search_fields = ["name", "person__full_name"]
    inlines = [CurfewWindowInline]


class AssignmentInline(admin.TabularInline):
    model = BraceletAssignment
    extra = 0
    can_delete = False
    readonly_fields = ["person", "started_at", "ended_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Bracelet)
class BraceletAdmin(admin.ModelAdmin):
    list_display = ["unique_id", "model", "state", "person", "battery", "last_contact_at", "last_fix_at"]
    list_filter = ["state", "model"]
    search_fields = ["unique_id", "person__full_name"]
    readonly_fields = ["person", "battery", "last_contact_at", "last_fix_at", "last_fix_received_at",
                       "last_latitude", "last_longitude", "last_accuracy"]  # fmt: skip
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
class PositionAdmin(ReadOnlyAdmin):
    list_display = ["fix_time", "bracelet", "person", "latitude", "longitude", "accuracy", "battery", "alarm",
                    "is_late", "source", "case_number"]  # fmt: skip
    list_filter = ["source", "is_late", "is_valid"]
    search_fields = ["bracelet__unique_id", "person__full_name", "case_number"]
    date_hierarchy = "fix_time"
    list_select_related = ["bracelet", "person"]


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "person", "kind", "status", "severity", "alarm_at", "ended_at", "end_reason"]
    list_filter = ["kind", "status", "severity"]
    search_fields = ["person__full_name"]
    date_hierarchy = "started_at"
    list_select_related = ["person"]
