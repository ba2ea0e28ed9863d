"""Where things happen: the oblast's districts and the operations centers that watch over them."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class OperationsCenter(models.Model):
    """An operations center (ЦОУ): operators watch the alerts of the districts it covers."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    head = models.ForeignKey(
        "opscenter.User",
        verbose_name=_("head of the center"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_centers",
        help_text=_("Told when an alert stays unacknowledged after the supervisors were alerted."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("operations center")
        verbose_name_plural = _("operations centers")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_kk if translation.get_language() == "kk" else self.name_ru


class District(models.Model):
    """A district of the oblast (or Uralsk city), covered by exactly one operations center."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    seat_latitude = models.FloatField(_("seat latitude"))
    seat_longitude = models.FloatField(_("seat longitude"))
    center = models.ForeignKey(
        OperationsCenter,
        verbose_name=_("operations center"),
        on_delete=models.PROTECT,
        related_name="districts",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_kk if translation.get_language() == "kk" else self.name_ru
