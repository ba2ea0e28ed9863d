"""Alerts: whatever needs a human, in the right center, with a timed and attributed lifecycle."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Severity(models.IntegerChoices):
    P1 = 1, _("P1 critical")
    P2 = 2, _("P2 high")
    P3 = 3, _("P3 medium")
    P4 = 4, _("P4 info")


class AlertStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPATCHED = "dispatched", _("Dispatched")
    RESOLVED = "resolved", _("Resolved")


OPEN_STATUSES = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.DISPATCHED)


class Disposition(models.TextChoices):
    REAL = "real", _("Real")
    FALSE_ALARM = "false_alarm", _("False alarm")
    TEST = "test", _("Test")
    TECHNICAL = "technical", _("Technical")
    DUPLICATE = "duplicate", _("Duplicate")


class Alert(models.Model):
    """Something a person must see and act on. Raised and changed only through opscenter's services.

    Invariant: at most one open alert per non-empty dedup key, so a repeated cause updates the alert
    already on the operators' screens instead of adding a second one.

    The payload is the raising app's and carries no personal data (a bracelet alert names a file number,
    an alarm its object, never the people): who is concerned is read through the audited
    `opscenter.services.details.alert_details_read`, from the provider the app registered. The dashboard
    reads three keys of the payload when present: `caution` (text shown before anything else, e.g. a
    duress), `object` (a card: name, kind_label, address, notes; `card_url` links to its page) and `link`
    ({url, label}). `subject` names what it is about (any model, by content type), for other apps to find. `redacted_at` is set when the retention purge emptied the payload and the data and
    texts of its timeline (`opscenter.services.retention`).
    """

    source = models.CharField(_("source"), max_length=32, help_text=_("The app that raised it."))
    kind = models.CharField(_("kind"), max_length=64)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.NEW)
    disposition = models.CharField(_("disposition"), max_length=16, choices=Disposition.choices, blank=True)
    center = models.ForeignKey(
        "opscenter.OperationsCenter",
        verbose_name=_("center"),
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    district = models.ForeignKey(
        "opscenter.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    title = models.CharField(_("title"), max_length=300)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # What the alert is about (a protected object, a camera, a device), so that another app attaches to it
    # without importing the raiser: the cameras watching a school find the school's alarms by it.
    subject_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("subject type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    dedup_key = models.CharField(_("dedup key"), max_length=200, blank=True)
    repeat_count = models.PositiveIntegerField(_("repeats"), default=0)

    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The call signs of the units sent (Assignment holds each unit's times); before units existed, the
    # free text an operator typed, kept as it was.
    dispatch_unit = models.CharField(_("unit dispatched"), max_length=200, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    redacted_at = models.DateTimeField(
        _("redacted at"), null=True, blank=True, help_text=_("When retention emptied its payload and timeline data.")
    )
    incident = models.ForeignKey(
        "opscenter.Incident",
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        help_text=_("The incident it is worked in, with other alerts (opscenter.services.incidents)."),
    )

    class Meta:
        ordering = ["severity", "-raised_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=~Q(dedup_key="") & ~Q(status="resolved"),
                name="alert_one_open_per_dedup_key",
            ),
            models.CheckConstraint(
                condition=Q(status="resolved", disposition__gt="") | (~Q(status="resolved") & Q(disposition="")),
                name="alert_disposition_iff_resolved",
            ),
        ]
        indexes = [
            models.Index(fields=["center", "status"], name="alert_center_status"),
            models.Index(fields=["district", "status"], name="alert_district_status"),
            models.Index(fields=["status", "escalation_level", "raised_at"], name="alert_escalation_due"),
            models.Index(fields=["resolved_at"], condition=Q(redacted_at__isnull=True), name="alert_retention_due"),
            models.Index(fields=["subject_type", "subject_id"], name="alert_subject"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} P{self.severity} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AlertEvent(models.Model):
    """One step in an alert's timeline (raised, repeated, updated, acknowledged, dispatched, escalated,
    commented, resolved; a unit sent to it accepted, arrived, cleared; linked to or unlinked from an incident), with who and when. Shown to operators; the audit keeps its own record."""

    class Action(models.TextChoices):
        RAISED = "raised", _("Raised")
        REPEATED = "repeated", _("Repeated")
        UPDATED = "updated", _("Updated")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DISPATCHED = "dispatched", _("Dispatched")
        ESCALATED = "escalated", _("Escalated")
        COMMENTED = "commented", _("Commented")
        RESOLVED = "resolved", _("Resolved")
        UNIT_ACCEPTED = "unit_accepted", _("Unit accepted")
        UNIT_ARRIVED = "unit_arrived", _("Unit arrived")
        UNIT_CLEARED = "unit_cleared", _("Unit cleared")
        LINKED = "linked", _("Linked to an incident")
        UNLINKED = "unlinked", _("Unlinked from an incident")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.alert_id}"
