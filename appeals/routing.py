"""Where an appeal goes: the district whose boundary holds its location (the spine's boundaries, as the
map draws them: opscenter.selectors.district_at), else the nearest district seat (within
APPEALS_NEAREST_SEAT_MAX_KM), else the district its address names, else the Uralsk center for manual
routing."""

from dataclasses import dataclass

from django.conf import settings

from appeals import geo
from appeals.models import RoutedBy
from opscenter.models import District, OperationsCenter
from opscenter.selectors import district_at


@dataclass(frozen=True)
class Routing:
    center: OperationsCenter
    district: District | None
    routed_by: str


def route(*, latitude: float | None, longitude: float | None, address: str) -> Routing:
    if latitude is not None and longitude is not None:
        district = district_at(latitude=latitude, longitude=longitude)
        if district is not None:
            return Routing(district.center, district, RoutedBy.BOUNDARY)
        district = _district_by_nearest_seat(latitude, longitude)
        if district is not None:
            return Routing(district.center, district, RoutedBy.NEAREST_SEAT)
    if address:
        code = geo.district_code_from_address(address)
        district = District.objects.select_related("center").filter(code=code).first() if code else None
        if district is not None:
            return Routing(district.center, district, RoutedBy.ADDRESS)
    center = OperationsCenter.objects.get(code=settings.APPEALS_MANUAL_ROUTING_CENTER)
    return Routing(center, None, RoutedBy.MANUAL)


def _district_by_nearest_seat(latitude: float, longitude: float) -> District | None:
    best, best_distance = None, settings.APPEALS_NEAREST_SEAT_MAX_KM
    for district in District.objects.select_related("center"):
        distance = geo.distance_km(latitude, longitude, district.seat_latitude, district.seat_longitude)
        if distance <= best_distance:
            best, best_distance = district, distance
    return best
