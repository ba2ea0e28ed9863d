"""Every read of cameras a person or a device can trigger, scoped by the actor: the video wall, a camera's
events, the cameras beside an alert (those watching its object, those near its place), the drone a
device credential speaks for."""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from cameras.models import Camera, CameraEvent, CameraKind
from opscenter.geo import great_circle_m
from opscenter.models import Alert, DeviceCredential, User
from opscenter.permissions import Capability, has
from opscenter.selectors import scoped

RECENT = timedelta(days=7)  # the wall's "last events" of a camera


def cameras_visible(*, user: User) -> QuerySet[Camera]:
    if not has(user, Capability.CAMERA_VIEW):
        return Camera.objects.none()
    return scoped(Camera.objects.select_related("district"), user=user, center="district__center")


def drone_of_device(*, credential: DeviceCredential) -> Camera | None:
    """The drone whose credential this is; None when it is no drone's, or shared by several cameras (a
    recorder's), which no drone's is."""
    cameras = list(Camera.objects.select_related("district").filter(credential=credential)[:2])
    if len(cameras) != 1 or cameras[0].kind != CameraKind.DRONE:
        return None
    return cameras[0]


def wall_cameras(*, user: User, district: str = "", center: str = "") -> list[Camera]:
    """The video wall's tiles: cameras of the scope (optionally of one district or center), each with its
    last three events."""
    visible = cameras_visible(user=user)
    if district:
        visible = visible.filter(district__code=district)
    if center:
        visible = visible.filter(district__center__code=center)
    cameras = list(visible.order_by("district__code", "name"))
    recent: dict[int, list[CameraEvent]] = {camera.pk: [] for camera in cameras}
    # Each camera's own last three of the last week (a busy ANPR camera does not crowd the others out,
    # nor does its history make each poll rank months of reads), in one query.
    latest = (
        CameraEvent.objects.filter(camera__in=cameras, started_at__gte=timezone.now() - RECENT)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("camera_id")], order_by=[F("started_at").desc(), F("pk").desc()])
        )
        .filter(rank__lte=3)
        .order_by("camera_id", "rank")
    )
    for event in latest:
        recent[event.camera_id].append(event)
    for camera in cameras:
        camera.recent_events = recent[camera.pk]  # type: ignore[attr-defined]
    return cameras


def cameras_beside_alert(*, user: User, alert: Alert, limit: int = 6) -> list[tuple[Camera, float | None, bool]]:
    """The cameras to look at beside an alert, as (camera, metres from its place, watches its subject):
    first those watching what the alert is about (the school whose panic button was pressed), then the
    nearest within CAMERA_NEAR_ALERT_METERS of its place. Only cameras of the user's scope."""
    has_subject = alert.subject_type_id is not None and alert.subject_id is not None
    has_place = alert.latitude is not None and alert.longitude is not None
    if not (has_subject or has_place):
        return []
    visible = cameras_visible(user=user)
    chosen: dict[int, tuple[Camera, float | None, bool]] = {}
    if alert.subject_type_id is not None and alert.subject_id is not None:
        if alert.subject_type_id == ContentType.objects.get_for_model(Camera).pk:  # raised by a camera itself
            for camera in visible.filter(pk=alert.subject_id):
                chosen[camera.pk] = (camera, _distance(alert, camera), True)
        for camera in visible.filter(watches_type_id=alert.subject_type_id, watches_id=alert.subject_id):
            chosen[camera.pk] = (camera, _distance(alert, camera), True)
    if alert.latitude is not None and alert.longitude is not None and len(chosen) < limit:
        radius = settings.CAMERA_NEAR_ALERT_METERS
        # A box around the place narrows the rows (an index-friendly range); the distance decides.
        dlat = radius / 111_320
        dlon = radius / (111_320 * max(math.cos(math.radians(alert.latitude)), 0.01))
        near = visible.filter(
            latitude__range=(alert.latitude - dlat, alert.latitude + dlat),
            longitude__range=(alert.longitude - dlon, alert.longitude + dlon),
        ).exclude(pk__in=list(chosen))
        ranked = sorted(((camera, _distance(alert, camera)) for camera in near), key=lambda pair: pair[1] or 0.0)
        for camera, metres in ranked:
            if metres is not None and metres <= radius and len(chosen) < limit:
                chosen[camera.pk] = (camera, metres, False)
    return list(chosen.values())[:limit]


def _distance(alert: Alert, camera: Camera) -> float | None:
    if None in (alert.latitude, alert.longitude, camera.latitude, camera.longitude):
        return None
    return great_circle_m(alert.latitude, alert.longitude, camera.latitude, camera.longitude)  # type: ignore[arg-type]
