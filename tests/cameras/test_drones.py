"""Drones: flights on record, the GPS track posted over real HTTP with the drone's token, where the drone
was at a moment, and its events and their alerts placed there.

Design checked here: a point timed in no flight of the drone (before take-off, after landing) is answered
as `outside` and not stored; one malformed point refuses the whole batch (400) and nothing is stored."""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cameras.models import Camera, CameraEvent, EventKind, EventOrigin, Flight, FlightPosition
from cameras.selectors import cameras_beside_alert
from cameras.services.drones import (
    FlightMovedOn,
    NotADrone,
    TrackPoint,
    TrackPointRefused,
    drone_place_at,
    drone_position_at,
    flight_end,
    flight_plan,
    flight_start,
    track_points_store,
)
from cameras.services.events import event_open
from cameras.services.registry import camera_create, camera_rotate_push_token, push_path
from opscenter.models import Alert, AuditEntry, DeviceCredential
from opscenter.services.alerts import alert_raise
from opscenter.services.credentials import credential_revoke
from tests.cameras import isapi_fixtures as fx
from tests.factories import district

pytestmark = pytest.mark.django_db

TRACK = "/api/v1/cameras/drones/track/"
BASE = (51.2000, 51.3500)  # where the drone is registered (its base)


@pytest.fixture
def drone():
    camera, secret = camera_create(
        name="Drone 1", kind="drone", district=district("uralsk"), latitude=BASE[0], longitude=BASE[1]
    )
    return camera, secret


@pytest.fixture
def took_off():
    """Ten minutes ago, to the second."""
    return timezone.now().replace(microsecond=0) - timedelta(minutes=10)


@pytest.fixture
def flying(drone, took_off):
    camera, _secret = drone
    flight = flight_plan(camera=camera, purpose="Search for a missing child", pilot_name="Serikbayev A.")
    return flight_start(flight=flight, at=took_off)


def _point(at: datetime, lat: float, lon: float, **extra) -> dict:
    return {"at": at.isoformat(), "lat": lat, "lon": lon, **extra}


def _post(token: str | None, body, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    headers["HTTP_ACCEPT_LANGUAGE"] = "en"
    raw = body if isinstance(body, bytes) else json.dumps(body)
    return Client().post(TRACK, raw, content_type="application/json", **headers, **extra)


def _track(took_off: datetime) -> list[dict]:
    return [
        _point(took_off + timedelta(seconds=60), 51.2100, 51.3600, alt=120.0, heading=45, speed=36, accuracy=3),
        _point(took_off + timedelta(seconds=61), 51.2101, 51.3601, alt=121.0),
        _point(took_off + timedelta(seconds=62), 51.2102, 51.3602),
    ]


# --- the track over HTTP ------------------------------------------------------------------------------------


def test_a_valid_batch_is_stored_and_the_drone_is_where_its_newest_point_is(drone, flying, took_off):
    camera, secret = drone
    response = _post(secret, {"points": _track(took_off)})
    assert response.status_code == 200
    assert response.json() == {"stored": 3, "duplicate": 0, "outside": 0}
    stored = list(
        FlightPosition.objects.values_list("flight_id", "at", "latitude", "longitude", "altitude_m", "speed_kmh")
    )
    assert stored == [
        (flying.pk, took_off + timedelta(seconds=60), 51.2100, 51.3600, 120.0, 36.0),
        (flying.pk, took_off + timedelta(seconds=61), 51.2101, 51.3601, 121.0, None),
        (flying.pk, took_off + timedelta(seconds=62), 51.2102, 51.3602, None, None),
    ]
    first = FlightPosition.objects.get(at=took_off + timedelta(seconds=60))
    assert (first.heading, first.accuracy_m) == (45.0, 3.0)
    camera.refresh_from_db()
    assert (camera.latitude, camera.longitude) == (51.2102, 51.3602)
    assert camera.last_contact_at is not None
    assert DeviceCredential.objects.get(pk=camera.credential_id).last_used_at is not None


def test_a_batch_sent_again_is_stored_once(drone, flying, took_off):
    _camera, secret = drone
    track = _track(took_off)
    assert _post(secret, {"points": track}).json() == {"stored": 3, "duplicate": 0, "outside": 0}
    assert _post(secret, {"points": track}).json() == {"stored": 0, "duplicate": 3, "outside": 0}
    later = _point(took_off + timedelta(seconds=63), 51.2103, 51.3603)
    assert _post(secret, {"points": [*track[1:], later, later]}).json() == {"stored": 1, "duplicate": 3, "outside": 0}
    assert FlightPosition.objects.count() == 4


def test_a_batch_is_stored_in_a_fixed_number_of_queries(drone, flying, took_off, django_assert_num_queries):
    _camera, secret = drone
    _post(secret, {"points": _track(took_off)[:1]})  # the credential's use is then recorded for a minute
    # 50 points: SQLite takes more in one INSERT than that (its limit of variables), PostgreSQL any number.
    many = [_point(took_off + timedelta(seconds=100 + n), 51.21 + n / 10000, 51.36) for n in range(50)]
    # credential, drone, (savepoint), lock, flights, stored already, insert, later flights, newest point,
    # camera, (release)
    with django_assert_num_queries(11):
        assert _post(secret, {"points": many}).json() == {"stored": 50, "duplicate": 0, "outside": 0}


def test_the_time_may_be_given_in_local_time_with_its_offset(drone, flying, took_off):
    _camera, secret = drone
    at = took_off + timedelta(seconds=90)
    local = at.astimezone(timezone.get_fixed_timezone(5 * 60)).isoformat()
    assert _post(secret, {"points": [{"at": local, "lat": 51.21, "lon": 51.36}]}).status_code == 200
    assert FlightPosition.objects.get().at == at


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"lat": 91}, "lat"),
        ({"lon": -180.5}, "lon"),
        ({"lat": "north"}, "lat"),
        ({"at": "yesterday"}, "at"),
        ({"at": "2026-03-14T09:26:41"}, "at"),  # no offset: in which zone?
        ({"speed": -3}, "speed"),
        ({"heading": 400}, "heading"),
    ],
)
def test_one_bad_point_refuses_the_whole_batch_and_stores_nothing(drone, flying, took_off, bad, field):
    camera, secret = drone
    track = _track(took_off)
    track[1] = {**track[1], **bad}
    response = _post(secret, {"points": track})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]["points"]) == ["1"] and list(body["errors"]["points"]["1"]) == [field]
    assert FlightPosition.objects.count() == 0
    camera.refresh_from_db()
    assert (camera.latitude, camera.longitude) == BASE


def test_a_point_missing_its_place_is_named(drone, flying, took_off):
    _camera, secret = drone
    response = _post(secret, {"points": [{"at": took_off.isoformat(), "lat": 51.2}]})
    assert response.status_code == 400
    assert response.json()["errors"] == {"points": {"0": {"lon": ["This field is required."]}}}


def test_a_point_ahead_of_the_servers_clock_refuses_the_batch(drone, flying, took_off, settings):
    _camera, secret = drone
    ahead = timezone.now() + timedelta(seconds=settings.DRONE_FUTURE_TOLERANCE_SECONDS + 60)
    response = _post(secret, {"points": [*_track(took_off), _point(ahead, 51.21, 51.36)]})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Point 3: its time is ahead of the server's clock.",
        "code": "track_point_refused",
    }
    assert FlightPosition.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"points": [{"at": "2026-03-14T09:26:41Z", "lat": NaN, "lon": 51}]}', b"[]", b'{"points": []}'],
)
def test_a_malformed_body_is_400_and_stores_nothing(drone, flying, body):
    _camera, secret = drone
    assert _post(secret, body).status_code == 400
    assert FlightPosition.objects.count() == 0


def test_only_json_is_read(drone, flying):
    _camera, secret = drone
    form = Client().post(TRACK, {"points": "x"}, HTTP_AUTHORIZATION=f"Bearer {secret}")  # multipart
    assert form.status_code == 415
    assert FlightPosition.objects.count() == 0


def test_more_points_than_allowed_are_refused(drone, flying, took_off, settings):
    settings.DRONE_TRACK_MAX_POINTS = 2
    _camera, secret = drone
    response = _post(secret, {"points": _track(took_off)})
    assert response.status_code == 400
    assert response.json()["errors"] == {"points": ["At most 2 points in one request."]}
    assert FlightPosition.objects.count() == 0


async def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(settings):
    from tests.opscenter.test_body_limit import call

    limit = settings.REQUEST_BODY_LIMITS["/api/v1/cameras/drones/"]
    status, _headers, _body, read = await call(TRACK, [b" " * (limit + 1)], content_length=limit + 1)
    assert (status, read) == (413, 0)


def test_the_limit_holds_the_most_points_allowed(settings, took_off):
    points = [
        _point(
            took_off + timedelta(seconds=n),
            51.123456789,
            51.123456789,
            alt=123.456,
            heading=359.9,
            speed=99.9,
            accuracy=12.5,
        )
        for n in range(settings.DRONE_TRACK_MAX_POINTS)
    ]
    assert len(json.dumps({"points": points})) < settings.REQUEST_BODY_LIMITS["/api/v1/cameras/drones/"]


def test_no_token_or_an_unknown_one_is_401_and_stores_nothing(drone, flying, took_off):
    assert _post(None, {"points": _track(took_off)}).status_code == 401
    response = _post("not-a-token", {"points": _track(took_off)})
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"
    assert FlightPosition.objects.count() == 0


def test_a_revoked_token_is_401(drone, flying, took_off):
    camera, secret = drone
    credential_revoke(credential=camera.credential)
    assert _post(secret, {"points": _track(took_off)}).status_code == 401
    assert FlightPosition.objects.count() == 0


def test_a_rotated_token_works_and_the_old_one_for_the_overlap(drone, flying, took_off, settings):
    camera, old = drone
    new = camera_rotate_push_token(camera=camera)
    assert _post(new, {"points": _track(took_off)[:1]}).json()["stored"] == 1
    assert _post(old, {"points": _track(took_off)[1:2]}).json()["stored"] == 1
    settings.DEVICE_SECRET_OVERLAP_HOURS = 0
    newer = camera_rotate_push_token(camera=camera)
    assert _post(new, {"points": _track(took_off)[2:]}).status_code == 401
    assert _post(newer, {"points": _track(took_off)[2:]}).json()["stored"] == 1


def test_the_token_of_a_camera_that_is_no_drone_is_403(flying, took_off):
    _camera, secret = camera_create(name="Gate", kind="anpr", district=district("uralsk"), push_protocol="isapi")
    response = _post(secret, {"points": _track(took_off)})
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_drone"
    assert FlightPosition.objects.count() == 0


def test_a_track_from_outside_the_drones_networks_is_403(drone, flying, took_off):
    camera, secret = drone
    camera.source_networks = "10.77.0.0/16"
    camera.save()
    assert _post(secret, {"points": _track(took_off)}, REMOTE_ADDR="192.0.2.9").status_code == 403
    assert FlightPosition.objects.count() == 0
    assert _post(secret, {"points": _track(took_off)}, REMOTE_ADDR="10.77.1.2").status_code == 200


def test_points_in_no_flight_are_answered_outside_and_not_stored(drone, took_off):
    camera, secret = drone
    flight = flight_plan(camera=camera, purpose="Patrol of the embankment", pilot_name="Nurlanov B.")
    before = _point(took_off - timedelta(seconds=5), 51.21, 51.36)
    assert _post(secret, {"points": [before]}).json() == {"stored": 0, "duplicate": 0, "outside": 1}
    flight_start(flight=flight, at=took_off)
    flight_end(flight=flight, at=took_off + timedelta(minutes=5))
    during = _point(took_off + timedelta(minutes=2), 51.22, 51.37)  # buffered, uploaded after landing
    after = _point(took_off + timedelta(minutes=6), 51.23, 51.38)
    assert _post(secret, {"points": [before, during, after]}).json() == {"stored": 1, "duplicate": 0, "outside": 2}
    assert list(FlightPosition.objects.values_list("flight_id", "latitude")) == [(flight.pk, 51.22)]
    camera.refresh_from_db()
    assert (camera.latitude, camera.longitude) == (51.22, 51.37)


def test_cameras_add_prints_the_drones_track_url_and_token_once():
    out = StringIO()
    call_command("cameras_add", "--name", "Drone 7", "--kind", "drone", "--district", "uralsk", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["track_url"] == "http://127.0.0.1:8000" + TRACK
    assert "push_url" not in printed and printed["push"] == ""
    camera = Camera.objects.get(pk=printed["id"])
    flight_start(flight=flight_plan(camera=camera, purpose="Test", pilot_name="X"), at=timezone.now())
    response = _post(printed["track_token"], {"points": [_point(timezone.now(), 51.2, 51.3)]})
    assert response.json() == {"stored": 1, "duplicate": 0, "outside": 0}


# --- the camera's place follows the track -------------------------------------------------------------------


def test_a_late_upload_of_older_points_does_not_move_the_drone_back(drone, flying, took_off):
    camera, secret = drone
    _post(secret, {"points": _track(took_off)[2:]})
    _post(secret, {"points": _track(took_off)[:2]})
    camera.refresh_from_db()
    assert (camera.latitude, camera.longitude) == (51.2102, 51.3602)


def test_an_old_flights_upload_does_not_move_a_drone_that_flew_since(drone, took_off):
    camera, secret = drone
    first = flight_start(flight=flight_plan(camera=camera, purpose="A", pilot_name="X"), at=took_off)
    flight_end(flight=first, at=took_off + timedelta(minutes=2))
    second = flight_start(
        flight=flight_plan(camera=camera, purpose="B", pilot_name="X"), at=took_off + timedelta(minutes=3)
    )
    _post(secret, {"points": [_point(took_off + timedelta(minutes=4), 51.30, 51.40)]})
    assert _post(secret, {"points": [_point(took_off + timedelta(minutes=1), 51.25, 51.45)]}).json()["stored"] == 1
    camera.refresh_from_db()
    assert (camera.latitude, camera.longitude) == (51.30, 51.40)
    assert FlightPosition.objects.get(latitude=51.25).flight == first
    assert FlightPosition.objects.get(latitude=51.30).flight == second


def test_the_cameras_beside_an_alert_follow_the_drone(operator_uralsk, drone, flying, took_off):
    camera, secret = drone
    near_track = alert_raise(
        source="test", kind="x", severity=2, title="x", district=district("uralsk"), latitude=51.2500, longitude=51.4000
    )
    assert cameras_beside_alert(user=operator_uralsk, alert=near_track) == []
    _post(secret, {"points": [_point(took_off + timedelta(seconds=30), 51.2501, 51.4000)]})
    beside = cameras_beside_alert(user=operator_uralsk, alert=near_track)
    assert [(shown.pk, round(metres)) for shown, metres, _watches in beside] == [(camera.pk, 11)]


# --- where the drone was at a moment ------------------------------------------------------------------------


def _store(camera, took_off, *points):
    track_points_store(
        camera=camera,
        points=[
            TrackPoint(at=took_off + timedelta(seconds=s), latitude=lat, longitude=lon, altitude_m=alt)
            for s, lat, lon, alt in points
        ],
    )


def test_between_two_points_within_the_tolerance_the_position_is_interpolated(drone, flying, took_off):
    camera, _secret = drone
    _store(camera, took_off, (100, 51.2000, 51.3500, 100.0), (108, 51.2040, 51.3580, 140.0))
    place = drone_position_at(camera=camera, at=took_off + timedelta(seconds=102))
    assert place is not None
    assert place.source == "interpolated" and place.at == took_off + timedelta(seconds=102)
    assert (place.latitude, place.longitude, place.altitude_m) == pytest.approx((51.2010, 51.3520, 110.0))


def test_a_point_at_the_moment_is_taken_as_it_is(drone, flying, took_off):
    camera, _secret = drone
    _store(camera, took_off, (100, 51.2000, 51.3500, None), (108, 51.2040, 51.3580, None))
    place = drone_position_at(camera=camera, at=took_off + timedelta(seconds=108))
    assert place is not None and (place.source, place.latitude, place.longitude) == ("track", 51.2040, 51.3580)


def test_with_one_point_within_the_tolerance_it_is_the_nearest(drone, flying, took_off, settings):
    settings.DRONE_POSITION_TOLERANCE_SECONDS = 10
    camera, _secret = drone
    _store(camera, took_off, (100, 51.2000, 51.3500, None), (130, 51.2100, 51.3600, None))
    before = drone_position_at(camera=camera, at=took_off + timedelta(seconds=108))
    after = drone_position_at(camera=camera, at=took_off + timedelta(seconds=121))
    assert before is not None and (before.source, before.at) == ("track", took_off + timedelta(seconds=100))
    assert after is not None and (after.latitude, after.at) == (51.2100, took_off + timedelta(seconds=130))
    assert drone_position_at(camera=camera, at=took_off + timedelta(seconds=115)) is None


def test_points_of_two_flights_are_never_interpolated_together(drone, took_off):
    camera, _secret = drone
    first = flight_start(flight=flight_plan(camera=camera, purpose="A", pilot_name="X"), at=took_off)
    flight_end(flight=first, at=took_off + timedelta(seconds=100))
    flight_start(flight=flight_plan(camera=camera, purpose="B", pilot_name="X"), at=took_off + timedelta(seconds=101))
    _store(camera, took_off, (99, 51.2000, 51.3500, None), (103, 51.3000, 51.4500, None))
    place = drone_position_at(camera=camera, at=took_off + timedelta(seconds=100))
    assert place is not None and (place.source, place.latitude) == ("track", 51.2000)


def test_without_a_point_that_close_the_place_is_the_last_known_then_the_cameras(drone, flying, took_off):
    camera, _secret = drone
    assert drone_place_at(camera=camera, at=took_off + timedelta(seconds=5)).source == "camera"
    _store(camera, took_off, (100, 51.2000, 51.3500, 90.0))
    place = drone_place_at(camera=camera, at=took_off + timedelta(seconds=400))
    assert (place.source, place.latitude, place.at) == ("last_known", 51.2000, took_off + timedelta(seconds=100))
    flight_end(flight=flying, at=took_off + timedelta(seconds=500))
    grounded = drone_place_at(camera=camera, at=took_off + timedelta(hours=2))
    assert (grounded.source, grounded.latitude, grounded.longitude, grounded.at) == ("camera", 51.2000, 51.3500, None)


# --- its events are where the drone was ---------------------------------------------------------------------


def test_a_drones_event_and_its_alert_are_where_the_drone_was(drone, flying, took_off):
    camera, _secret = drone
    camera.address = "Base: Uralsk airfield"
    camera.save()
    _store(camera, took_off, (200, 51.2300, 51.3900, 80.0), (204, 51.2340, 51.3940, 84.0))
    event = event_open(
        camera=camera,
        kind=EventKind.CROWD,
        origin=EventOrigin.WORKER,
        started_at=took_off + timedelta(seconds=201),
        score=40,
    )
    assert event is not None
    assert (event.latitude, event.longitude) == pytest.approx((51.2310, 51.3910))
    assert event.data["drone"] == {
        "position": "interpolated",
        "position_at": (took_off + timedelta(seconds=201)).isoformat(),
        "altitude_m": pytest.approx(81.0),
    }
    alert = Alert.objects.get(pk=event.alert_id)
    assert (alert.latitude, alert.longitude, alert.address) == (event.latitude, event.longitude, "")
    assert (alert.kind, alert.subject_id) == ("crowd", camera.pk)


def test_a_fixed_cameras_event_keeps_the_cameras_place(camera):
    event = event_open(camera=camera, kind=EventKind.CROWD, origin=EventOrigin.WORKER, started_at=timezone.now())
    assert event is not None
    assert (event.latitude, event.longitude) == (camera.latitude, camera.longitude) and "drone" not in event.data
    assert Alert.objects.get(pk=event.alert_id).address == camera.address


def test_a_pushed_event_of_a_drone_takes_its_place_at_the_cameras_time():
    camera, secret = camera_create(
        name="Drone ISAPI",
        kind="drone",
        district=district("uralsk"),
        latitude=BASE[0],
        longitude=BASE[1],
        push_protocol="isapi",
    )
    seen = datetime(2026, 3, 14, 18, 53, 5, tzinfo=UTC)  # the fixture's 23:53:05+05:00
    flight = flight_start(
        flight=flight_plan(camera=camera, purpose="Night watch", pilot_name="X"), at=seen - timedelta(minutes=3)
    )
    track_points_store(
        camera=camera,
        points=[
            TrackPoint(at=seen - timedelta(seconds=5), latitude=51.2400, longitude=51.4000),
            TrackPoint(at=seen + timedelta(seconds=5), latitude=51.2500, longitude=51.4100),
        ],
    )
    response = Client().post(push_path(secret), fx.FIELD_DETECTION_XML, content_type="application/xml")
    assert response.status_code == 200
    event = CameraEvent.objects.get(camera=camera)
    assert (event.started_at, event.data["drone"]["position"]) == (seen, "interpolated")
    assert (event.latitude, event.longitude) == pytest.approx((51.2450, 51.4050))
    alert = Alert.objects.get()
    assert (alert.latitude, alert.longitude) == (event.latitude, event.longitude)
    assert flight.positions.count() == 2


# --- flights ------------------------------------------------------------------------------------------------


def test_a_flight_takes_its_district_and_center_from_the_drone_and_is_audited(drone, administrator):
    camera, _secret = drone
    flight = flight_plan(
        camera=camera,
        purpose="Traffic on the Uralsk-Samara road",
        pilot=administrator,
        planned_start=timezone.now(),
        planned_end=timezone.now() + timedelta(hours=1),
        actor=administrator,
    )
    assert (flight.district.code, flight.center.code, flight.created_by) == ("uralsk", "uralsk", administrator)
    flight_start(flight=flight, actor=administrator)
    flight_end(flight=flight, actor=administrator)
    actions = list(
        AuditEntry.objects.filter(object_type="cameras.flight", object_id=str(flight.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["flight.end", "flight.plan", "flight.start"]


def test_only_a_drone_flies(camera):
    with pytest.raises(NotADrone):
        flight_plan(camera=camera, purpose="x", pilot_name="X")
    assert Flight.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pilot_name": " "}, "Name the pilot"),
        ({"pilot_name": "X", "purpose": ""}, "This field cannot be blank"),
        ({"pilot_name": "X", "planned_end": datetime(2026, 1, 1, 8, tzinfo=UTC)}, "planned end comes after"),
    ],
)
def test_a_flight_needs_a_pilot_a_purpose_and_a_period_in_order(drone, fields, message):
    camera, _secret = drone
    arguments = {"purpose": "Patrol", "planned_start": datetime(2026, 1, 1, 9, tzinfo=UTC), **fields}
    with pytest.raises(ValidationError, match=message):
        flight_plan(camera=camera, **arguments)
    assert Flight.objects.count() == 0


def test_a_drone_flies_one_flight_at_a_time(drone, flying, took_off):
    camera, _secret = drone
    other = flight_plan(camera=camera, purpose="Second", pilot_name="X")
    with pytest.raises(FlightMovedOn, match="already in flight"):
        flight_start(flight=other)
    with pytest.raises(FlightMovedOn, match="already taken off"):
        flight_start(flight=flying)
    flight_end(flight=flying, at=took_off + timedelta(minutes=5))
    with pytest.raises(FlightMovedOn, match="still in the air then"):
        flight_start(flight=other, at=took_off + timedelta(minutes=4))
    with pytest.raises(FlightMovedOn, match="already landed"):
        flight_end(flight=flying)
    with pytest.raises(FlightMovedOn, match="has not taken off"):
        flight_end(flight=other)
    flight_start(flight=other, at=took_off + timedelta(minutes=5))


def test_a_flight_cannot_land_before_it_took_off(flying, took_off):
    with pytest.raises(FlightMovedOn, match="lands after it took off"):
        flight_end(flight=flying, at=took_off - timedelta(seconds=1))


def test_the_service_refuses_a_bad_point_itself(drone, flying):
    camera, _secret = drone
    with pytest.raises(TrackPointRefused, match="Point 0: the latitude or the longitude"):
        track_points_store(camera=camera, points=[TrackPoint(at=timezone.now(), latitude=95, longitude=51)])
    assert FlightPosition.objects.count() == 0


# --- the admin ----------------------------------------------------------------------------------------------


def test_the_admin_plans_a_flight_takes_it_off_and_lands_it_all_audited(admin_client, drone, took_off):
    camera, secret = drone
    response = admin_client.post(
        "/admin/cameras/flight/add/",
        {"camera": camera.pk, "pilot_name": "Serikbayev A.", "purpose": "Flood watch", "notes": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    flight = Flight.objects.get()
    assert (flight.district.code, flight.center.code, flight.created_by is not None) == ("uralsk", "uralsk", True)
    assert AuditEntry.objects.filter(action="flight.plan", object_id=str(flight.pk)).count() == 1
    admin_client.post("/admin/cameras/flight/", {"action": "take_off_now", "_selected_action": [flight.pk]})
    flight.refresh_from_db()
    assert flight.started_at is not None and flight.ended_at is None
    _post(secret, {"points": [_point(flight.started_at, 51.21, 51.36)]})
    page = admin_client.get(f"/admin/cameras/flight/{flight.pk}/change/").content.decode()
    assert f"/admin/cameras/flightposition/?flight__id__exact={flight.pk}" in page
    positions = admin_client.get(f"/admin/cameras/flightposition/?flight__id__exact={flight.pk}")
    assert positions.status_code == 200 and positions.context["cl"].result_count == 1
    admin_client.post("/admin/cameras/flight/", {"action": "land_now", "_selected_action": [flight.pk]})
    flight.refresh_from_db()
    assert flight.ended_at is not None
    assert AuditEntry.objects.filter(action__in=["flight.start", "flight.end"], object_id=str(flight.pk)).count() == 2
    # A flight flown is the record of where the drone was: the admin does not delete it.
    assert admin_client.post(f"/admin/cameras/flight/{flight.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_admin_refuses_a_flight_without_a_pilot_or_of_a_camera_that_is_no_drone(admin_client, drone, camera):
    drone_camera, _secret = drone
    no_pilot = admin_client.post("/admin/cameras/flight/add/", {"camera": drone_camera.pk, "purpose": "x"})
    fixed = admin_client.post("/admin/cameras/flight/add/", {"camera": camera.pk, "purpose": "x", "pilot_name": "X"})
    assert no_pilot.status_code == fixed.status_code == 200  # the form again, with its errors
    assert Flight.objects.count() == 0


def test_the_admin_shows_a_drones_new_track_token_once(admin_client, drone, flying, took_off):
    camera, old = drone
    response = admin_client.post(
        "/admin/cameras/camera/", {"action": "rotate_push_token", "_selected_action": [camera.pk]}, follow=True
    )
    shown = [str(message) for message in response.context["messages"]]
    # The admin speaks Russian unless asked otherwise.
    assert len(shown) == 1 and shown[0].startswith("Токен трека дрона Drone 1, показывается один раз: ")
    new = shown[0].removeprefix("Токен трека дрона Drone 1, показывается один раз: ").split(" ")[0]
    assert new != old
    assert _post(new, {"points": _track(took_off)}).status_code == 200
