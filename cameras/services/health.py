"""A camera's health as its worker sees it: frames arriving, the stream lost (a P3 "camera down" once it
stays lost past its grace, resolved by itself when frames return), the latest frame for the wall.

Written with queryset updates of the health fields only, never a save of the whole camera: an admin
may be editing the camera at the same time."""

from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from cameras.models import Camera, CameraEvent, EventKind, EventOrigin
from cameras.services.events import event_close, event_open


def camera_frames_arrived(*, camera: Camera, at: datetime) -> None:
    """Frames again (or for the first time): the stream is up, a "camera down" event ends."""
    with transaction.atomic():
        Camera.objects.filter(pk=camera.pk).update(
            stream_up=True, stream_changed_at=at, last_frame_at=at, last_error=""
        )
        for event in CameraEvent.objects.filter(camera=camera, kind=EventKind.CAMERA_DOWN, ended_at__isnull=True):
            event_close(event=event, ended_at=at)
    camera.stream_up, camera.stream_changed_at, camera.last_frame_at = True, at, at


def camera_frame_seen(*, camera: Camera, at: datetime) -> None:
    Camera.objects.filter(pk=camera.pk).update(last_frame_at=at)
    camera.last_frame_at = at


def camera_stream_lost(*, camera: Camera, since: datetime, error: str, down: bool) -> None:
    """The stream broke (`error`). Once it stays broken past its grace (`down`), the camera is down: one
    event and its alert, however long it stays so."""
    with transaction.atomic():
        Camera.objects.filter(pk=camera.pk).update(last_error=error[:300])
        if not down:
            return
        if camera.stream_up is not False:
            Camera.objects.filter(pk=camera.pk).update(stream_up=False, stream_changed_at=since)
            camera.stream_up, camera.stream_changed_at = False, since
        if not CameraEvent.objects.filter(camera=camera, kind=EventKind.CAMERA_DOWN, ended_at__isnull=True).exists():
            event_open(
                camera=camera,
                kind=EventKind.CAMERA_DOWN,
                origin=EventOrigin.WORKER,
                started_at=since,
                data={"error": error[:300]},
            )


def camera_latest_frame_store(*, camera: Camera, jpeg: bytes, at: datetime) -> None:
    """The video wall's tile: one file per camera, replaced."""
    name = f"cameras/latest/{camera.pk}.jpg"
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(jpeg))
    Camera.objects.filter(pk=camera.pk).update(latest_frame=stored, latest_frame_at=at)


def worker_events_interrupted(*, camera: Camera, at: datetime) -> int:
    """A worker taking a camera over closes what its previous worker left open (it died mid-event);
    the camera-down event stays for its own ending."""
    events = CameraEvent.objects.filter(camera=camera, origin=EventOrigin.WORKER, ended_at__isnull=True).exclude(
        kind=EventKind.CAMERA_DOWN
    )
    count = 0
    for event in events:
        event_close(event=event, ended_at=at)
        count += 1
    return count
