"""District boundaries: set one (the admin), or load a GeoJSON FeatureCollection of them (the admin's
upload, `manage.py load_district_boundaries`). Every write checks the geometry and derives its bounding
box, so routing (opscenter.selectors.district_at) can trust both."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter import geo
from opscenter.errors import DomainError
from opscenter.models import District, User
from opscenter.services.audit import audit_record


class BoundaryInvalid(DomainError):
    code = "invalid_geojson"


def _bounded(district: District, geometry: dict | None, *, source: str, now: datetime) -> None:
    if geometry is None:
        bounds: tuple[float | None, ...] = (None, None, None, None)
    else:
        geo.boundary_validate(geometry)
        bounds = geo.bounds_of(geometry)
    district.boundary = geometry
    (
        district.boundary_min_longitude,
        district.boundary_min_latitude,
        district.boundary_max_longitude,
        district.boundary_max_latitude,
    ) = bounds
    district.boundary_source = source[:300]
    district.boundary_loaded_at = now if geometry is not None else None
    district.save(
        update_fields=[
            "boundary",
            "boundary_min_longitude",
            "boundary_min_latitude",
            "boundary_max_longitude",
            "boundary_max_latitude",
            "boundary_source",
            "boundary_loaded_at",
        ]
    )


@transaction.atomic
def district_boundary_set(
    *, district: District, geometry: dict | None, source: str = "", actor: User | None = None
) -> District:
    """Give a district its boundary (None clears it)."""
    try:
        _bounded(district, geometry, source=source, now=timezone.now())
    except geo.GeometryError as error:
        raise BoundaryInvalid(str(error)) from error
    audit_record(
        actor=actor,
        action="opscenter.district.boundary",
        obj=district,
        data={"source": source, "cleared": geometry is None},
    )
    return district


@transaction.atomic
def district_boundaries_load(
    *, collection: dict, source: str = "", key_property: str = "code", actor: User | None = None
) -> list[District]:
    """Replace the boundary of each district a feature names (by `key_property`: a district code, or its
    Russian or Kazakh name). All or nothing: one bad feature refuses the whole file."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BoundaryInvalid(_("Expected a GeoJSON FeatureCollection."))
    districts: dict[str, District] = {}
    for each in District.objects.select_for_update():
        for name in (each.code, each.name_ru, each.name_kk):
            districts[name.casefold()] = each
    loaded: list[District] = []
    now = timezone.now()
    for index, feature in enumerate(collection.get("features") or []):
        properties = (feature or {}).get("properties") or {}
        key = str(properties.get(key_property, "")).strip()
        district = districts.get(key.casefold())
        if district is None:
            raise BoundaryInvalid(
                _("Feature %(index)d: %(property)s %(key)r names no district.")
                % {"index": index, "property": key_property, "key": key}
            )
        try:
            _bounded(district, feature.get("geometry"), source=source, now=now)
        except geo.GeometryError as error:
            raise BoundaryInvalid(_("Feature %(index)d: %(error)s") % {"index": index, "error": error}) from error
        loaded.append(district)
    if not loaded:
        raise BoundaryInvalid(_("The file has no features."))
    audit_record(
        actor=actor, action="opscenter.district.boundaries.load", data={"source": source, "districts": len(loaded)}
    )
    return loaded
