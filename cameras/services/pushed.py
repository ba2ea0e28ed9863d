"""Events that smart cameras push (Hikvision ISAPI, ONVIF) entering the same event model as the workers'
own: mapped to our kinds, deduplicated on the camera's UUID, stored with the camera's time and ours and
their pictures; heartbeats only refresh the camera's health. An ANPR read also becomes a PlateRead,
as every read does (cameras.services.plates), announced to whoever matches plates.

ONVIF events are states that turn on and off (motion, an object inside a field): the camera's "on"
opens an event, its "off" closes that one; an instant (a line crossed) starts and ends at once, as
ISAPI's events do. Their alerts follow the same rules (ALERT_RULES) as the workers' events."""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction

from cameras.isapi import IsapiEvent, IsapiPlate
from cameras.models import Camera, CameraEvent, EventKind, EventOrigin, PictureKind, ReadSource
from cameras.onvif import OnvifNotification
from cameras.services.events import event_close, event_open, picture_attach
from cameras.services.health import camera_latest_frame_store, camera_pushed
from cameras.services.plates import PlateEvidence, camera_plate_voted, plate_read_record

logger = logging.getLogger(__name__)

# Hikvision's eventType (lower case) to ours; `duration` events are mapped by their relationEvent.
ISAPI_KINDS: dict[str, str] = {
    "anpr": EventKind.ANPR,
    "linedetection": EventKind.LINE_CROSSING,
    "fielddetection": EventKind.INTRUSION,
    "regionentrance": EventKind.INTRUSION,
    "regionexiting": EventKind.INTRUSION,
    "vmd": EventKind.MOTION,
    "motiondetection": EventKind.MOTION,
    "videoloss": EventKind.VIDEO_LOSS,
    "tamperdetection": EventKind.TAMPER,
    "shelteralarm": EventKind.TAMPER,
}
PICTURE_KINDS = {"plate": PictureKind.PLATE, "vehicle": PictureKind.VEHICLE, "detection": PictureKind.VEHICLE}


def isapi_kind(event: IsapiEvent) -> str:
    name = event.event_type.lower()
    if name == "duration" and event.relation_event:
        name = event.relation_event.lower()
    return ISAPI_KINDS.get(name, EventKind.OTHER)


def camera_for_channel(cameras: list[Camera], channel: int | None) -> Camera | None:
    """The camera an event is about: the only one of its credential, else the one on its channel."""
    if len(cameras) == 1:
        return cameras[0]
    return next((camera for camera in cameras if camera.push_channel == channel), None)


def isapi_events_store(*, cameras: list[Camera], events: list[IsapiEvent], received_at: datetime) -> int:
    """Store what a push carried, in one transaction (the camera's 200 comes after it committed);
    answers how many events were new. A re-upload (same UUID) is stored once."""
    stored = 0
    with transaction.atomic():
        Camera.objects.filter(pk__in=[camera.pk for camera in cameras]).update(last_contact_at=received_at)
        for pushing in cameras:
            camera_pushed(camera=pushing, at=received_at)
        for event in events:
            camera = camera_for_channel(cameras, event.channel)
            if camera is None:
                logger.warning(
                    "ISAPI event for channel %s matches none of cameras %s", event.channel, [c.pk for c in cameras]
                )
                continue
            if event.is_heartbeat:
                continue
            if _store(camera, event, received_at):
                stored += 1
    return stored


def _plate_read(
    camera: Camera, stored: CameraEvent, plate: IsapiPlate, pictures: dict[str, tuple[bytes, datetime]], at: datetime
) -> None:
    """The camera's own ANPR read, handed over as every read is (its plate picture the crop, its vehicle
    picture the context); "unknown" and unsure reads go to the tuning gallery."""
    voted = camera_plate_voted(text=plate.text, confidence=plate.confidence, char_confidences=plate.char_confidences)
    crop = pictures.get(PictureKind.PLATE)
    context = pictures.get(PictureKind.VEHICLE)
    vehicle = {key: value for key, value in (("type", plate.vehicle_type), ("colour", plate.vehicle_color)) if value}
    plate_read_record(
        camera=camera,
        source=ReadSource.CAMERA,
        read_at=at,
        voted=voted,
        evidence=PlateEvidence(
            crop=crop[0] if crop else None,
            context=context[0] if context else None,
            vehicle=vehicle,
            direction=plate.direction,
        ),
        event=stored,
        position=(stored.latitude, stored.longitude)
        if stored.latitude is not None and stored.longitude is not None
        else None,
    )


def _store(camera: Camera, event: IsapiEvent, received_at: datetime) -> bool:
    kind = isapi_kind(event)
    data: dict = {"event_type": event.event_type, "state": event.event_state, "description": event.description}
    if event.plate is not None:
        data["plate"] = {
            "text": event.plate.text,
            "confidence": event.plate.confidence,
            "country": event.plate.country,
            "direction": event.plate.direction,
            "vehicle_type": event.plate.vehicle_type,
            "vehicle_color": event.plate.vehicle_color,
        }
    if event.regions:
        data["regions"] = [[list(point) for point in region] for region in event.regions]
    if event.channel is not None:
        data["channel"] = event.channel
    if event.retransmission:
        data["retransmission"] = True
    taken = event.camera_time or received_at
    pictures: dict[str, tuple[bytes, datetime]] = {}
    extra: list[bytes] = []
    for picture in event.pictures:
        picture_kind = PICTURE_KINDS.get(picture.kind, PictureKind.OTHER)
        if picture_kind in pictures or picture_kind == PictureKind.OTHER:
            extra.append(picture.data)
        else:
            pictures[picture_kind] = (picture.data, taken)
    try:
        with transaction.atomic():
            stored = event_open(
                camera=camera,
                kind=kind,
                origin=EventOrigin.ISAPI,
                started_at=taken,
                camera_time=event.camera_time,
                uuid=event.uuid[:100],
                data=data,
                pictures=pictures,
                # A camera's events are instants: a line crossed, a plate read.
                ended_at=taken,
            )
            if stored is not None:
                for jpeg in extra:
                    picture_attach(event=stored, kind=PictureKind.OTHER, jpeg=jpeg, taken_at=taken)
                scene = pictures.get(PictureKind.VEHICLE)
                if scene is not None and not camera.detect_stream:
                    # A camera we do not stream: the wall's tile is the scene it last pushed.
                    camera_latest_frame_store(camera=camera, jpeg=scene[0], at=taken)
                if event.plate is not None:
                    _plate_read(camera, stored, event.plate, pictures, taken)
    except IntegrityError:  # the same UUID stored by a concurrent re-upload
        return False
    return stored is not None


# cameras.onvif's kinds to ours; topics it maps to no kind (the device's own monitoring, digital inputs)
# are not events of ours.
ONVIF_KINDS: dict[str, str] = {
    "motion": EventKind.MOTION,
    "line_crossing": EventKind.LINE_CROSSING,
    "field_detection": EventKind.INTRUSION,
    "tamper": EventKind.TAMPER,
    "video_loss": EventKind.VIDEO_LOSS,
}


def onvif_notification_store(
    *, camera: Camera, notification: OnvifNotification, received_at: datetime
) -> CameraEvent | None:
    """One ONVIF notification as our event: "on" opens one per kind, topic and source (the rule that
    fired, the video source), "off" closes the open one, an instant starts and ends at once. A state sent
    again (a camera repeats its states to every new subscription) opens no second event. Answers the
    event opened or closed; None for what changes nothing (an unmapped topic, a state it could not read,
    an "off" with nothing open)."""
    kind = ONVIF_KINDS.get(notification.kind)
    if kind is None or notification.active is None:
        logger.debug("camera %s: ONVIF %s %s ignored", camera.pk, notification.topic, notification.data)
        return None
    at = notification.camera_time or received_at
    key = "|".join([notification.topic, *(f"{name}={value}" for name, value in sorted(notification.source.items()))])
    # The rule's name is the zone an operator sees (and the alert's dedup key names).
    zone = notification.source.get("Rule", "")[:100]
    data = {"topic": notification.topic, "source": notification.source, "data": notification.data, "key": key}
    with transaction.atomic():
        if notification.instant:
            return event_open(
                camera=camera,
                kind=kind,
                origin=EventOrigin.ONVIF,
                started_at=at,
                ended_at=at,
                camera_time=notification.camera_time,
                zone=zone,
                data=data,
            )
        open_event = (
            CameraEvent.objects.select_for_update()
            .filter(camera=camera, kind=kind, origin=EventOrigin.ONVIF, ended_at__isnull=True, data__key=key)
            .first()
        )
        if notification.active:
            if open_event is not None:
                return None
            return event_open(
                camera=camera,
                kind=kind,
                origin=EventOrigin.ONVIF,
                started_at=at,
                camera_time=notification.camera_time,
                zone=zone,
                data=data,
            )
        if open_event is None:
            return None
        open_event.camera = camera
        # An "off" dated by our clock after an "on" dated by the camera's: never ended before it began.
        event_close(event=open_event, ended_at=max(at, open_event.started_at))
        return open_event
