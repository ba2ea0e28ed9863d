"""REST for cameras: the video wall's tiles, scoped to the caller (device intake lives in intake.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cameras.beside import camera_tile
from cameras.selectors import wall_cameras
from opscenter.permissions import Capability, capability_permission
from opscenter.requests import request_user


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
