"""Intake over HTTP: each OsmAnd form (GET query, POST form, POST JSON in both shapes, Traccar's own
examples), Traccar forwarding with a bracelet's or a gateway's secret, the batch endpoint, token failures
(401, nothing stored) and malformed fields (400 naming the field)."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bracelets.models import Bracelet, Position
from bracelets.services.registry import bracelet_add, gateway_add
from opscenter import osmand as protocols  # the parser the intake calls (shared with patrol units)
from opscenter.models import Alert, DeviceCredential
from tests.bracelets.conftest import HOME, UNIQUE_ID, offset
from tests.bracelets.test_protocols import TRACCAR_FORWARD, TRACCAR_JSON_EXAMPLES, TRACCAR_QUERY_EXAMPLES

pytestmark = pytest.mark.django_db

OSMAND = "/api/v1/tracking/osmand"
TRACCAR = "/api/v1/tracking/traccar"
BATCH = "/api/v1/tracking/batch"


@pytest.fixture
def client():
    return APIClient()


def now_s() -> int:
    return int(time.time())


def test_get_with_the_key_in_the_url(client, device, person):
    _bracelet, token = device
    response = client.get(OSMAND, {"key": token, "id": UNIQUE_ID, "timestamp": now_s(), "lat": HOME[0],
                                   "lon": HOME[1], "speed": 1.0, "batt": 88, "accuracy": 5})  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "stored"
    position = Position.objects.get()
    assert (position.latitude, position.battery, position.speed_knots, position.source) == (HOME[0], 88, 1.0, "osmand")
    assert "key" not in position.attributes


def test_post_form_with_a_bearer_token_and_trailing_slash(client, device, person):
    _bracelet, token = device
    body = f"id={UNIQUE_ID}&timestamp={now_s()}&lat=51.2301&lon=51.3702&bearing=90"
    response = client.post(OSMAND + "/", body, content_type="application/x-www-form-urlencoded",
                           HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    assert response.status_code == 200, response.content
    assert Position.objects.get().course == 90


def test_post_with_the_parameters_in_the_query_and_an_empty_body(client, device, person):
    _bracelet, token = device
    response = client.post(f"{OSMAND}?id={UNIQUE_ID}&lat=51.23&lon=51.37&timestamp={now_s()}&key={token}")
    assert response.status_code == 200, response.content


def test_post_json_of_background_geolocation_clients(client, device, person):
    _bracelet, token = device
    body = json.loads(TRACCAR_JSON_EXAMPLES[2])
    body["device_id"] = UNIQUE_ID
    body["location"]["timestamp"] = timezone.now().isoformat()
    body["location"]["coords"].update(latitude=HOME[0], longitude=HOME[1])
    response = client.post(OSMAND, body, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert Position.objects.get().battery == 79.0


def test_post_flat_json(client, device, person):
    _bracelet, token = device
    response = client.post(f"{OSMAND}?key={token}", {"id": UNIQUE_ID, "lat": HOME[0], "lon": HOME[1],
                                                     "timestamp": now_s() * 1000}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert Position.objects.count() == 1


@pytest.mark.parametrize("example", TRACCAR_QUERY_EXAMPLES)
def test_traccars_own_examples_are_accepted_from_their_device(client, example):
    from django.http import QueryDict

    device_id = QueryDict(example).get("id") or QueryDict(example).get("deviceid")
    _bracelet, token = bracelet_add(unique_id=device_id)
    response = client.get(f"{OSMAND}?{example}&key={token}")
    assert response.status_code == 200, response.content
    assert Position.objects.count() == 1


@pytest.mark.parametrize("body", TRACCAR_JSON_EXAMPLES)
def test_traccars_own_json_examples_are_accepted_from_their_device(client, body):
    device_id = json.loads(body)["device_id"]
    _bracelet, token = bracelet_add(unique_id=device_id)
    response = client.post(OSMAND, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("how", ["no token", "bad token", "bad bearer", "other device's id", "retired", "wrong kind"])
def test_unknown_device_or_bad_token_is_401_and_stores_nothing(client, device, person, how):
    _bracelet, token = device
    _other, other_token = bracelet_add(unique_id="999")
    query = {"id": UNIQUE_ID, "lat": HOME[0], "lon": HOME[1], "timestamp": now_s()}
    headers = {}
    if how == "bad token":
        query["key"] = "not-a-token"
    elif how == "bad bearer":
        headers["HTTP_AUTHORIZATION"] = "Bearer not-a-token"
    elif how == "other device's id":
        query["key"] = other_token
    elif how == "retired":
        Bracelet.objects.filter(unique_id=UNIQUE_ID).update(state="retired")
        query["key"] = token
    elif how == "wrong kind":
        _gateway, gateway_token = gateway_add(name="traccar-1")
        query["key"] = gateway_token
    response = client.get(OSMAND, query, **headers)
    assert response.status_code == 401, response.content
    assert Position.objects.count() == 0
    assert Bracelet.objects.get(unique_id=UNIQUE_ID).last_contact_at is None
    assert list(DeviceCredential.objects.exclude(last_used_at=None)) == []


def test_a_position_stored_records_the_use_of_the_credential(client, device, person):
    bracelet, token = device
    response = client.get(OSMAND, {"key": token, "id": UNIQUE_ID, "lat": HOME[0], "lon": HOME[1]})
    assert response.status_code == 200, response.content
    assert DeviceCredential.objects.get(pk=bracelet.credential_id).last_used_at is not None


def test_a_malformed_report_does_not_record_the_use_of_the_credential(client, device, person):
    bracelet, token = device
    response = client.get(OSMAND, {"key": token, "id": UNIQUE_ID, "lat": "north", "lon": HOME[1]})
    assert response.status_code == 400
    assert DeviceCredential.objects.get(pk=bracelet.credential_id).last_used_at is None


@pytest.mark.parametrize(("query", "field"), [
    ({"lat": "north", "lon": 51.37}, "lat"),
    ({"lat": 51.2, "lon": 200}, "lon"),
    ({"lat": 51.2}, "lon"),
    ({"lat": 51.2, "lon": 51.3, "timestamp": "tomorrow"}, "timestamp"),
    ({"lat": 51.2, "lon": 51.3, "batt": "full"}, "batt"),
    ({"lat": 51.2, "lon": 51.3, "timestamp": 4_102_444_800}, "timestamp"),  # 2100: ahead of the server's clock
])  # fmt: skip
def test_malformed_input_is_400_naming_the_field(client, device, person, query, field):
    _bracelet, token = device
    response = client.get(OSMAND, {"key": token, "id": UNIQUE_ID, **query})
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Position.objects.count() == 0


def test_malformed_json_body_is_400(client, device):
    _bracelet, token = device
    response = client.post(OSMAND, "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_a_repeated_request_is_stored_once(client, device, person):
    _bracelet, token = device
    query = {"key": token, "id": UNIQUE_ID, "lat": HOME[0], "lon": HOME[1], "timestamp": now_s()}
    assert client.get(OSMAND, query).json()["outcome"] == "stored"
    assert client.get(OSMAND, query).json() == {"outcome": "duplicate", "position_id": None}
    assert Position.objects.count() == 1


def test_a_tamper_alarm_over_osmand_reaches_the_center_of_the_persons_district(client, device, person):
    _bracelet, token = device
    client.get(OSMAND, {"key": token, "id": UNIQUE_ID, "lat": HOME[0], "lon": HOME[1], "alarm": "tampering"})
    alert = Alert.objects.get()
    assert (alert.severity, alert.kind, alert.center.code, alert.district.code) == (
        1,
        "bracelet_tamper",
        "uralsk",
        "uralsk",
    )


# --- Traccar forwarding --------------------------------------------------------------------------


def forwarded(**position) -> dict:
    body = json.loads(json.dumps(TRACCAR_FORWARD))
    body["position"].update(
        {"fixTime": timezone.now().isoformat(), "latitude": HOME[0], "longitude": HOME[1], **position}
    )
    return body


def test_traccar_forwarding_with_the_bracelets_own_token(client, device, person):
    _bracelet, token = device
    response = client.post(TRACCAR, forwarded(), format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    position = Position.objects.get()
    assert (position.source, position.battery, position.alarm) == ("traccar", 15, "tampering")
    assert Alert.objects.filter(kind="bracelet_tamper", severity=1).count() == 1
    assert Alert.objects.filter(kind="bracelet_low_battery", severity=3).count() == 1


def test_traccar_forwarding_through_a_gateway_for_any_registered_bracelet(client, device, person):
    _gateway, token = gateway_add(name="traccar-main")
    response = client.post(TRACCAR, forwarded(), format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    body = forwarded()
    body["device"]["uniqueId"] = "000000000000000"
    response = client.post(TRACCAR, body, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    del body["device"]
    response = client.post(TRACCAR, body, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert "device.uniqueId" in response.json()["errors"]
    assert Position.objects.count() == 1


def test_traccar_forwarding_malformed_is_named(client, device):
    _bracelet, token = device
    response = client.post(TRACCAR, forwarded(latitude="x"), format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert "position.latitude" in response.json()["errors"]


# --- batch ---------------------------------------------------------------------------------------


def test_a_batch_is_stored_in_time_order_and_judged_as_it_happened(client, device, person, settings):
    settings.BRACELET_BREACH_GRACE_SECONDS = 60
    _bracelet, token = device
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    fixes = [(start + timedelta(minutes=minute), north) for minute, north in
             [(4, 0), (0, 0), (1, 400), (2, 420), (3, 10), (5, 0)]]  # fmt: skip
    positions = []
    for at, north in fixes:
        latitude, longitude = offset(HOME, north)
        positions.append({"timestamp": at.isoformat(), "lat": latitude, "lon": longitude, "accuracy": 6})
    positions.append(dict(positions[0]))  # a duplicate inside the batch
    response = client.post(BATCH, {"positions": positions}, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response.json() == {"stored": 6, "late": 0, "duplicate": 1, "contact": 0}
    assert Bracelet.objects.get().last_fix_at == start + timedelta(minutes=5)
    # out from minute 1, still out at minute 2: past the 60 s grace, so an alarm, cleared by the return at minute 3
    alert = Alert.objects.get()
    assert (alert.kind, alert.status) == ("bracelet_inclusion", "resolved")
    # sent again, it is all duplicates
    response = client.post(BATCH, positions, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.json() == {"stored": 0, "late": 0, "duplicate": 7, "contact": 0}


def test_a_malformed_batch_names_the_item_and_stores_nothing(client, device, person):
    _bracelet, token = device
    positions = [{"lat": 51.2, "lon": 51.3}, {"lat": 51.2, "lon": 51.3, "timestamp": "x"}]
    response = client.post(BATCH, {"positions": positions}, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert "positions.1.timestamp" in response.json()["errors"]
    assert Position.objects.count() == 0


def test_a_body_over_djangos_own_cap_is_a_json_413_not_an_html_400(client, device, person, settings):
    _bracelet, token = device
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"positions": [{"id": UNIQUE_ID, "lat": HOME[0], "lon": HOME[1]}] * 50})

    response = client.post(BATCH, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large.", "code": "request_too_large"}
    assert Position.objects.count() == 0


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("path", [OSMAND, TRACCAR, BATCH])
def test_deeply_nested_json_is_a_400_not_a_500(client, device, person, path):
    _bracelet, token = device
    response = client.post(path, DEEP, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"body": ["JSON nested deeper than 32 levels."]}
    assert Position.objects.count() == 0


@pytest.mark.parametrize("shape", ["positions", "location"])
def test_a_batch_over_the_limit_is_refused_before_a_position_is_read(client, device, person, settings, shape,
                                                                     monkeypatch):  # fmt: skip
    _bracelet, token = device
    settings.BRACELET_BATCH_MAX_POSITIONS = 3
    read = []
    for name in ("read_osmand_parameters", "read_geolocation_location"):
        original = getattr(protocols, name)
        monkeypatch.setattr(protocols, name, lambda *a, _original=original, **k: read.append(1) or _original(*a, **k))
    item = {"lat": HOME[0], "lon": HOME[1]}
    body = {"positions": [item] * 4} if shape == "positions" else {"device_id": UNIQUE_ID, "location": [item] * 4}

    response = client.post(BATCH, body, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 400
    assert response.json()["errors"] == {shape: ["At most 3 positions in one batch."]}
    assert read == []
    assert Position.objects.count() == 0


# --- query counts --------------------------------------------------------------------------------
# A bracelet reporting as usual (at home, in its zone) costs the same few queries, whatever the protocol and
# however many positions a batch holds: the credential; the bracelet's row locked (with its person, district
# and center); one INSERT of the positions; one UPDATE of the bracelet; the savepoint around them.
REPORT_QUERIES = 6


def usual_report(client, token, *, at: int, how: str):
    if how == "osmand query":
        return client.get(
            OSMAND,
            {"key": token, "id": UNIQUE_ID, "timestamp": at, "lat": HOME[0], "lon": HOME[1], "batt": 88, "accuracy": 5},
        )
    if how == "osmand json":
        body = {"id": UNIQUE_ID, "lat": HOME[0], "lon": HOME[1], "timestamp": at, "batt": 88, "accuracy": 5}
        return client.post(OSMAND, body, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    body = forwarded(fixTime=datetime.fromtimestamp(at, UTC).isoformat(), attributes={"batteryLevel": 88})
    return client.post(TRACCAR, body, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize("how", ["osmand query", "osmand json", "traccar"])
def test_a_usual_report_costs_a_fixed_number_of_queries(client, device, person, how, django_assert_num_queries):
    _bracelet, token = device
    start = now_s() - 600
    assert usual_report(client, token, at=start, how=how).json()["outcome"] == "stored"  # the rules are compiled
    with django_assert_num_queries(REPORT_QUERIES):
        response = usual_report(client, token, at=start + 10, how=how)
    assert response.json()["outcome"] == "stored"
    assert Alert.objects.count() == 0


@pytest.mark.parametrize("size", [1, 10, 50])
def test_a_batch_costs_as_many_queries_as_a_single_report(client, device, person, size, django_assert_num_queries):
    _bracelet, token = device
    start = now_s() - 600
    assert usual_report(client, token, at=start, how="osmand query").json()["outcome"] == "stored"
    positions = [
        {"timestamp": start + 10 + second, "lat": HOME[0], "lon": HOME[1], "accuracy": 6} for second in range(size)
    ]
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.post(BATCH, {"positions": positions}, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.json() == {"stored": size, "late": 0, "duplicate": 0, "contact": 0}
    assert Position.objects.count() == size + 1


# A report that raises an alarm (strap tampered with) adds the violation looked up and written, the alert
# raised (alert_raise's own six), the violation linked to it and the person's open violations: 16 in all.
ALARM_REPORT_QUERIES = 16


def test_a_report_that_raises_an_alarm_costs_a_fixed_number_of_queries(
    client, device, person, django_assert_num_queries
):
    _bracelet, token = device
    start = now_s() - 600
    assert usual_report(client, token, at=start, how="osmand query").json()["outcome"] == "stored"
    with django_assert_num_queries(ALARM_REPORT_QUERIES):
        response = client.get(
            OSMAND,
            {
                "key": token,
                "id": UNIQUE_ID,
                "timestamp": start + 10,
                "lat": HOME[0],
                "lon": HOME[1],
                "batt": 88,
                "accuracy": 5,
                "alarm": "tampering",
            },
        )
    assert response.json()["outcome"] == "stored"
    assert Alert.objects.get().kind == "bracelet_tamper"
