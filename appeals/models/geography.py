"""District boundaries, loaded as GeoJSON, that route an appeal by its location."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DistrictBoundary(models.Model):
    """The boundary of a district as a GeoJSON Polygon or MultiPolygon (longitude, latitude, WGS 84),
    with its bounding box so that most points are ruled out without walking the rings."""

    district = models.OneToOneField(
        "opscenter.District", verbose_name=_("district"), on_delete=models.CASCADE, related_name="boundary"
    )
    geometry = models.JSONField(_("geometry (GeoJSON)"))
    min_latitude = models.FloatField(editable=False)
    max_latitude = models.FloatField(editable=False)
    min_longitude = models.FloatField(editable=False)
    max_longitude = models.FloatField(editable=False)
    source = models.CharField(_("source"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        ordering = ["district__code"]
        verbose_name = _("district boundary")
        verbose_name_plural = _("district boundaries")

    def __str__(self) -> str:
        return str(self.district)
