"""Patrol units: who can be sent, where they are and what they are doing; and their assignments to alerts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    CAR = "car", _("Patrol car")
    FOOT = "foot", _("Foot patrol")
    DISTRICT_OFFICER = "district_officer", _("District officer")


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    OFF_DUTY = "off_duty", _("Off duty")


# Every change of a unit's status the services make, and nothing else (opscenter.services.units): going on
# and off duty happens only while no assignment is open; en route and on scene follow the assignments.
UNIT_TRANSITIONS: dict[str, frozenset[str]] = {
    UnitStatus.OFF_DUTY: frozenset({UnitStatus.AVAILABLE}),
    UnitStatus.AVAILABLE: frozenset({UnitStatus.EN_ROUTE, UnitStatus.OFF_DUTY}),
    UnitStatus.EN_ROUTE: frozenset({UnitStatus.ON_SCENE, UnitStatus.AVAILABLE}),
    UnitStatus.ON_SCENE: frozenset({UnitStatus.EN_ROUTE, UnitStatus.AVAILABLE}),
}


class Unit(models.Model):
    """A patrol unit (a car's crew, a foot patrol, a district officer) of one center, perhaps tied to a
    district. Its crew are users: a crew member's tablet page shows the unit's assignments.

    `status` changes only through opscenter.services.units (UNIT_TRANSITIONS), each change kept as a
    UnitStatusChange. The position is the latest fix its tablet or tracker sent (OsmAnd, authenticated by
    `credential`); `position_at` says how old it is.
    """

    call_sign = models.CharField(_("call sign"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices, default=UnitKind.CAR)
    center = models.ForeignKey(
        "opscenter.OperationsCenter", verbose_name=_("center"), on_delete=models.PROTECT, related_name="units"
    )
    district = models.ForeignKey(
        "opscenter.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    crew = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("crew"), blank=True, related_name="units")
    status = models.CharField(_("status"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.OFF_DUTY)
    status_changed_at = models.DateTimeField(_("status changed at"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    position_at = models.DateTimeField(_("position at"), null=True, blank=True)
    credential = models.OneToOneField(
        "opscenter.DeviceCredential",
        verbose_name=_("tablet or tracker credential"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="unit",
    )
    updated_at = models.DateTimeField(_("updated at"))
    is_active = models.BooleanField(_("in service"), default=True)

    class Meta:
        ordering = ["center", "call_sign"]
        verbose_name = _("patrol unit")
        verbose_name_plural = _("patrol units")
        indexes = [models.Index(fields=["center", "status"], name="unit_center_status")]

    def __str__(self) -> str:
        return self.call_sign

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class UnitStatusChange(models.Model):
    """One change of a unit's status: from what to what, when, by whom (a person, or the unit's device or
    the system named in `actor_label`) and, when an assignment caused it, which."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="status_changes")
    status_from = models.CharField(_("from"), max_length=16, choices=UnitStatus.choices)
    status = models.CharField(_("to"), max_length=16, choices=UnitStatus.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    assignment = models.ForeignKey(
        "opscenter.Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="status_changes"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("unit status change")
        verbose_name_plural = _("unit status changes")
        indexes = [models.Index(fields=["unit", "at"], name="unit_status_change_at")]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.status_from} → {self.status}"


class AssignmentStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    ARRIVED = "arrived", _("Arrived")
    CLEARED = "cleared", _("Cleared")


OPEN_ASSIGNMENT_STATUSES = (AssignmentStatus.DISPATCHED, AssignmentStatus.ACCEPTED, AssignmentStatus.ARRIVED)


class Assignment(models.Model):
    """A unit sent to an alert, with its own times: dispatched (by an operator), accepted and arrived (by
    the crew), cleared (by the crew, the operator, or the alert's resolution). Several units can be sent
    to one alert; a unit works one open assignment at a time."""

    alert = models.ForeignKey("opscenter.Alert", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(
        _("status"), max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.DISPATCHED
    )
    dispatched_at = models.DateTimeField(_("dispatched at"))
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    distance_m = models.PositiveIntegerField(
        _("distance when dispatched (m)"), null=True, blank=True, help_text=_("Great-circle, from the alert's place.")
    )

    class Meta:
        ordering = ["dispatched_at", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=~Q(status="cleared"), name="assignment_one_open_per_unit"
            ),
        ]
        indexes = [models.Index(fields=["alert", "status"], name="assignment_alert_status")]

    def __str__(self) -> str:
        return f"{self.unit_id} → #{self.alert_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status != AssignmentStatus.CLEARED
