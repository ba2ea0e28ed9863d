"""Routing: inside a district's boundary (the spine's, as the map draws them), else the nearest district
seat, else the address, else the Uralsk center for manual routing. Loading boundaries is the spine's:
tests/opscenter/test_district_boundaries.py."""

import pytest

from appeals import geo
from appeals.models import RoutedBy
from appeals.routing import route
from opscenter.models import District
from opscenter.services.geography import district_boundaries_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_boundaries():
    """Without the seeded schematic boundaries, so that only what a test loads routes."""
    District.objects.update(
        boundary=None,
        boundary_min_latitude=None,
        boundary_max_latitude=None,
        boundary_min_longitude=None,
        boundary_max_longitude=None,
    )


def square(west: float, south: float, east: float, north: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


# A made-up Terekti that reaches far west, with a hole cut out, and a two-part Burlin.
COLLECTION = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"code": "terekti"},
            "geometry": {"type": "Polygon", "coordinates": [square(50.0, 51.0, 52.5, 51.6), square(51.0, 51.2, 51.5, 51.4)]},
        },
        {
            "type": "Feature",
            "properties": {"code": "Бурлинский район"},
            "geometry": {"type": "MultiPolygon", "coordinates": [[square(52.5, 50.9, 53.5, 51.5)], [square(40.0, 40.0, 40.5, 40.5)]]},
        },
    ],
}  # fmt: skip


def test_a_point_inside_a_boundary_goes_to_that_district(no_boundaries):
    district_boundaries_load(collection=COLLECTION, key_property="code")
    routing = route(latitude=51.5, longitude=50.2, address="")
    assert (routing.district.code, routing.routed_by) == ("terekti", RoutedBy.BOUNDARY)
    assert routing.center == routing.district.center
    # the second part of a MultiPolygon counts too
    assert route(latitude=40.2, longitude=40.2, address="").district.code == "burlin"


def test_a_point_in_a_hole_is_not_inside(no_boundaries):
    district_boundaries_load(collection=COLLECTION)
    routing = route(latitude=51.2333, longitude=51.3667, address="")  # Uralsk, in the hole
    assert (routing.district.code, routing.routed_by) == ("uralsk", RoutedBy.NEAREST_SEAT)


def test_the_seeded_boundaries_route_each_district_seat_to_its_district():
    for district in District.objects.all():
        routing = route(latitude=district.seat_latitude, longitude=district.seat_longitude, address="")
        assert (routing.district, routing.routed_by) == (district, RoutedBy.BOUNDARY)


def test_uralsk_is_a_hole_in_baiterek_and_routes_to_the_city():
    routing = route(latitude=51.2333, longitude=51.3667, address="")
    assert (routing.district.code, routing.routed_by) == ("uralsk", RoutedBy.BOUNDARY)
    routing = route(latitude=51.40, longitude=51.10, address="")  # north-west of the city
    assert (routing.district.code, routing.routed_by) == ("bayterek", RoutedBy.BOUNDARY)


def test_boundaries_loaded_in_the_spine_route_appeals_at_once(no_boundaries):
    assert route(latitude=40.2, longitude=40.2, address="").routed_by == RoutedBy.MANUAL
    district_boundaries_load(collection=COLLECTION)
    assert route(latitude=40.2, longitude=40.2, address="").district.code == "burlin"


def test_without_boundaries_the_nearest_seat_decides(no_boundaries):
    routing = route(latitude=51.17, longitude=52.90, address="Уральск")
    assert (routing.district.code, routing.routed_by) == ("burlin", RoutedBy.NEAREST_SEAT)


def test_a_point_far_from_every_seat_falls_back_to_the_address():
    routing = route(latitude=43.238, longitude=76.945, address="Теректинский район, с. Фёдоровка")  # Almaty
    assert (routing.district.code, routing.routed_by) == ("terekti", RoutedBy.ADDRESS)


def test_without_location_the_address_decides():
    routing = route(latitude=None, longitude=None, address="Казталовский р-н, с. Казталовка, ул. Абая 3")
    assert (routing.district.code, routing.routed_by) == ("kaztalov", RoutedBy.ADDRESS)


def test_nothing_known_goes_to_the_uralsk_center_for_manual_routing():
    routing = route(latitude=None, longitude=None, address="где-то у реки")
    assert routing.district is None
    assert (routing.center.code, routing.routed_by) == ("uralsk", RoutedBy.MANUAL)


@pytest.mark.parametrize(
    "address, code",
    [
        ("г. Уральск, ул. Чапаева 5", "uralsk"),
        ("Орал қ., Сырым Датұлы көшесі 3", "uralsk"),
        ("Акжаикский район, с. Чапаево", "akzhaik"),
        ("п. Аксай, ул. Молодёжная 7", "burlin"),
        ("Жымпиты, ул. Абая 18", "syrym"),
        ("Zhanibek village", "zhanibek"),
        ("Западно-Казахстанская область", None),
    ],
)
def test_addresses_name_districts_not_streets(address, code):
    assert geo.district_code_from_address(address) == code
