"""Routing: inside a loaded boundary, else the nearest district seat, else the address, else the Uralsk
center for manual routing; boundaries load from GeoJSON (command and admin)."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from appeals import geo
from appeals.models import DistrictBoundary, RoutedBy
from appeals.routing import route
from appeals.services.boundaries import BoundaryFileInvalid, boundaries_load

pytestmark = pytest.mark.django_db


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


def test_a_point_inside_a_boundary_goes_to_that_district():
    boundaries_load(collection=COLLECTION, key_property="code")
    routing = route(latitude=51.5, longitude=50.2, address="")
    assert (routing.district.code, routing.routed_by) == ("terekti", RoutedBy.BOUNDARY)
    assert routing.center == routing.district.center
    # the second part of a MultiPolygon counts too
    assert route(latitude=40.2, longitude=40.2, address="").district.code == "burlin"


def test_a_point_in_a_hole_is_not_inside():
    boundaries_load(collection=COLLECTION)
    routing = route(latitude=51.2333, longitude=51.3667, address="")  # Uralsk, in the hole
    assert (routing.district.code, routing.routed_by) == ("uralsk", RoutedBy.NEAREST_SEAT)


def test_without_boundaries_the_nearest_seat_decides():
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


def test_the_load_command_replaces_boundaries(tmp_path, capsys):
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps(COLLECTION), encoding="utf-8")
    call_command("appeals_load_boundaries", str(path))
    call_command("appeals_load_boundaries", str(path))
    assert "2 district boundaries loaded" in capsys.readouterr().out
    assert DistrictBoundary.objects.count() == 2
    terekti = DistrictBoundary.objects.get(district__code="terekti")
    assert (terekti.min_longitude, terekti.max_latitude, terekti.source) == (50.0, 51.6, "districts.geojson")


@pytest.mark.parametrize(
    "collection, message",
    [
        ({"type": "Feature"}, "FeatureCollection"),
        ({"type": "FeatureCollection", "features": []}, "no features"),
        ({"type": "FeatureCollection", "features": [{"properties": {"code": "atlantis"}, "geometry": None}]}, "atlantis"),
        ({"type": "FeatureCollection", "features": [{"properties": {"code": "syrym"},
          "geometry": {"type": "Point", "coordinates": [1, 2]}}]}, "Polygon"),
        ({"type": "FeatureCollection", "features": [{"properties": {"code": "syrym"},
          "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}}]}, "four positions"),
        ({"type": "FeatureCollection", "features": [{"properties": {"code": "syrym"},
          "geometry": {"type": "Polygon", "coordinates": [square(200, 0, 201, 1)]}}]}, "longitude"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_whole(collection, message):
    with pytest.raises(BoundaryFileInvalid, match=message):
        boundaries_load(collection=collection)
    assert DistrictBoundary.objects.count() == 0


def test_a_bad_file_through_the_command_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("appeals_load_boundaries", str(path))


def test_the_admin_loads_a_file(client, administrator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    upload = SimpleUploadedFile("zko.geojson", json.dumps(COLLECTION).encode(), content_type="application/geo+json")
    response = client.post("/admin/appeals/districtboundary/load/", {"file": upload, "key_property": "code"})
    assert response.status_code == 302
    assert DistrictBoundary.objects.count() == 2
