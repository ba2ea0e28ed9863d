"""Reading the protocols: Traccar's own OsmAnd examples, each timestamp form, Traccar forwarding, batches,
and malformed input named by field. Nothing here touches the database."""

import contextlib
from datetime import UTC, datetime

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from bracelets.protocols import (
    KNOTS_PER_MPS,
    ReportError,
    parse_timestamp,
    read_batch,
    read_osmand_json,
    read_osmand_query,
    read_traccar_forward,
)

# The query strings of Traccar's OsmAndProtocolDecoderTest that decode to a position.
TRACCAR_QUERY_EXAMPLES = [
    "id=902064&lat=42.06288&lon=-88.23412&timestamp=2016-01-27T18%3A55%3A47Z&hdop=6.0&altitude=224.0&speed=0.0",
    "id=902064&lat=42.06288&lon=-88.23412&timestamp=1442068686579&hdop=6.0&altitude=224.0&speed=0.0",
    "lat=49.60688&lon=6.15788&timestamp=2014-06-04+09%3A10%3A11&altitude=384.7&speed=0.0&id=353861053849681",
    "id=123456&timestamp=1377177267&lat=60.0&lon=30.0&speed=0.0&bearing=0.0&altitude=0&hdop=0.0",
    "id=123456&timestamp=1377177267&lat=60.0&lon=30.0",
    "lat=60.0&lon=30.0&speed=0.0&heading=0.0&vacc=0&hacc=0&altitude=0&deviceid=123456",
    "id=861001000719969&lat=41.666667&lon=-0.883333&altitude=350.059479&speed=0.000000&batt=87",
    "id=123456&timestamp=1377177267&location=60.0,30.0",
    "id=123456789012345&timestamp=1504763810&lat=40.7232948571&lon=-74.0061408571&bearing=7.19889788244&speed=40&ignition=true&rpm=933&fuel=24",
]

# The JSON bodies of Traccar's OsmAnd test (background-geolocation clients).
TRACCAR_JSON_EXAMPLES = [
    '{"location":{"timestamp":"2025-06-15T13:45:12.862Z","coords":{"latitude":37.4219983,"longitude":-122.084,"accuracy":5,"speed":0,"heading":-1,"altitude":5},"is_moving":false,"odometer":0,"event":"motionchange","battery":{"level":1,"is_charging":false},"activity":{"type":"still"},"extras":{},"_":"&id=48241179&lat=37.4219983&lon=-122.084&timestamp=2025-06-15T13:45:12.862Z&"},"device_id":"48241179"}',
    '{"location":{"extras":{},"mock":true,"coords":{"speed_accuracy":-1,"speed":-1,"longitude":-122.406417,"ellipsoidal_altitude":0,"floor":null,"heading_accuracy":-1,"latitude":37.785834000000001,"accuracy":5,"altitude_accuracy":-1,"altitude":0,"heading":-1},"is_moving":false,"age":188,"odometer":0,"uuid":"2FB04C65-99CF-42AB-8DD3-EBCB4B108BF8","event":"motionchange","battery":{"level":-1,"is_charging":false},"activity":{"type":"unknown","confidence":100},"timestamp":"2025-05-09T04:11:30.579Z"},"device_id":"658765"}',
    '{"location":{"event":"motionchange","is_moving":false,"uuid":"0e9a2473-a9a7-4c00-997b-fb97d2154e75","timestamp":"2021-07-21T08:06:34.444Z","odometer":0,"coords":{"latitude":-6.1148096,"longitude":106.6837015,"accuracy":3.8,"speed":18.67,"speed_accuracy":0.26,"heading":63,"heading_accuracy":0.28,"altitude":35.7,"altitude_accuracy":3.8},"activity":{"type":"still","confidence":100},"battery":{"is_charging":false,"level":0.79},"extras":{}},"device_id":"8737767034"}',
]


def query(text: str) -> QueryDict:
    return QueryDict(text)


@pytest.mark.parametrize("text", TRACCAR_QUERY_EXAMPLES)
def test_traccars_own_osmand_query_examples_decode_to_a_position(text):
    report = read_osmand_query(query(text))
    assert report.has_fix
    assert report.device_id in {"902064", "353861053849681", "123456", "861001000719969", "123456789012345"}


def test_traccars_query_example_without_coordinates_is_a_sign_of_life():
    text = "id=123456&timestamp=1377177267&cell=257,02,16,2224&cell=257,02,16,2223,-90&wifi=00-14-22-01-23-45,-80"
    report = read_osmand_query(query(text))
    assert (report.device_id, report.has_fix) == ("123456", False)
    assert report.fix_time == datetime(2013, 8, 22, 13, 14, 27, tzinfo=UTC)


def test_every_osmand_field_is_read():
    report = read_osmand_query(query(
        "id=861234567890123&timestamp=1767340800&lat=51.23&lon=51.37&speed=10&bearing=90.5&altitude=35"
        "&accuracy=12.5&batt=18&valid=false&alarm=tampering,removing&strap=open&ignition=true&rpm=933&note=x"
    ))  # fmt: skip
    assert (report.device_id, report.latitude, report.longitude) == ("861234567890123", 51.23, 51.37)
    assert report.fix_time == datetime(2026, 1, 2, 8, 0, tzinfo=UTC)
    assert (report.speed_knots, report.course, report.altitude, report.accuracy, report.battery) == (
        10,
        90.5,
        35,
        12.5,
        18,
    )
    assert report.is_valid is False
    assert report.alarms == ("tampering", "removing")
    assert report.strap == "open"
    assert report.attributes == {"ignition": True, "rpm": 933.0, "note": "x"}


@pytest.mark.parametrize(("value", "expected"), [
    ("1377177267", datetime(2013, 8, 22, 13, 14, 27, tzinfo=UTC)),            # unix seconds
    ("1442068686579", datetime(2015, 9, 12, 14, 38, 6, 579000, tzinfo=UTC)),  # unix milliseconds
    ("2016-01-27T18:55:47Z", datetime(2016, 1, 27, 18, 55, 47, tzinfo=UTC)),  # ISO 8601, Z
    ("2026-03-02T12:00:00+05:00", datetime(2026, 3, 2, 7, 0, tzinfo=UTC)),    # ISO 8601, Uralsk's offset
    ("2025-06-15T13:45:12.862Z", datetime(2025, 6, 15, 13, 45, 12, 862000, tzinfo=UTC)),
    ("2014-06-04 09:10:11", datetime(2014, 6, 4, 9, 10, 11, tzinfo=UTC)),     # Traccar's plain form, as UTC
    ("2016-01-27T18:55:47", datetime(2016, 1, 27, 18, 55, 47, tzinfo=UTC)),   # no offset: UTC
])  # fmt: skip
def test_timestamps_in_every_format(value, expected):
    assert parse_timestamp("timestamp", value) == expected


@pytest.mark.parametrize("value", ["", "yesterday", "2016-13-45T00:00:00Z", "-5", "nan", "99999999999999999999"])
def test_bad_timestamps_are_named(value):
    with pytest.raises(ReportError) as error:
        parse_timestamp("timestamp", value)
    assert error.value.field == "timestamp"


@pytest.mark.parametrize(("text", "field"), [
    ("id=1&lat=north&lon=51.3", "lat"),
    ("id=1&lat=91&lon=51.3", "lat"),
    ("id=1&lat=51.2&lon=181", "lon"),
    ("id=1&lat=51.2", "lon"),
    ("id=1&lon=51.2", "lat"),
    ("id=1&lat=51.2&lon=51.3&batt=140", "batt"),
    ("id=1&lat=51.2&lon=51.3&speed=fast", "speed"),
    ("id=1&lat=51.2&lon=51.3&accuracy=inf", "accuracy"),
    ("id=1&location=51.2", "location"),
    ("id=1&lat=51.2&lon=51.3&timestamp=soon", "timestamp"),
    ("id=1&lat=51.2&lon=51.3&strap=loose", "strap"),
    ("key=abc", "id"),
])  # fmt: skip
def test_malformed_query_names_the_field(text, field):
    with pytest.raises(ReportError) as error:
        read_osmand_query(query(text))
    assert error.value.field == field


def test_the_form_body_is_read_when_the_query_holds_only_the_key():
    report = read_osmand_query(query("key=secret"), query("id=7&lat=51.2&lon=51.3&timestamp=1767340800"))
    assert (report.device_id, report.latitude) == ("7", 51.2)


@pytest.mark.parametrize("body", TRACCAR_JSON_EXAMPLES)
def test_traccars_own_json_examples(body):
    import json

    [report] = read_osmand_json(json.loads(body))
    assert report.has_fix and report.device_id and report.fix_time.tzinfo is not None


def test_json_form_converts_speed_from_metres_per_second_and_battery_from_a_fraction():
    import json

    [report] = read_osmand_json(json.loads(TRACCAR_JSON_EXAMPLES[2]))
    assert report.speed_knots == pytest.approx(18.67 * KNOTS_PER_MPS)
    assert (report.course, report.accuracy, report.battery) == (63, 3.8, 79.0)
    [unknown] = read_osmand_json(json.loads(TRACCAR_JSON_EXAMPLES[1]))
    assert (unknown.speed_knots, unknown.course, unknown.battery) == (None, None, None)


def test_json_form_carries_an_alarm_in_extras_and_a_flat_json_object_is_read_like_a_query():
    [report] = read_osmand_json({"device_id": "7", "location": {"timestamp": "2026-01-02T08:00:00Z",
                                 "coords": {"latitude": 51.2, "longitude": 51.3}, "extras": {"alarm": "removing"}}})  # fmt: skip
    assert report.alarms == ("removing",)
    [flat] = read_osmand_json({"id": "7", "lat": 51.2, "lon": 51.3, "timestamp": 1767340800, "batt": 50})
    assert (flat.latitude, flat.battery, flat.fix_time) == (51.2, 50, datetime(2026, 1, 2, 8, 0, tzinfo=UTC))


@pytest.mark.parametrize(("body", "field"), [
    ({"location": {"coords": {"latitude": 1, "longitude": 2}}, "device_id": "7"}, "location.timestamp"),
    ({"location": {"timestamp": "2026-01-02T08:00:00Z", "coords": {"latitude": 1}}}, "location.coords.longitude"),
    ({"location": {"timestamp": "2026-01-02T08:00:00Z", "coords": {"latitude": "x", "longitude": 2}}}, "location.coords.latitude"),
    ({"location": {"timestamp": "2026-01-02T08:00:00Z", "battery": {"level": 5}}}, "location.battery.level"),
    ({"location": [], "device_id": "7"}, "location"),
    ([1, 2], "body"),
])  # fmt: skip
def test_malformed_json_names_the_field(body, field):
    with pytest.raises(ReportError) as error:
        read_osmand_json(body)
    assert error.value.field == field


TRACCAR_FORWARD = {
    "position": {
        "id": 1001, "attributes": {"batteryLevel": 15, "alarm": "tampering", "motion": False, "distance": 0.0},
        "deviceId": 3, "protocol": "osmand", "serverTime": "2026-01-02T08:00:01.000+00:00",
        "deviceTime": "2026-01-02T08:00:00.000+00:00", "fixTime": "2026-01-02T08:00:00.000+00:00",
        "outdated": False, "valid": True, "latitude": 51.23, "longitude": 51.37, "altitude": 30.0, "speed": 1.5,
        "course": 270.0, "address": None, "accuracy": 9.0, "network": None, "geofenceIds": None,
    },
    "device": {"id": 3, "attributes": {}, "groupId": 0, "name": "Bracelet", "uniqueId": "861234567890123",
               "status": "online", "lastUpdate": "2026-01-02T08:00:01.000+00:00", "positionId": 1001,
               "phone": None, "model": None, "contact": None, "category": None, "disabled": False},
}  # fmt: skip


def test_traccar_forwarding_is_read():
    report = read_traccar_forward(TRACCAR_FORWARD)
    assert report.device_id == "861234567890123"
    assert report.fix_time == datetime(2026, 1, 2, 8, 0, tzinfo=UTC)
    assert (report.latitude, report.longitude, report.speed_knots, report.course, report.accuracy) == (
        51.23,
        51.37,
        1.5,
        270.0,
        9.0,
    )
    assert (report.battery, report.alarms, report.is_valid) == (15, ("tampering",), True)
    assert report.attributes["protocol"] == "osmand"


def test_traccar_forwarding_without_a_position_or_with_a_bad_fix_time_is_named():
    with pytest.raises(ReportError, match="position"):
        read_traccar_forward({"device": {}})
    with pytest.raises(ReportError) as error:
        read_traccar_forward({"position": {**TRACCAR_FORWARD["position"], "fixTime": "later"}})
    assert error.value.field == "position.fixTime"


def test_a_batch_names_the_item_and_field():
    with pytest.raises(ReportError) as error:
        read_batch({"positions": [{"lat": 51.2, "lon": 51.3}, {"lat": 51.2, "lon": 999}]}, limit=10)
    assert error.value.field == "positions.1.lon"
    with pytest.raises(ReportError, match="At most 2"):
        read_batch([{"lat": 1, "lon": 1}] * 3, limit=2)
    assert len(read_batch([{"lat": 1, "lon": 1, "timestamp": 1767340800 + n} for n in range(3)], limit=3)) == 3


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
osmand_names = st.sampled_from(["id", "lat", "lon", "timestamp", "speed", "batt", "valid", "alarm", "location",
                                "accuracy", "bearing", "altitude", "strap", "x"])  # fmt: skip


@given(st.dictionaries(osmand_names, st.text(max_size=30), max_size=8))
def test_random_queries_never_crash(parameters):
    with contextlib.suppress(ReportError):
        read_osmand_query(parameters)


@given(json_values)
def test_random_json_never_crashes(body):
    for reader in (read_osmand_json, read_traccar_forward, lambda b: read_batch(b, limit=50)):
        with contextlib.suppress(ReportError):
            reader(body)


@given(st.dictionaries(st.sampled_from(["timestamp", "coords", "battery", "extras", "alarm", "activity"]),
                       json_values, max_size=6))  # fmt: skip
def test_random_locations_never_crash(location):
    with contextlib.suppress(ReportError):
        read_osmand_json({"location": location, "device_id": "1"})
