"""REST for cameras: the video wall's tiles, scoped to the caller; a drone's GPS track, authenticated by
the drone's device credential (the ISAPI push of smart cameras, not DRF, lives in intake.py)."""

import logging
from datetime import UTC

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cameras.beside import camera_tile
from cameras.selectors import drone_of_device, wall_cameras
from cameras.services.drones import TrackPoint, track_points_store
from cameras.services.registry import CREDENTIAL_KIND
from opscenter.authentication import DeviceSecretAuthentication, DeviceUseRecording
from opscenter.middleware import client_address
from opscenter.networks import address_allowed
from opscenter.parsers import JSONParser
from opscenter.permissions import Capability, capability_permission
from opscenter.requests import request_device, request_user
from opscenter.throttling import DeviceRateThrottle

logger = logging.getLogger(__name__)


class CameraListApi(APIView):
    permission_classes = [capability_permission(Capability.CAMERA_VIEW)]

    class CameraFilterSerializer(serializers.Serializer):
        district = serializers.CharField(required=False, default="")
        center = serializers.CharField(required=False, default="")

    class CameraTileSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        title = serializers.CharField()
        image_url = serializers.CharField(allow_null=True)
        frame_url = serializers.CharField()
        page_url = serializers.CharField()
        up = serializers.BooleanField(allow_null=True)
        health = serializers.CharField()
        taken_at = serializers.CharField(allow_null=True)
        events = serializers.ListField(child=serializers.DictField())

    @extend_schema(
        parameters=[CameraFilterSerializer],
        responses=CameraTileSerializer(many=True),
        summary="The cameras of the caller's scope: latest frame, health and last events (the video wall)",
    )
    def get(self, request: Request) -> Response:
        filters = self.CameraFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cameras = wall_cameras(user=request_user(request), **filters.validated_data)
        tiles = []
        for camera in cameras:
            tile = dict(camera_tile(camera))
            tile["events"] = [
                {
                    "id": event.pk,
                    "kind": event.kind,
                    "label": str(event.get_kind_display()),
                    "zone": event.zone,
                    "started_at": event.started_at.isoformat(),
                    "ongoing": event.ended_at is None,
                }
                for event in camera.recent_events  # type: ignore[attr-defined]
            ]
            tiles.append(tile)
        return Response(tiles)


class DroneAuthentication(DeviceSecretAuthentication):
    """A camera's device credential (a drone's is issued with it); the view checks it is a drone's."""

    credential_kind = CREDENTIAL_KIND


class DroneSecretScheme(OpenApiAuthenticationExtension):
    target_class = "cameras.apis.DroneAuthentication"
    name = "droneSecret"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The drone's token (or `?key=` in the URL)."}


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time with its offset (`Z`, `+05:00`), in UTC: a time without one says nothing certain."""

    default_error_messages = {"naive": _("Give the time with its offset (Z or +05:00).")}

    def __init__(self, **kwargs) -> None:
        super().__init__(default_timezone=UTC, **kwargs)

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class TrackPointSerializer(serializers.Serializer):
    at = AwareDateTimeField()
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    alt = serializers.FloatField(required=False, allow_null=True, min_value=-1000, max_value=20000)
    heading = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=360)
    speed = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=1000)
    accuracy = serializers.FloatField(required=False, allow_null=True, min_value=0)


class DroneTrackApi(DeviceUseRecording, APIView):
    """`POST /api/v1/cameras/drones/track/`: points of a drone's GPS track, with the drone's token as
    `Authorization: Bearer <token>`. Every point is checked before anything is stored: one bad point is a
    400 naming it and nothing is stored. Points are stored once per flight and time (a batch sent again
    counts as duplicates) and only within a flight's flown period (others count as `outside`, not
    stored). The answer goes out after they committed."""

    authentication_classes = [DroneAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [DeviceRateThrottle]
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        # Errors name the point by its index: {"points": {"3": {"lat": [...]}}}.
        points = serializers.ListField(child=TrackPointSerializer(), allow_empty=False)

        class Meta:
            ref_name = "DroneTrackInput"

        def validate_points(self, points: list) -> list:
            limit = settings.DRONE_TRACK_MAX_POINTS
            if len(points) > limit:
                raise serializers.ValidationError(_("At most %(limit)s points in one request.") % {"limit": limit})
            return points

    class OutputSerializer(serializers.Serializer):
        stored = serializers.IntegerField()
        duplicate = serializers.IntegerField()
        outside = serializers.IntegerField(help_text="Timed in no flight of the drone: not stored.")

        class Meta:
            ref_name = "DroneTrackStored"

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Points of a drone's GPS track (speed in km/h, altitude, accuracy in metres)",
    )
    def post(self, request: Request) -> Response:
        drone = drone_of_device(credential=request_device(request))
        if drone is None:
            raise exceptions.PermissionDenied(_("This token is not a drone's."), code="not_a_drone")
        address = client_address(request._request)
        if not address_allowed(address, drone.source_networks):
            logger.warning("Drone track for camera %s from %s, outside its networks", drone.pk, address)
            raise exceptions.PermissionDenied(_("Not from this drone's network."), code="permission_denied")
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        points = [
            TrackPoint(
                at=point["at"],
                latitude=point["lat"],
                longitude=point["lon"],
                altitude_m=point.get("alt"),
                heading=point.get("heading"),
                speed_kmh=point.get("speed"),
                accuracy_m=point.get("accuracy"),
            )
            for point in body.validated_data["points"]
        ]
        outcome = track_points_store(camera=drone, points=points)
        return Response(self.OutputSerializer(outcome).data, status=status.HTTP_200_OK)
