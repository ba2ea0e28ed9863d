"""Retention of camera events: past the camera's retention an ended event goes with its picture files
and its alert is redacted; one linked to a case, one still open or one younger stays; a stale latest
frame goes too, and a landed flight's track; a second run finds nothing."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from cameras.models import Camera, CameraEvent, EventOrigin, EventPicture, Flight, FlightPosition
from cameras.services.drones import TrackPoint, flight_end, flight_plan, flight_start, track_points_store
from cameras.services.events import event_close, event_open
from cameras.services.health import camera_latest_frame_store
from cameras.services.registry import camera_create
from cameras.services.retention import events_purge
from opscenter.models import Alert, AuditEntry
from tests.factories import district

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


def ended_event(camera, *, days_ago: float, kind: str = "dumping", case_number: str = "") -> CameraEvent:
    ended = timezone.now() - timedelta(days=days_ago)
    event = event_open(
        camera=camera,
        kind=kind,
        origin=EventOrigin.WORKER,
        started_at=ended - timedelta(minutes=5),
        zone="yard",
        pictures={"before": (JPEG, ended - timedelta(minutes=6)), "best": (JPEG + b"1", ended)},
    )
    assert event is not None
    event_close(event=event, ended_at=ended, pictures={"after": (JPEG + b"2", ended)})
    if case_number:
        CameraEvent.objects.filter(pk=event.pk).update(case_number=case_number)
    return event


def test_an_expired_event_goes_with_its_pictures_and_its_alert_is_redacted(camera, django_capture_on_commit_callbacks):
    event = ended_event(camera, days_ago=31)
    files = list(EventPicture.objects.filter(event=event).values_list("file", flat=True))
    assert len(files) == 3 and all(default_storage.exists(name) for name in files)
    shown = Alert.objects.get(pk=event.alert_id).payload["pictures"]  # the "after" joined it at the end
    assert [picture["kind"] for picture in shown] == ["best", "before", "after"]  # as the proof reads

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the rows are gone for good
        assert events_purge() == 1

    assert not CameraEvent.objects.filter(pk=event.pk).exists()
    assert not EventPicture.objects.filter(event_id=event.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    alert = Alert.objects.get(pk=event.alert_id)
    assert alert.payload == {} and alert.redacted_at is not None
    entry = AuditEntry.objects.get(action="cameras.events.purge")
    assert entry.data == {
        "events": 1,
        "pictures": 3,
        "latest_frames": 0,
        "alerts_redacted": 1,
        "track_points": 0,
        "plate_reads": 0,
        "unread_plates": 0,
    }
    assert events_purge() == 0  # nothing left to do


def test_what_is_younger_open_or_linked_to_a_case_stays(camera):
    young = ended_event(camera, days_ago=29)
    case = ended_event(camera, days_ago=90, case_number="2026-07-0001")
    still_open = event_open(
        camera=camera,
        kind="camera_down",
        origin=EventOrigin.WORKER,
        started_at=timezone.now() - timedelta(days=60),
    )
    assert events_purge() == 0
    assert set(CameraEvent.objects.values_list("pk", flat=True)) == {young.pk, case.pk, still_open.pk}
    assert EventPicture.objects.filter(event=case).count() == 3
    assert Alert.objects.get(pk=case.alert_id).redacted_at is None


def test_each_camera_keeps_its_own_retention(camera):
    Camera.objects.filter(pk=camera.pk).update(retention_days=7)
    camera.refresh_from_db()
    gone = ended_event(camera, days_ago=8)
    kept = ended_event(camera, days_ago=6)
    assert events_purge() == 1
    assert list(CameraEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not CameraEvent.objects.filter(pk=gone.pk).exists()


def test_a_stale_latest_frame_goes_and_a_fresh_one_stays(camera):
    camera_latest_frame_store(camera=camera, jpeg=JPEG, at=timezone.now() - timedelta(days=31))
    camera.refresh_from_db()
    name = camera.latest_frame.name
    assert default_storage.exists(name)
    events_purge()
    camera.refresh_from_db()
    assert not camera.latest_frame and camera.latest_frame_at is None
    assert not default_storage.exists(name)
    assert AuditEntry.objects.get(action="cameras.events.purge").data["latest_frames"] == 1

    camera_latest_frame_store(camera=camera, jpeg=JPEG, at=timezone.now())
    events_purge()
    camera.refresh_from_db()
    assert camera.latest_frame and default_storage.exists(camera.latest_frame.name)


def test_a_landed_flights_track_goes_after_the_retention_and_the_flight_stays():
    drone, _secret = camera_create(name="Drone 2", kind="drone", district=district("uralsk"))
    flights = []
    for days_ago in (40, 10):
        took_off = timezone.now().replace(microsecond=0) - timedelta(days=days_ago)
        flight = flight_start(flight=flight_plan(camera=drone, purpose="Patrol", pilot_name="Pilot"), at=took_off)
        track_points_store(
            camera=drone,
            points=[TrackPoint(at=took_off + timedelta(seconds=s), latitude=51.2, longitude=51.35) for s in (5, 6)],
        )
        flights.append(flight_end(flight=flight, at=took_off + timedelta(minutes=30)))
    old, recent = flights
    assert FlightPosition.objects.count() == 4
    events_purge()
    assert not FlightPosition.objects.filter(flight=old).exists()
    assert FlightPosition.objects.filter(flight=recent).count() == 2
    assert Flight.objects.count() == 2  # who flew, when and why stays on record
    assert AuditEntry.objects.get(action="cameras.events.purge").data["track_points"] == 2
