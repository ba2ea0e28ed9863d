"""Drones: flights on record, their tracks, where the drone was at a moment, and its events and their
alerts placed there."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from cameras.models import CameraEvent, EventKind, EventOrigin, Flight, FlightPosition
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
from cameras.services.registry import camera_create, push_path
from opscenter.models import Alert, AuditEntry
from tests.cameras import isapi_fixtures as fx
from tests.factories import district

pytestmark = pytest.mark.django_db

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
