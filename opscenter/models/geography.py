"""Where things happen: the oblast's districts and the operations centers that watch over them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from opscenter import geo


def validate_boundary(value: object) -> None:
    """A form's or full_clean's check of District.boundary (the service checks it again: see geo)."""
    try:
        geo.boundary_validate(value)
    except geo.GeometryError as error:
        raise ValidationError(
            _("Not a usable GeoJSON Polygon or MultiPolygon: %(error)s"), params={"error": error}
        ) from error


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
    """A district of the oblast (or Uralsk city), covered by exactly one operations center, with its
    boundary: a GeoJSON Polygon or MultiPolygon (longitude, latitude, WGS 84) that the map draws and that
    routes whatever has a location (appeals, alerts) to the district. The bounding box is derived from it
    (opscenter.services.geography) so that most points are ruled out without walking the rings."""

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
    boundary = models.JSONField(
        _("boundary (GeoJSON)"),
        null=True,
        blank=True,
        validators=[validate_boundary],
        help_text=_("A GeoJSON Polygon or MultiPolygon geometry, longitude before latitude."),
    )
    boundary_min_latitude = models.FloatField(null=True, editable=False)
    boundary_max_latitude = models.FloatField(null=True, editable=False)
    boundary_min_longitude = models.FloatField(null=True, editable=False)
    boundary_max_longitude = models.FloatField(null=True, editable=False)
    boundary_source = models.CharField(_("boundary source"), max_length=300, blank=True)
    boundary_loaded_at = models.DateTimeField(_("boundary loaded at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_kk if translation.get_language() == "kk" else self.name_ru
