"""The people under electronic monitoring and the court orders that put them there."""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

iin_validator = RegexValidator(r"^\d{12}$", _("An IIN is 12 digits."))


class Measure(models.TextChoices):
    HOUSE_ARREST = "house_arrest", _("House arrest")
    ADMINISTRATIVE_SUPERVISION = "administrative_supervision", _("Administrative supervision")
    PROBATION = "probation", _("Probation")


class SupervisedPerson(models.Model):
    """A person wearing (or to wear) a bracelet, in the district whose officers supervise them.

    `rules_token` is replaced on every change to the person's zones, windows, absences or orders, so
    evaluation can keep the compiled rules in memory and know when they are stale. `open_violations` lists the keys of
    the violations now open (pending or alarmed), kept by the evaluation service under the lock of the
    person's bracelet, so that a compliant position needs no query about violations.
    """

    full_name = models.CharField(_("full name"), max_length=200)
    iin = models.CharField(_("IIN"), max_length=12, unique=True, validators=[iin_validator])
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    photo = models.FileField(_("photo"), upload_to="bracelets/photos/", blank=True)
    home_address = models.CharField(_("home address"), max_length=300, blank=True)
    district = models.ForeignKey(
        "opscenter.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible officer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_people",
    )
    notes = models.TextField(_("notes for officers"), blank=True)
    rules_token = models.UUIDField(default=uuid.uuid4, editable=False)
    open_violations = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("supervised person")
        verbose_name_plural = _("supervised people")

    def __str__(self) -> str:
        # The file number, not the name: str() ends up in the admin's lists and history, in the audit's
        # object column and in form widgets, none of which should name the person.
        return self.file_number

    @property
    def file_number(self) -> str:
        """The pseudonymous reference alerts and screens name the person by (EM-000042): it says who to
        the officers who hold the file, and nothing to anyone else."""
        return f"EM-{self.pk:06d}"


class CourtOrder(models.Model):
    """The decision that imposes the measure, for a period. Positions are kept for the retention period
    after its end, unless linked to a case."""

    person = models.ForeignKey(SupervisedPerson, on_delete=models.CASCADE, related_name="orders")
    measure = models.CharField(_("measure"), max_length=32, choices=Measure.choices)
    number = models.CharField(_("order number"), max_length=64)
    court = models.CharField(_("court"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("court order")
        verbose_name_plural = _("court orders")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="order_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_measure_display()})"
