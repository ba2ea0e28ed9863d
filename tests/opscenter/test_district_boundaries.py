"""District boundaries in the spine: checked GeoJSON, a bounding box derived on every write, loaded from a
FeatureCollection (service, command, admin) all or nothing, and the seeded schematic ones sound."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from opscenter import geo
from opscenter.models import AuditEntry, District
from opscenter.selectors import district_at
from opscenter.services.geography import BoundaryInvalid, district_boundaries_load, district_boundary_set

pytestmark = pytest.mark.django_db


def square(west: float, south: float, east: float, north: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


COLLECTION = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"code": "terekti"},
            "geometry": {"type": "Polygon", "coordinates": [square(50.0, 51.0, 52.5, 51.6)]},
        },
        {
            "type": "Feature",
            "properties": {"code": "Бурлинский район"},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[square(52.5, 50.9, 53.5, 51.5)], [square(40.0, 40.0, 40.5, 40.5)]],
            },
        },
    ],
}


def polygon(ring: list) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.mark.parametrize(
    "geometry, message",
    [
        ([1, 2], "JSON object"),
        ({"type": "Point", "coordinates": [51.0, 51.0]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": []}, "at least one ring"),
        (polygon([[0, 0], [1, 1], [0, 0]]), "four positions"),
        (polygon([[0, 0], [1, 0], [1, 1], [0, 1]]), "end where it starts"),
        (polygon(square(200, 0, 201, 1)), "longitude"),
        (polygon([[0, 0], [1, 0], ["1", 1], [0, 0]]), "longitude"),
    ],
)
def test_a_boundary_that_is_not_a_closed_polygon_is_refused(geometry, message):
    with pytest.raises(geo.GeometryError, match=message):
        geo.boundary_validate(geometry)
    district = District.objects.get(code="syrym")
    with pytest.raises(BoundaryInvalid, match=message):
        district_boundary_set(district=district, geometry=geometry)
    district.boundary = geometry
    with pytest.raises(ValidationError, match=message):
        district.full_clean()


def test_setting_a_boundary_derives_its_box_and_is_audited(administrator):
    district = District.objects.get(code="syrym")
    district_boundary_set(district=district, geometry=polygon(square(52.0, 50.0, 53.0, 50.5)), actor=administrator)
    district.refresh_from_db()
    assert (
        district.boundary_min_longitude,
        district.boundary_min_latitude,
        district.boundary_max_longitude,
        district.boundary_max_latitude,
    ) == (52.0, 50.0, 53.0, 50.5)
    assert district_at(latitude=50.25, longitude=52.5) == district
    assert district_at(latitude=50.7, longitude=52.5) is None
    entry = AuditEntry.objects.get(action="opscenter.district.boundary")
    assert entry.actor == administrator


def test_clearing_a_boundary_takes_the_district_off_routing():
    district = District.objects.get(code="syrym")
    district_boundary_set(district=district, geometry=None)
    district.refresh_from_db()
    assert district.boundary is None and district.boundary_min_latitude is None
    assert district_at(latitude=district.seat_latitude, longitude=district.seat_longitude) != district


def test_the_seeded_boundaries_hold_their_seats_and_do_not_overlap():
    districts = list(District.objects.all())
    assert len(districts) == 13 and all(d.boundary for d in districts)
    for district in districts:
        geo.boundary_validate(district.boundary)
        assert geo.contains(district.boundary, latitude=district.seat_latitude, longitude=district.seat_longitude)
        others = [
            other.code
            for other in districts
            if other != district
            and geo.contains(other.boundary, latitude=district.seat_latitude, longitude=district.seat_longitude)
        ]
        assert others == [], district.code


def test_loading_a_collection_replaces_the_named_boundaries():
    loaded = district_boundaries_load(collection=COLLECTION, source="zko.geojson")
    assert [d.code for d in loaded] == ["terekti", "burlin"]
    terekti = District.objects.get(code="terekti")
    assert (terekti.boundary_min_longitude, terekti.boundary_max_latitude, terekti.boundary_source) == (
        50.0,
        51.6,
        "zko.geojson",
    )
    assert district_at(latitude=40.2, longitude=40.2).code == "burlin"  # the second part counts too


@pytest.mark.parametrize(
    "collection, message",
    [
        ({"type": "Feature"}, "FeatureCollection"),
        ({"type": "FeatureCollection", "features": []}, "no features"),
        (
            {"type": "FeatureCollection", "features": [{"properties": {"code": "atlantis"}, "geometry": None}]},
            "atlantis",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {"properties": {"code": "terekti"}, "geometry": polygon(square(50.0, 51.0, 52.5, 51.6))},
                    {"properties": {"code": "syrym"}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
                ],
            },
            "Feature 1",
        ),
    ],
)
def test_a_bad_file_is_refused_whole(collection, message):
    before = {d.code: d.boundary for d in District.objects.all()}
    with pytest.raises(BoundaryInvalid, match=message):
        district_boundaries_load(collection=collection)
    assert {d.code: d.boundary for d in District.objects.all()} == before


def test_the_load_command_replaces_boundaries(tmp_path, capsys):
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps(COLLECTION), encoding="utf-8")
    call_command("load_district_boundaries", str(path))
    call_command("load_district_boundaries", str(path))
    assert "2 district boundaries loaded: terekti, burlin" in capsys.readouterr().out
    assert District.objects.filter(boundary_source="districts.geojson").count() == 2


def test_a_bad_file_through_the_command_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_district_boundaries", str(path))


def test_the_admin_loads_a_file(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    upload = SimpleUploadedFile("zko.geojson", json.dumps(COLLECTION).encode(), content_type="application/geo+json")
    response = client.post("/admin/opscenter/district/load/", {"file": upload, "key_property": "code"})
    assert response.status_code == 302
    assert District.objects.filter(boundary_source="zko.geojson").count() == 2


def test_the_admin_edits_a_boundary_through_the_service(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    district = District.objects.get(code="syrym")
    page = client.get(f"/admin/opscenter/district/{district.pk}/change/")
    assert page.status_code == 200
    form = {
        "code": district.code,
        "name_ru": district.name_ru,
        "name_kk": district.name_kk,
        "seat_latitude": district.seat_latitude,
        "seat_longitude": district.seat_longitude,
        "center": district.center_id,
        "boundary_source": "",
    }
    refused = client.post(
        f"/admin/opscenter/district/{district.pk}/change/",
        {**form, "boundary": json.dumps(polygon([[0, 0], [1, 0], [1, 1], [0, 1]]))},
    )
    assert refused.status_code == 200 and "end where it starts" in refused.content.decode()
    saved = client.post(
        f"/admin/opscenter/district/{district.pk}/change/",
        {**form, "boundary": json.dumps(polygon(square(52.0, 50.0, 53.0, 50.5)))},
    )
    assert saved.status_code == 302
    district.refresh_from_db()
    assert (district.boundary_max_latitude, district.boundary_source) == (50.5, "admin")
