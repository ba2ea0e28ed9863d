"""What bracelets report, and what evaluation made of it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Position(models.Model):
    """One fix, stored once per bracelet and fix time. `is_late` marks a fix older than the latest when it
    arrived. `case_number` links it to a case, which keeps it past the retention period."""

    bracelet = models.ForeignKey("bracelets.Bracelet", on_delete=models.CASCADE, related_name="positions")
    person = models.ForeignKey(
        "bracelets.SupervisedPerson", on_delete=models.SET_NULL, null=True, blank=True, related_name="positions"
    )
    order = models.ForeignKey(
        "bracelets.CourtOrder", on_delete=models.SET_NULL, null=True, blank=True, related_name="positions"
    )
    fix_time = models.DateTimeField(_("fix time"))
    received_at = models.DateTimeField(_("received at"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    accuracy = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    speed_knots = models.FloatField(_("speed (knots)"), null=True, blank=True)
    course = models.FloatField(_("course (°)"), null=True, blank=True)
    altitude = models.FloatField(_("altitude (m)"), null=True, blank=True)
    battery = models.FloatField(_("battery (%)"), null=True, blank=True)
    is_valid = models.BooleanField(_("valid fix"), default=True)
    alarm = models.CharField(_("alarm"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=16)
    is_late = models.BooleanField(_("late"), default=False)
    attributes = models.JSONField(_("other attributes"), default=dict, blank=True)
    case_number = models.CharField(_("case"), max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["bracelet", "fix_time"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [models.UniqueConstraint(fields=["bracelet", "fix_time"], name="position_once_per_fix")]
        indexes = [models.Index(fields=["person", "fix_time"], name="position_person_time")]

    def __str__(self) -> str:
        # No coordinates: str() ends up in the admin's titles and history and in the audit.
        return f"{self.bracelet_id} {self.fix_time:%Y-%m-%d %H:%M:%S}"


class ViolationKind(models.TextChoices):
    INCLUSION = "inclusion", _("Left the inclusion zone")
    EXCLUSION = "exclusion", _("Entered an exclusion zone")
    TAMPER = "tamper", _("Strap tampered with")
    REMOVAL = "removal", _("Bracelet removed")
    SOS = "sos", _("SOS")
    LOW_BATTERY = "low_battery", _("Low battery")
    GPS_LOST = "gps_lost", _("GPS lost")
    SIGNAL_LOST = "signal_lost", _("Signal lost")


class ViolationStatus(models.TextChoices):
    PENDING = "pending", _("Pending (grace period)")
    ALARM = "alarm", _("Alarm")
    CLEARED = "cleared", _("Ended")


OPEN_VIOLATION_STATUSES = (ViolationStatus.PENDING, ViolationStatus.ALARM)


class Violation(models.Model):
    """One episode of a condition: from its start (a pending breach, or an alarm at once) to its end.

    `key` names the condition (`inclusion`, `exclusion:<zone>`, `tamper`, ...): at most one open episode
    per person and key. An inclusion breach that ends within its grace period is kept, never alarmed.
    """

    person = models.ForeignKey("bracelets.SupervisedPerson", on_delete=models.CASCADE, related_name="violations")
    bracelet = models.ForeignKey("bracelets.Bracelet", on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ViolationKind.choices)
    key = models.CharField(max_length=40)
    zone = models.ForeignKey("bracelets.Zone", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=ViolationStatus.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    alarm_at = models.DateTimeField(_("alarm at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("how it ended"), max_length=200, blank=True)
    alert = models.ForeignKey("opscenter.Alert", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "key"],
                condition=Q(status__in=["pending", "alarm"]),
                name="one_open_violation_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_kind_display()} {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_VIOLATION_STATUSES
