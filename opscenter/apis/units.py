"""REST for patrol units: the consoles' list (nearest available first for an alert), putting a unit on or
off duty, the steps of an assignment (the tablet's and the console's), the tablet's own view, and the
intake of a unit's positions (OsmAnd, authenticated by the unit device's secret)."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opscenter import osmand
from opscenter.authentication import DeviceSecretAuthentication, DeviceUseRecording
from opscenter.models import Unit, UnitStatus
from opscenter.osmand import ReportError
from opscenter.permissions import Capability, capability_permission
from opscenter.requests import request_device, request_user
from opscenter.selectors import (
    alert_get,
    assignment_get,
    tablet_assignment_get,
    tablet_units,
    unit_fresh,
    unit_get,
    unit_list,
)
from opscenter.serializers import tablet_unit_as_dict, unit_as_dict
from opscenter.services.units import (
    UNIT_DEVICE_KIND,
    assignment_accept,
    assignment_arrive,
    assignment_clear,
    unit_position_report,
    unit_status_set,
)
from opscenter.throttling import DeviceRateThrottle


class UnitOutputSerializer(serializers.Serializer):
    """For the schema: the data is opscenter.serializers.unit_as_dict's."""

    id = serializers.IntegerField()
    call_sign = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    status = serializers.ChoiceField(choices=UnitStatus.choices)
    status_label = serializers.CharField()
    center = serializers.CharField()
    center_name = serializers.CharField()
    district = serializers.CharField(allow_null=True)
    district_name = serializers.CharField(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    position_at = serializers.DateTimeField(allow_null=True)
    status_changed_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    crew = serializers.ListField(child=serializers.CharField())
    assignment = serializers.JSONField(allow_null=True, help_text="The open assignment: id, alert_id, status, times.")
    distance_m = serializers.IntegerField(required=False, help_text="From the alert's place, when one was given.")


class UnitListApi(APIView):
    class UnitFilterSerializer(serializers.Serializer):
        alert = serializers.IntegerField(required=False, help_text="Order by distance from this alert's place.")

    @extend_schema(
        parameters=[UnitFilterSerializer],
        responses=UnitOutputSerializer(many=True),
        summary="Units of the caller's scope: available first, nearest to the alert first; then busy, then off duty",
    )
    def get(self, request: Request) -> Response:
        filters = self.UnitFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user = request_user(request)
        near = None
        if "alert" in filters.validated_data:
            alert = alert_get(user=user, alert_pk=filters.validated_data["alert"])
            if alert.latitude is not None and alert.longitude is not None:
                near = (alert.latitude, alert.longitude)
        rows = unit_list(user=user, near=near)
        return Response({"count": len(rows), "results": [unit_as_dict(u, distance_m=d) for u, d in rows]})


class UnitStatusSetApi(APIView):
    class UnitStatusInputSerializer(serializers.Serializer):
        # Only available and off_duty are set by hand; the service refuses the others (409).
        status = serializers.ChoiceField(choices=UnitStatus.choices)

    @extend_schema(request=UnitStatusInputSerializer, responses=UnitOutputSerializer, summary="On or off duty")
    def post(self, request: Request, unit_pk: int) -> Response:
        data = self.UnitStatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request_user(request)
        crew_unit = tablet_units(user=user).filter(pk=unit_pk).first()
        unit = crew_unit if crew_unit is not None else unit_get(user=user, unit_pk=unit_pk)
        unit = unit_status_set(unit=unit, status=data.validated_data["status"], actor=user)
        return Response(unit_as_dict(unit))


class AssignmentClearApi(APIView):
    """A dispatcher calls a unit back from its assignment (the console)."""

    permission_classes = [IsAuthenticated, capability_permission(Capability.UNIT_DISPATCH)]

    @extend_schema(request=None, responses=UnitOutputSerializer, summary="Call a unit back (clear its assignment)")
    def post(self, request: Request, assignment_pk: int) -> Response:
        user = request_user(request)
        assignment = assignment_clear(assignment=assignment_get(user=user, assignment_pk=assignment_pk), actor=user)
        return Response(unit_as_dict(unit_fresh(assignment.unit_id)))


# ---- the tablet


class TabletUnitOutputSerializer(serializers.Serializer):
    """For the schema: the data is opscenter.serializers.tablet_unit_as_dict's."""

    id = serializers.IntegerField()
    call_sign = serializers.CharField()
    kind_label = serializers.CharField()
    status = serializers.ChoiceField(choices=UnitStatus.choices)
    status_label = serializers.CharField()
    updated_at = serializers.DateTimeField()
    assignment = serializers.JSONField(
        allow_null=True, help_text="The open assignment and its alert's title, place (geo_uri) and caution."
    )


class TabletApi(APIView):
    @extend_schema(responses=TabletUnitOutputSerializer(many=True), summary="The caller's units, as their tablet")
    def get(self, request: Request) -> Response:
        units = tablet_units(user=request_user(request))
        return Response({"units": [tablet_unit_as_dict(unit) for unit in units]})


class _TabletStepApi(APIView):
    step = staticmethod(assignment_accept)

    @extend_schema(request=None, responses=TabletUnitOutputSerializer)
    def post(self, request: Request, assignment_pk: int) -> Response:
        user = request_user(request)
        assignment = tablet_assignment_get(user=user, assignment_pk=assignment_pk)
        assignment = type(self).step(assignment=assignment, actor=user)
        return Response(tablet_unit_as_dict(unit_fresh(assignment.unit_id)))


class TabletAcceptApi(_TabletStepApi):
    step = staticmethod(assignment_accept)


class TabletArriveApi(_TabletStepApi):
    step = staticmethod(assignment_arrive)


class TabletClearApi(_TabletStepApi):
    step = staticmethod(assignment_clear)


# ---- positions


class UnitDeviceAuthentication(DeviceSecretAuthentication):
    credential_kind = UNIT_DEVICE_KIND


class UnitDeviceSecretScheme(OpenApiAuthenticationExtension):
    target_class = "opscenter.apis.units.UnitDeviceAuthentication"
    name = "unitDeviceSecret"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The unit device's secret (or `?key=` in the URL)."}


class UnitPositionOutputSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="The unit's call sign.")
    position_at = serializers.DateTimeField(allow_null=True, help_text="Of the unit's position now.")


OSMAND_PARAMETERS = (
    "id",
    "timestamp",
    "lat",
    "lon",
    "speed",
    "bearing",
    "altitude",
    "accuracy",
    "batt",
    "valid",
    "key",
)


class UnitOsmAndApi(DeviceUseRecording, APIView):
    """The OsmAnd protocol as Traccar accepts it (query, form, JSON body), from a unit's tablet or tracker.
    Unknown device or wrong secret: 401; malformed input: 400 naming the field."""

    authentication_classes = [UnitDeviceAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [DeviceRateThrottle]
    parser_classes: list = []  # the body is read in the protocol's own way

    @extend_schema(
        summary="A unit's position in the OsmAnd protocol (query parameters)",
        parameters=[OpenApiParameter(name, str, required=False) for name in OSMAND_PARAMETERS],
        responses=UnitPositionOutputSerializer,
    )
    def get(self, request: Request) -> Response:
        return self._handle(request)

    @extend_schema(
        summary="A unit's position in the OsmAnd protocol (form or JSON body)",
        request=None,
        responses=UnitPositionOutputSerializer,
    )
    def post(self, request: Request) -> Response:
        return self._handle(request)

    def _handle(self, request: Request) -> Response:
        try:
            reports = osmand.read_osmand_request(
                method=request.method or "GET",
                query=request.query_params,
                body=request._request.body,
                content_type=request.content_type,
            )
            unit = unit_position_report(credential=request_device(request), reports=reports)
        except ReportError as error:
            raise exceptions.ValidationError({error.field: [error.message]}) from None
        except Unit.DoesNotExist:
            raise exceptions.AuthenticationFailed(
                _("No unit in service has this device."), code="unknown_device"
            ) from None
        return Response({"unit": unit.call_sign, "position_at": unit.position_at})
