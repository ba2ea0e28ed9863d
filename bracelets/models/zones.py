"""Where a person must be (inclusion zones, always or in curfew windows), where they may go anyway
(approved absences), and where they must never be (exclusion zones)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

# The name enrolment gives a person's home zone: stored as this constant, shown in the reader's language.
HOME_ZONE_NAME = "Home"


def zone_name_shown(name: str) -> str:
    """A zone's name as a reader sees it: the home zone's in their language, any other as it was typed."""
    return pgettext("zone", "Home") if name == HOME_ZONE_NAME else name


class ZoneKind(models.TextChoices):
    INCLUSION = "inclusion", _("Inclusion (must stay inside)")
    EXCLUSION = "exclusion", _("Exclusion (must stay away)")


class ZoneShape(models.TextChoices):
    CIRCLE = "circle", _("Circle")
    POLYGON = "polygon", _("Polygon")


class ZoneSchedule(models.TextChoices):
    ALWAYS = "always", _("Always")
    WINDOWS = "windows", _("In its windows only")


class Zone(models.Model):
    """A circle (centre and radius) or polygon (a ring of [latitude, longitude]) that applies to one
    person, always or only within its windows (a curfew)."""

    person = models.ForeignKey("bracelets.SupervisedPerson", on_delete=models.CASCADE, related_name="zones")
    kind = models.CharField(_("kind"), max_length=16, choices=ZoneKind.choices)
    name = models.CharField(_("name"), max_length=200, help_text=_("Home, the victim's home, school No. 5 ..."))
    shape = models.CharField(_("shape"), max_length=16, choices=ZoneShape.choices, default=ZoneShape.CIRCLE)
    latitude = models.FloatField(_("centre latitude"), null=True, blank=True)
    longitude = models.FloatField(_("centre longitude"), null=True, blank=True)
    radius_m = models.FloatField(_("radius (m)"), null=True, blank=True)
    polygon = models.JSONField(_("polygon"), default=list, blank=True, help_text=_("[[latitude, longitude], ...]"))
    schedule = models.CharField(_("applies"), max_length=16, choices=ZoneSchedule.choices, default=ZoneSchedule.ALWAYS)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["person", "kind", "name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        # Not its name ("the victim's home"): str() ends up in lists, history and the audit.
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def shown_name(self) -> str:
        return zone_name_shown(self.name)


class CurfewWindow(models.Model):
    """A weekly window in the oblast's time in which its zone applies; it starts on each of `weekdays`
    (ISO digits, 1 Monday) and runs past midnight when `end_time` is not after `start_time`."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="windows")
    weekdays = models.CharField(_("weekdays"), max_length=7, default="1234567")
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        ordering = ["zone", "start_time"]
        verbose_name = _("curfew window")
        verbose_name_plural = _("curfew windows")

    def __str__(self) -> str:
        return f"{self.weekdays} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class AbsenceKind(models.TextChoices):
    ONE_OFF = "one_off", _("One-off")
    WEEKLY = "weekly", _("Weekly")


class ApprovedAbsence(models.Model):
    """Permission to be outside the inclusion zones: once (`starts_at`..`ends_at`) or every week
    (`weekdays`, `start_time`..`end_time`, between `valid_from` and `valid_until`). Exclusion zones
    apply all the same."""

    class Purpose(models.TextChoices):
        WORK = "work", _("Work")
        COURT = "court", _("Court")
        DOCTOR = "doctor", _("Doctor")
        OTHER = "other", _("Other")

    person = models.ForeignKey("bracelets.SupervisedPerson", on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(_("kind"), max_length=16, choices=AbsenceKind.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    weekdays = models.CharField(_("weekdays"), max_length=7, blank=True)
    start_time = models.TimeField(_("daily from"), null=True, blank=True)
    end_time = models.TimeField(_("daily until"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["person", "-created_at"]
        verbose_name = _("approved absence")
        verbose_name_plural = _("approved absences")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_kind_display()})"
