"""Every write of camera events: open, update and close an event of our workers, record a pushed one,
attach its pictures; raise, update and resolve the one alert each event deserves.

One alert per event, never one per frame: the alert's dedup key names the camera, the kind and the zone,
so an event that flickers back while its alert is still open updates that alert. Alerts carry counts,
the camera and the zone, never an identity (a crowd is a number of people, not who they are).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from cameras.models import Camera, CameraEvent, CameraKind, EventKind, EventPicture
from cameras.services.drones import drone_place_at
from opscenter.models import Disposition, Severity
from opscenter.services.alerts import alert_find_open, alert_raise, alert_resolve, alert_update_open
from opscenter.services.texts import Phrase, phrase

SOURCE = "cameras"


@dataclass(frozen=True)
class AlertRule:
    severity: int
    title: str  # a message id with %(camera)s, %(zone)s, %(count)s


# What deserves a person, and how urgently. Kinds not named (motion, a plate read) are recorded only.
ALERT_RULES: dict[str, AlertRule] = {
    EventKind.CROWD: AlertRule(Severity.P2, gettext_noop("Mass gathering: %(count)s people, %(camera)s")),
    EventKind.DUMPING: AlertRule(Severity.P3, gettext_noop("Illegal dumping or a left object: %(camera)s")),
    EventKind.LANE_STOP: AlertRule(
        Severity.P2, gettext_noop("Vehicle stopped in a lane, possible accident: %(camera)s")
    ),
    EventKind.CAMERA_DOWN: AlertRule(Severity.P3, gettext_noop("Camera down: %(camera)s")),
    EventKind.INTRUSION: AlertRule(Severity.P3, gettext_noop("Intrusion into a watched zone: %(camera)s")),
    EventKind.LINE_CROSSING: AlertRule(Severity.P3, gettext_noop("Line crossed: %(camera)s")),
    EventKind.TAMPER: AlertRule(Severity.P3, gettext_noop("Camera tampered with: %(camera)s")),
    EventKind.VIDEO_LOSS: AlertRule(Severity.P3, gettext_noop("Video lost: %(camera)s")),
}


# How a camera-down alert hears the camera is back, by default (its timeline's note, rendered when read).
FRAMES_BACK = gettext_noop("Frames are coming again.")


# How the proof reads: the best snapshot first, then what was there before and what is there after.
PICTURE_ORDER = {"best": 0, "before": 1, "after": 2, "plate": 3, "vehicle": 4, "detection": 5, "other": 6}


def alert_key(camera: Camera, kind: str, zone: str = "") -> str:
    return f"{SOURCE}:{camera.pk}:{kind}:{zone}"[:200]


def event_open(
    *,
    camera: Camera,
    kind: str,
    origin: str,
    started_at: datetime,
    zone: str = "",
    score: float | None = None,
    box: list[float] | None = None,
    data: dict[str, Any] | None = None,
    pictures: dict[str, tuple[bytes, datetime]] | None = None,
    camera_time: datetime | None = None,
    uuid: str = "",
    position: tuple[float, float] | None = None,
    ended_at: datetime | None = None,
) -> CameraEvent | None:
    """Record an event (with its pictures, JPEG bytes by kind) and raise its alert when its kind deserves
    one. A pushed event whose `uuid` the camera already sent is stored once: None the second time.

    It happened at `position`, else where the camera is; a drone's event where the drone was when it
    started (cameras.services.drones.drone_place_at), what that place came from kept in its data."""
    data = dict(data or {})
    latitude: float | None
    longitude: float | None
    with transaction.atomic():
        if uuid and CameraEvent.objects.filter(camera=camera, uuid=uuid).exists():
            return None
        if position is not None:
            latitude, longitude = position
        elif camera.kind == CameraKind.DRONE:
            place = drone_place_at(camera=camera, at=started_at)
            latitude, longitude = place.latitude, place.longitude
            data["drone"] = {
                "position": place.source,
                "position_at": place.at.isoformat() if place.at is not None else None,
                "altitude_m": place.altitude_m,
            }
        else:
            latitude, longitude = camera.latitude, camera.longitude
        event = CameraEvent.objects.create(
            camera=camera,
            kind=kind,
            origin=origin,
            zone=zone,
            started_at=started_at,
            ended_at=ended_at,
            camera_time=camera_time,
            received_at=timezone.now(),
            score=score,
            box=box or [],
            data=data,
            uuid=uuid,
            latitude=latitude,
            longitude=longitude,
        )
        for picture_kind, (jpeg, taken_at) in (pictures or {}).items():
            picture_attach(event=event, kind=picture_kind, jpeg=jpeg, taken_at=taken_at)
        rule = ALERT_RULES.get(kind)
        if rule is not None:
            event.alert = _raise(camera=camera, event=event, rule=rule)
            event.save(update_fields=["alert"])
    return event


def event_update(
    *, event: CameraEvent, score: float | None = None, pictures: dict[str, tuple[bytes, datetime]] | None = None
) -> None:
    """A lasting event changed: its count (a crowd that grew) or its best snapshot. The alert is told only
    when the count grew past what it shows, not on every frame."""
    with transaction.atomic():
        grew = score is not None and (event.score is None or score > event.score)
        if score is not None:
            event.score = score if event.score is None else max(event.score, score)
            event.save(update_fields=["score"])
        for picture_kind, (jpeg, taken_at) in (pictures or {}).items():
            picture_attach(event=event, kind=picture_kind, jpeg=jpeg, taken_at=taken_at)
        if grew and event.alert_id is not None and event.kind == EventKind.CROWD:
            alert_update_open(
                dedup_key=alert_key(event.camera, event.kind, event.zone),
                text=phrase(gettext_noop("The gathering grew to %(count)s people."), count=round(score or 0)),
                payload={
                    "count": round(event.score or 0),
                    "title": _title(event.camera, event, ALERT_RULES[event.kind]),
                },
            )


def event_close(
    *,
    event: CameraEvent,
    ended_at: datetime,
    pictures: dict[str, tuple[bytes, datetime]] | None = None,
    back: str = FRAMES_BACK,
) -> None:
    """The event ended: record when; its alert hears it (a camera back up resolves its own alert, with
    `back`, the message id saying how we know: frames again, or the camera answering)."""
    with transaction.atomic():
        event.ended_at = ended_at
        event.save(update_fields=["ended_at"])
        for picture_kind, (jpeg, taken_at) in (pictures or {}).items():
            picture_attach(event=event, kind=picture_kind, jpeg=jpeg, taken_at=taken_at)
        if event.alert_id is None:
            return
        key = alert_key(event.camera, event.kind, event.zone)
        if event.kind == EventKind.CAMERA_DOWN:
            alert = alert_find_open(dedup_key=key)
            if alert is not None:
                alert_resolve(
                    alert=alert,
                    actor=None,
                    disposition=Disposition.TECHNICAL,
                    note=phrase(back),
                )
            return
        alert_update_open(
            dedup_key=key,
            text=phrase(
                gettext_noop("The camera sees it no more (ended %(time)s)."),
                time=timezone.localtime(ended_at).strftime("%H:%M:%S"),
            ),
            payload={"ended_at": ended_at.isoformat(), "pictures": _pictures(event)},  # with the "after"
        )


def picture_attach(*, event: CameraEvent, kind: str, jpeg: bytes, taken_at: datetime) -> EventPicture:
    """Store a JPEG of the event; a later picture of the same kind (a better snapshot) replaces it."""
    digest = hashlib.sha256(jpeg).hexdigest()
    existing = EventPicture.objects.filter(event=event, kind=kind).exclude(kind="other").first()
    if existing is not None:
        existing.file.delete(save=False)
        existing.file.save(f"{event.pk}-{kind}-{digest[:12]}.jpg", ContentFile(jpeg), save=False)
        existing.taken_at, existing.sha256 = taken_at, digest
        existing.save()
        return existing
    picture = EventPicture(event=event, kind=kind, taken_at=taken_at, sha256=digest)
    picture.file.save(f"{event.pk}-{kind}-{digest[:12]}.jpg", ContentFile(jpeg), save=False)
    picture.save()
    return picture


def _pictures(event: CameraEvent) -> list[dict[str, str]]:
    """The proof, for the alert's payload: each picture's kind and its address (served in scope only)."""
    ordered = sorted(event.pictures.all(), key=lambda picture: (PICTURE_ORDER.get(picture.kind, 9), picture.pk))
    return [{"kind": picture.kind, "url": reverse("cameras:event-picture", args=[picture.pk])} for picture in ordered]


def _title(camera: Camera, event: CameraEvent, rule: AlertRule) -> Phrase:
    return phrase(rule.title, camera=camera.name, zone=event.zone, count=round(event.score or 0))


def _raise(*, camera: Camera, event: CameraEvent, rule: AlertRule):
    title = _title(camera, event, rule)
    return alert_raise(
        source=SOURCE,
        kind=event.kind,
        severity=rule.severity,
        title=title,
        district=camera.district,
        latitude=event.latitude,
        longitude=event.longitude,
        # A drone's registered address is its base, not where it saw this.
        address="" if camera.kind == CameraKind.DRONE else camera.address,
        dedup_key=alert_key(camera, event.kind, event.zone),
        subject=camera,
        # Counts, the camera, the zone and the pictures that prove it; never who was there.
        payload={
            "title": title,
            "camera": {"id": camera.pk, "name": camera.name},
            "event": event.pk,
            "zone": event.zone,
            "count": round(event.score) if event.kind == EventKind.CROWD and event.score is not None else None,
            "pictures": _pictures(event),
        },
    )
