"""The dashboard map's layers: registered by their owners (the spine its districts, alarms its protected
objects), offered on the page, and their features served scoped to the caller."""

import pytest
from rest_framework.test import APIClient

from alarms.models import ObjectContact, ProtectedObject
from opscenter.maplayers import MapLayer, map_layers_for, register_map_layer
from opscenter.permissions import Capability
from tests.factories import district

pytestmark = pytest.mark.django_db


def features(user, key: str):
    client = APIClient()
    client.force_login(user)
    return client.get(f"/api/v1/map/layers/{key}/")


def test_the_districts_layer_holds_the_boundaries_of_the_scope(operator_syrym):
    response = features(operator_syrym, "districts")
    assert response.status_code == 200
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert sorted(f["properties"]["code"] for f in collection["features"]) == ["karatobe", "syrym", "zhangala"]
    assert {f["geometry"]["type"] for f in collection["features"]} == {"Polygon"}


def test_protected_objects_come_from_alarms_scoped_and_without_contacts(operator_syrym, operator_uralsk):
    school = ProtectedObject.objects.create(
        kind="school", name="Школа № 3", latitude=50.25, longitude=52.6, district=district("syrym")
    )
    ObjectContact.objects.create(protected_object=school, name="Директор", phone="+77010000000")
    ProtectedObject.objects.create(kind="school", name="Unplaced", district=district("syrym"))
    collection = features(operator_syrym, "protected_objects").json()
    assert collection["features"] == [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [52.6, 50.25]},
            "properties": {"name": "Школа № 3", "label": "Школа", "address": ""},  # in Russian, the default
        }
    ]
    assert features(operator_uralsk, "protected_objects").json()["features"] == []


def test_an_unknown_layer_is_404_and_anonymous_gets_nothing(operator_syrym):
    assert features(operator_syrym, "atlantis").status_code == 404
    assert APIClient().get("/api/v1/map/layers/districts/").status_code in (401, 403)


def test_a_layer_needing_a_capability_is_offered_only_to_its_holders(operator_syrym, officer_terekti):
    register_map_layer(
        MapLayer(key="covert_test", label="Covert", features=lambda user: [], capability=Capability.COVERT_VIEW)
    )
    try:
        assert "covert_test" not in [layer.key for layer in map_layers_for(user=officer_terekti)]
        assert features(officer_terekti, "covert_test").status_code == 404
    finally:
        from opscenter import maplayers

        maplayers._layers.pop("covert_test")


def test_the_dashboard_offers_the_layers_in_order(client, operator_syrym):
    client.force_login(operator_syrym)
    page = client.get("/")
    layers = page.context["map_config"]["layers"]
    assert [(layer["key"], layer["kind"], layer["url"]) for layer in layers] == [
        ("districts", "shapes", "/api/v1/map/layers/districts/"),
        ("protected_objects", "points", "/api/v1/map/layers/protected_objects/"),
        ("cameras", "points", "/api/v1/map/layers/cameras/"),
    ]
