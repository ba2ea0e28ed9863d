"""A camera's health as its worker sees it: frames arriving, the stream lost (a P3 "camera down" once it
stays lost past its grace, resolved by itself when frames return), the latest frame for the wall.

A camera without a detect stream whose events we pull over ONVIF is alive while it answers: its pulls
succeeding count as frames arriving (`camera_answers_again`, `camera_contact_seen`), its device being
unreachable or refusing our credentials as the stream lost. A camera with a detect stream is up or down
by its stream alone; its ONVIF answers only keep its last contact, so that the two never disagree
about `stream_up`. A camera that only pushes over ISAPI is alive by what it pushes (events and
heartbeats): `pushing_cameras_supervise` finds it down once nothing came for its grace.

Written with queryset updates of the health fields only, never a save of the whole camera: an admin
may be editing the camera at the same time."""

from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from cameras.models import Camera, CameraEvent, EventKind, EventOrigin, PushProtocol
from cameras.services.events import FRAMES_BACK, event_close, event_open

ANSWERS_AGAIN = gettext_noop("The camera answers again.")
PUSHES_AGAIN = gettext_noop("The camera pushes again.")


def camera_frames_arrived(*, camera: Camera, at: datetime) -> None:
    """Frames again (or for the first time): the stream is up, a "camera down" event ends."""
    _camera_up(camera=camera, at=at, seen="last_frame_at", back=FRAMES_BACK)


def camera_frame_seen(*, camera: Camera, at: datetime) -> None:
    Camera.objects.filter(pk=camera.pk).update(last_frame_at=at)
    camera.last_frame_at = at


def camera_answers_again(*, camera: Camera, at: datetime) -> None:
    """A camera alive by its ONVIF answers (it has no detect stream) answered again, or for the first
    time: it is up, a "camera down" event ends."""
    _camera_up(camera=camera, at=at, seen="last_contact_at", back=ANSWERS_AGAIN)


def camera_contact_seen(*, camera: Camera, at: datetime) -> None:
    """The camera answered (an ONVIF pull, even an empty one)."""
    Camera.objects.filter(pk=camera.pk).update(last_contact_at=at)
    camera.last_contact_at = at


def _camera_up(*, camera: Camera, at: datetime, seen: str, back: str) -> None:
    with transaction.atomic():
        Camera.objects.filter(pk=camera.pk).update(stream_up=True, stream_changed_at=at, last_error="", **{seen: at})
        for event in CameraEvent.objects.filter(camera=camera, kind=EventKind.CAMERA_DOWN, ended_at__isnull=True):
            event_close(event=event, ended_at=at, back=back)
    camera.stream_up, camera.stream_changed_at, camera.last_error = True, at, ""
    setattr(camera, seen, at)


def camera_stream_lost(*, camera: Camera, since: datetime, error: str, down: bool) -> None:
    """The stream broke (`error`), or a camera alive by its ONVIF answers stopped answering. Once it
    stays so past its grace (`down`), the camera is down: one event and its alert, however long it lasts."""
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


def worker_events_interrupted(*, camera: Camera, at: datetime, origin: str = EventOrigin.WORKER) -> int:
    """A worker taking a camera over closes what its previous worker left open (it died mid-event): the
    events of its analysis, or with `origin` ONVIF those of the camera's ONVIF events (the camera tells a
    new subscription what is still on); the camera-down event stays for its own ending."""
    events = CameraEvent.objects.filter(camera=camera, origin=origin, ended_at__isnull=True).exclude(
        kind=EventKind.CAMERA_DOWN
    )
    count = 0
    for event in events:
        event_close(event=event, ended_at=at)
        count += 1
    return count


def pushing_cameras_supervise(*, now: datetime | None = None) -> int:
    """The cameras that only push over ISAPI and sent neither an event nor a heartbeat for their grace
    are down (one event and its P3 each); their next push brings them up. Returns how many went down."""
    now = now or timezone.now()
    silent = Camera.objects.filter(
        enabled=True, push_protocol=PushProtocol.ISAPI, detect_stream="", last_contact_at__isnull=False
    ).exclude(stream_up=False)
    count = 0
    for camera in silent:
        assert camera.last_contact_at is not None
        if (now - camera.last_contact_at).total_seconds() >= camera.down_grace_seconds:
            camera_stream_lost(camera=camera, since=camera.last_contact_at, error="no event or heartbeat", down=True)
            count += 1
    return count


def camera_pushed(*, camera: Camera, at: datetime) -> None:
    """A camera that only pushes sent something: up, if it was not."""
    if not camera.detect_stream and camera.stream_up is not True:
        _camera_up(camera=camera, at=at, seen="last_contact_at", back=PUSHES_AGAIN)
