"""Kazakhstan's working-day calendar, kept as data an administrator edits."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicHoliday(models.Model):
    """A public holiday on a fixed date every year (Law "On holidays"). When one falls on a Saturday or
    Sunday the day off moves to the next working day (Labour Code art. 85), except for the religious
    holidays (`moves_off_weekend` false). Generates a year's `CalendarDay` rows."""

    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    day = models.PositiveSmallIntegerField(_("day"), validators=[MinValueValidator(1), MaxValueValidator(31)])
    name = models.CharField(_("name"), max_length=200)
    moves_off_weekend = models.BooleanField(
        _("day off moves off a weekend"),
        default=True,
        help_text=_("Off for religious holidays (Orthodox Christmas): no day off is added when it is a weekend."),
    )

    class Meta:
        ordering = ["month", "day"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        constraints = [models.UniqueConstraint(fields=["month", "day"], name="public_holiday_date")]

    def __str__(self) -> str:
        return f"{self.day:02d}.{self.month:02d} {self.name}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    MOVABLE_HOLIDAY = "movable_holiday", _("Movable holiday (Kurban Ait)")
    MOVED_DAY_OFF = "moved_day_off", _("Day off moved from a holiday on a weekend")
    TRANSFERRED_DAY_OFF = "transferred_day_off", _("Day off by the government's transfer")
    TRANSFERRED_WORKING_DAY = "transferred_working_day", _("Working day by the government's transfer")


class CalendarDay(models.Model):
    """A date that is not what its weekday says: a holiday, a day off moved or transferred, or a weekend
    day made a working day. A year with at least one row is taken as complete; a year with none is
    computed from the public holidays (and lacks Kurban Ait and the transfers until they are entered)."""

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"), default=False)
    kind = models.CharField(_("kind"), max_length=32, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
