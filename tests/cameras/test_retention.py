"""Retention of camera events: past the camera's retention an ended event goes with its picture files
and its alert is redacted; one linked to a case, one still open or one younger stays; a stale latest
frame goes too; a second run finds nothing."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from cameras.models import Camera, CameraEvent, EventOrigin, EventPicture
from cameras.services.events import event_close, event_open
from cameras.services.health import camera_latest_frame_store
from cameras.services.retention import events_purge
from opscenter.models import Alert, AuditEntry

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
    assert sorted(picture["kind"] for picture in shown) == ["after", "before", "best"]

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the rows are gone for good
        assert events_purge() == 1

    assert not CameraEvent.objects.filter(pk=event.pk).exists()
    assert not EventPicture.objects.filter(event_id=event.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    alert = Alert.objects.get(pk=event.alert_id)
    assert alert.payload == {} and alert.redacted_at is not None
    entry = AuditEntry.objects.get(action="cameras.events.purge")
    assert entry.data == {"events": 1, "pictures": 3, "latest_frames": 0, "alerts_redacted": 1}
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
