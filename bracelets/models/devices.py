"""Bracelets, their last known state, and who wore which one when."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BraceletState(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    ASSIGNED = "assigned", _("Worn")
    FAULTY = "faulty", _("Faulty")
    RETIRED = "retired", _("Retired")


class Bracelet(models.Model):
    """A tracking bracelet, known by its unique id (IMEI) and authenticated by its device credential.

    The last-known fields are the device's current state: only a position newer than the latest moves
    them (a late one is stored and checked, never moves them back). `person` is the current wearer,
    kept equal to the open assignment by the services.
    """

    unique_id = models.CharField(_("unique id"), max_length=64, unique=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    firmware = models.CharField(_("firmware"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=BraceletState.choices, default=BraceletState.IN_STOCK)
    credential = models.OneToOneField(
        "opscenter.DeviceCredential", on_delete=models.PROTECT, related_name="bracelet", editable=False
    )
    person = models.ForeignKey(
        "bracelets.SupervisedPerson", verbose_name=_("worn by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="bracelets", editable=False,
    )  # fmt: skip
    battery = models.FloatField(_("battery (%)"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    last_fix_at = models.DateTimeField(_("last fix (device time)"), null=True, blank=True)
    last_fix_received_at = models.DateTimeField(_("last fix received"), null=True, blank=True)
    last_latitude = models.FloatField(_("last latitude"), null=True, blank=True)
    last_longitude = models.FloatField(_("last longitude"), null=True, blank=True)
    last_accuracy = models.FloatField(_("last accuracy (m)"), null=True, blank=True)

    class Meta:
        ordering = ["unique_id"]
        verbose_name = _("bracelet")
        verbose_name_plural = _("bracelets")

    def __str__(self) -> str:
        return self.unique_id


class BraceletAssignment(models.Model):
    """Which bracelet was on whom, from when until when (open while worn)."""

    bracelet = models.ForeignKey(Bracelet, on_delete=models.PROTECT, related_name="assignments")
    person = models.ForeignKey("bracelets.SupervisedPerson", on_delete=models.PROTECT, related_name="assignments")
    started_at = models.DateTimeField(_("put on at"))
    ended_at = models.DateTimeField(_("taken off at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("bracelet assignment")
        verbose_name_plural = _("bracelet assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["bracelet"], condition=Q(ended_at__isnull=True), name="one_wearer_per_bracelet"
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_at__isnull=True), name="one_bracelet_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bracelet} → {self.person}"
