"""Every write to the camera registry: add a camera (with the credential of one that pushes events, and
of every drone, which sends its track with it), change what it watches, rotate its token."""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.urls import reverse

from cameras.models import AnalyticsProfile, Camera, CameraKind, PushProtocol
from opscenter.models import District, User
from opscenter.services.audit import audit_record
from opscenter.services.credentials import credential_issue, credential_rotate

CREDENTIAL_KIND = "camera"
DEFAULT_PROFILE = "default"


def profile_default() -> AnalyticsProfile:
    """The profile a camera gets when none is named: the motion gate alone, every detector off."""
    profile, _created = AnalyticsProfile.objects.get_or_create(name=DEFAULT_PROFILE)
    return profile


def push_path(secret: str) -> str:
    """The path a pushing camera posts to; the secret in it is its credential."""
    return reverse("cameras-api:isapi-push", kwargs={"token": secret})


def track_path() -> str:
    """The path a drone posts its track to, with its secret as `Authorization: Bearer <secret>`."""
    return reverse("cameras-api:drone-track")


@transaction.atomic
def camera_create(
    *,
    name: str,
    kind: str,
    district: District,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    heading: int | None = None,
    detect_stream: str = "",
    main_stream: str = "",
    vendor: str = "",
    model: str = "",
    profile: AnalyticsProfile | None = None,
    push_protocol: str = PushProtocol.NONE,
    push_channel: int | None = None,
    source_networks: str = "",
    onvif_host: str = "",
    onvif_port: int = 80,
    onvif_username: str = "",
    onvif_password: str = "",
    zones: list[dict[str, Any]] | None = None,
    watches: models.Model | None = None,
    actor: User | None = None,
) -> tuple[Camera, str]:
    """Register a camera; returns it with the secret of its device credential, which is shown this once:
    the token of its push URL, and a drone's for its track ("" for a camera that neither pushes nor flies).
    Raises ValidationError on a bad field."""
    camera = Camera(
        name=name,
        kind=kind,
        district=district,
        latitude=latitude,
        longitude=longitude,
        address=address,
        heading=heading,
        detect_stream=detect_stream,
        main_stream=main_stream,
        vendor=vendor,
        model=model,
        profile=profile or profile_default(),
        push_protocol=push_protocol,
        push_channel=push_channel,
        source_networks=source_networks,
        onvif_host=onvif_host,
        onvif_port=onvif_port,
        onvif_username=onvif_username,
        onvif_password=onvif_password,
        zones=zones or [],
        retention_days=settings.CAMERA_RETENTION_DAYS,
    )
    if watches is not None:
        camera.watches_type, camera.watches_id = ContentType.objects.get_for_model(watches), watches.pk
    camera.full_clean()
    camera.save()
    secret = ""
    if push_protocol == PushProtocol.ISAPI or kind == CameraKind.DRONE:
        camera.credential, secret = credential_issue(
            kind=CREDENTIAL_KIND, identifier=f"camera-{camera.pk}", actor=actor
        )
        camera.save(update_fields=["credential"])
    audit_record(actor=actor, action="camera.create", obj=camera, data={"kind": kind, "district": district.code})
    return camera, secret


@transaction.atomic
def camera_rotate_push_token(*, camera: Camera, actor: User | None = None) -> str:
    """A new secret of the camera's credential, its push token or a drone's track token (the old one works
    for the overlap, so the device can be reconfigured)."""
    if camera.credential is None:
        camera.credential, secret = credential_issue(
            kind=CREDENTIAL_KIND, identifier=f"camera-{camera.pk}", actor=actor
        )
        camera.save(update_fields=["credential"])
        return secret
    return credential_rotate(credential=camera.credential, actor=actor)
