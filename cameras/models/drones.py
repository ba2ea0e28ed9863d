"""Drone flights: who flew a drone, for what, when, and the GPS track it sent while it flew."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cameras.models.cameras import CameraKind


class Flight(models.Model):
    """One flight of a drone (a camera of kind drone): its pilot, its purpose, its period planned and
    flown, and its track (FlightPosition). A drone flies one flight at a time; the track it sends is
    kept only within a flight's actual period (cameras.services.drones), so that no position of a drone is
    stored without a flight and a purpose on record. The district and the center are the camera's at the
    time the flight was planned."""

    camera = models.ForeignKey(
        "cameras.Camera",
        verbose_name=_("drone"),
        on_delete=models.PROTECT,
        related_name="flights",
        limit_choices_to={"kind": CameraKind.DRONE},
    )
    pilot = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pilot"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("When the pilot has an account; else the name below."),
    )
    pilot_name = models.CharField(_("pilot's name"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300)
    district = models.ForeignKey(
        "opscenter.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    center = models.ForeignKey(
        "opscenter.OperationsCenter", verbose_name=_("center"), on_delete=models.PROTECT, related_name="+"
    )
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    started_at = models.DateTimeField(_("took off at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("landed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("drone flight")
        verbose_name_plural = _("drone flights")
        constraints = [
            models.UniqueConstraint(
                fields=["camera"],
                condition=Q(started_at__isnull=False, ended_at__isnull=True),
                name="flight_one_open_per_drone",
                violation_error_message=_("This drone is already in flight."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gt=F("planned_start")),
                name="flight_planned_end_after_start",
                violation_error_message=_("The planned end comes after the planned start."),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=False, ended_at__gte=F("started_at")),
                name="flight_landed_after_take_off",
                violation_error_message=_("A flight lands after it took off."),
            ),
        ]
        indexes = [models.Index(fields=["camera", "started_at"], name="flight_camera_started")]

    def __str__(self) -> str:
        when = f" · {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else ""
        return f"{self.camera_id} · {self.purpose[:60]}{when}"

    def clean(self) -> None:
        if self.pilot_id is None and not self.pilot_name.strip():
            raise ValidationError({"pilot_name": _("Name the pilot: their account or their name.")})

    @property
    def pilot_display(self) -> str:
        if self.pilot is not None:
            return self.pilot.display_name
        return self.pilot_name


class FlightPosition(models.Model):
    """One point of a flight's GPS track, stored once per flight and device time (a batch sent again is
    stored once). `at` is the drone's own time (UTC), `received_at` ours. The unique constraint on
    (flight, at) is also the index the track is read by (a drone's position at a moment)."""

    flight = models.ForeignKey(Flight, verbose_name=_("flight"), on_delete=models.CASCADE, related_name="positions")
    at = models.DateTimeField(_("fix time"))
    received_at = models.DateTimeField(_("received at"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    altitude_m = models.FloatField(_("altitude (m)"), null=True, blank=True)
    heading = models.FloatField(_("course (°)"), null=True, blank=True)
    speed_kmh = models.FloatField(_("speed (km/h)"), null=True, blank=True)
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)

    class Meta:
        ordering = ["flight", "at"]
        verbose_name = _("flight position")
        verbose_name_plural = _("flight positions")
        constraints = [models.UniqueConstraint(fields=["flight", "at"], name="flight_position_once")]

    def __str__(self) -> str:
        return f"{self.flight_id} {self.at:%Y-%m-%d %H:%M:%S}"
