"""The spine's view of cameras: tiles beside an alert and the map layer (registered in `ready()`)."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from cameras.models import Camera
from cameras.selectors import cameras_beside_alert, cameras_visible
from opscenter.maplayers import Feature, point_feature
from opscenter.models import Alert, User
from opscenter.services.beside import BesideTile


def camera_tile(camera: Camera, *, metres: float | None = None, watches: bool = False, own: bool = False) -> BesideTile:
    up, health = camera.health()
    frame_url = reverse("cameras:latest-frame", args=[camera.pk])
    image_url = None
    if camera.latest_frame and camera.latest_frame_at is not None:
        # The time in the URL makes each new frame a new address, so no cache shows an old one.
        image_url = frame_url + f"?t={int(camera.latest_frame_at.timestamp())}"
    return BesideTile(
        kind="camera",
        id=camera.pk,
        title=camera.name,
        image_url=image_url,
        frame_url=frame_url,
        page_url=reverse("cameras:wall") + f"#camera-{camera.pk}",
        up=up,
        health=health,
        taken_at=camera.latest_frame_at.isoformat() if camera.latest_frame_at else None,
        metres=round(metres) if metres is not None else None,
        watches=watches,
        own=own,
    )


def alert_camera_tiles(user: User, alert: Alert) -> list[BesideTile]:
    own = alert.subject_type_id == ContentType.objects.get_for_model(Camera).pk
    return [
        camera_tile(camera, metres=metres, watches=watches, own=own and camera.pk == alert.subject_id)
        for camera, metres, watches in cameras_beside_alert(user=user, alert=alert)
    ]


def camera_features(user: User) -> list[Feature]:
    """Where the cameras of the user's scope are, what kind, and whether their stream is up."""
    features = []
    for camera in cameras_visible(user=user).order_by("pk"):
        if camera.latitude is None or camera.longitude is None:
            continue
        features.append(
            point_feature(
                longitude=camera.longitude,
                latitude=camera.latitude,
                name=camera.name,
                label=str(camera.get_kind_display()),
                address=camera.address,
            )
        )
    return features
