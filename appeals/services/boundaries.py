"""District boundaries: load a GeoJSON FeatureCollection (from the admin or a command)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import geo
from appeals.models import DistrictBoundary
from opscenter.errors import DomainError
from opscenter.models import District, User
from opscenter.services.audit import audit_record


class BoundaryFileInvalid(DomainError):
    code = "invalid_geojson"


@transaction.atomic
def boundaries_load(
    *, collection: dict, source: str = "", key_property: str = "code", actor: User | None = None
) -> list[DistrictBoundary]:
    """Replace the boundary of each district a feature names (by `key_property`: a district code, or its
    Russian or Kazakh name). All or nothing: one bad feature refuses the whole file."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BoundaryFileInvalid(_("Expected a GeoJSON FeatureCollection."))
    districts: dict[str, District] = {}
    for each in District.objects.all():
        for name in (each.code, each.name_ru, each.name_kk):
            districts[name.casefold()] = each
    loaded, now = [], timezone.now()
    for index, feature in enumerate(collection.get("features") or []):
        properties = (feature or {}).get("properties") or {}
        key = str(properties.get(key_property, "")).strip()
        district = districts.get(key.casefold())
        if district is None:
            raise BoundaryFileInvalid(
                _("Feature %(index)d: %(property)s %(key)r names no district.")
                % {"index": index, "property": key_property, "key": key}
            )
        geometry = feature.get("geometry")
        try:
            min_longitude, min_latitude, max_longitude, max_latitude = geo.bounds_of(geometry)
        except geo.GeometryError as error:
            raise BoundaryFileInvalid(_("Feature %(index)d: %(error)s") % {"index": index, "error": error}) from error
        boundary, _created = DistrictBoundary.objects.update_or_create(
            district=district,
            defaults={
                "geometry": geometry,
                "min_latitude": min_latitude,
                "max_latitude": max_latitude,
                "min_longitude": min_longitude,
                "max_longitude": max_longitude,
                "source": source[:300],
                "loaded_at": now,
            },
        )
        loaded.append(boundary)
    if not loaded:
        raise BoundaryFileInvalid(_("The file has no features."))
    audit_record(actor=actor, action="appeals.boundaries.load", data={"source": source, "districts": len(loaded)})
    return loaded
