"""Register a camera; prints it as JSON (with its secret token once: in the push URL of a camera that
pushes its own events, and with the track URL of a drone)."""

import json
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cameras.models import AnalyticsProfile, CameraKind, PushProtocol
from cameras.services.registry import camera_create, push_path, track_path
from opscenter.models import District


class Command(BaseCommand):
    help = "Register a camera (its streams, place and analytics profile); prints it as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=CameraKind.values)
        parser.add_argument("--district", required=True, help="District code, e.g. uralsk")
        parser.add_argument("--lat", type=float)
        parser.add_argument("--lon", type=float)
        parser.add_argument("--address", default="")
        parser.add_argument("--heading", type=int)
        parser.add_argument("--stream", default="", help="The detect stream: rtsp://..., http://... (MJPEG) or a file")
        parser.add_argument("--main-stream", default="")
        parser.add_argument("--vendor", default="")
        parser.add_argument("--model", default="")
        parser.add_argument("--profile", default="", help="An analytics profile's name (default: motion only)")
        parser.add_argument(
            "--push",
            default="",
            choices=[value for value in PushProtocol.values if value],
            help="It pushes its own events",
        )
        parser.add_argument("--channel", type=int, help="Its channel on the recorder that pushes for it")
        parser.add_argument("--source-networks", default="", help="Networks it pushes from, comma-separated")
        parser.add_argument("--onvif-host", default="", help="With --push onvif: the host its ONVIF service answers at")
        parser.add_argument("--onvif-port", type=int, default=80)
        parser.add_argument("--onvif-user", default="", help="Its ONVIF user (one allowed to read events)")
        parser.add_argument(
            "--onvif-password",
            default=os.environ.get("ONVIF_PASSWORD", ""),
            help="Its ONVIF password (default: $ONVIF_PASSWORD, which keeps it off the command line)",
        )
        parser.add_argument(
            "--base-url",
            default=settings.PUBLIC_BASE_URL,
            help="How cameras reach this server, for the push and track URLs",
        )

    def handle(self, *args, **options) -> None:
        try:
            district = District.objects.select_related("center").get(code=options["district"])
        except District.DoesNotExist:
            codes = ", ".join(District.objects.values_list("code", flat=True))
            raise CommandError(f"Unknown district {options['district']!r}; one of: {codes}") from None
        profile = None
        if options["profile"]:
            profile = AnalyticsProfile.objects.filter(name=options["profile"]).first()
            if profile is None:
                names = ", ".join(AnalyticsProfile.objects.values_list("name", flat=True)) or "none yet"
                raise CommandError(f"Unknown analytics profile {options['profile']!r}; one of: {names}")
        try:
            camera, secret = camera_create(
                name=options["name"],
                kind=options["kind"],
                district=district,
                latitude=options["lat"],
                longitude=options["lon"],
                address=options["address"],
                heading=options["heading"],
                detect_stream=options["stream"],
                main_stream=options["main_stream"],
                vendor=options["vendor"],
                model=options["model"],
                profile=profile,
                push_protocol=options["push"],
                push_channel=options["channel"],
                source_networks=options["source_networks"].replace(",", "\n"),
                onvif_host=options["onvif_host"],
                onvif_port=options["onvif_port"],
                onvif_username=options["onvif_user"],
                onvif_password=options["onvif_password"],
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            ) from None
        output = {
            "id": camera.pk,
            "name": camera.name,
            "kind": camera.kind,
            "district": district.code,
            "center": district.center.code,
            "latitude": camera.latitude,
            "longitude": camera.longitude,
            "detect_stream": camera.detect_stream,
            "main_stream": camera.main_stream,
            "profile": camera.profile.name,
            "push": camera.push_protocol,
        }
        if camera.push_protocol == PushProtocol.ONVIF:
            output["onvif"] = f"{camera.onvif_host}:{camera.onvif_port}"
        base_url = options["base_url"].rstrip("/")
        if secret and camera.push_protocol == PushProtocol.ISAPI:
            output["push_url"] = base_url + push_path(secret)
            output["push_token"] = secret
        if secret and camera.kind == CameraKind.DRONE:
            # The same credential: posted as `Authorization: Bearer <track_token>`.
            output["track_url"] = base_url + track_path()
            output["track_token"] = secret
        self.stdout.write(json.dumps(output, ensure_ascii=False))
