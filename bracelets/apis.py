"""Intake over HTTP, authenticated by the device's secret (Bearer header, or `key` in the URL):

- `GET|POST /api/v1/tracking/osmand`: the OsmAnd protocol as Traccar accepts it (query, form, JSON body);
- `POST /api/v1/tracking/traccar`: Traccar's JSON position forwarding (a bracelet's or a gateway's secret);
- `POST /api/v1/tracking/batch`: positions a device buffered while out of coverage.

Unknown device or wrong secret: 401, nothing stored. Malformed input: 400 naming the field. All of it
goes to `reports_receive`, the one place positions are judged.
"""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bracelets.services.evaluation import BRACELET_KIND, GATEWAY_KIND, Outcome, reports_receive
from opscenter import osmand
from opscenter.authentication import DeviceSecretAuthentication, DeviceUseRecording
from opscenter.osmand import Report, ReportError
from opscenter.parsers import JSONTooDeep, json_loads
from opscenter.requests import request_device
from opscenter.throttling import DeviceRateThrottle

OSMAND_PARAMETERS = ("id", "timestamp", "lat", "lon", "speed", "bearing", "altitude", "accuracy", "batt", "valid",
                     "alarm", "key")  # fmt: skip


class BraceletAuthentication(DeviceSecretAuthentication):
    credential_kind = BRACELET_KIND


class ForwarderAuthentication(DeviceSecretAuthentication):
    """A bracelet's own secret, or a gateway's (a Traccar server forwarding every device it serves)."""

    credential_kind = None

    def authenticate(self, request: Request):
        result = super().authenticate(request)
        if result is not None and result[0].kind not in (BRACELET_KIND, GATEWAY_KIND):
            raise exceptions.AuthenticationFailed(code="bad_credentials")
        return result


class BraceletSecretScheme(OpenApiAuthenticationExtension):
    target_class = "bracelets.apis.BraceletAuthentication"
    name = "braceletSecret"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The bracelet's secret (or `?key=` in the URL)."}


class ForwarderSecretScheme(OpenApiAuthenticationExtension):
    target_class = "bracelets.apis.ForwarderAuthentication"
    name = "forwarderSecret"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A bracelet's or a gateway's secret."}


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(source="status")
    position_id = serializers.IntegerField(source="position_pk", allow_null=True)


class BatchOutputSerializer(serializers.Serializer):
    stored = serializers.IntegerField()
    late = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    contact = serializers.IntegerField()


def _json_body(request: Request):
    try:
        return json_loads(request._request.body or b"null")
    except JSONTooDeep as error:
        raise exceptions.ValidationError({"body": [str(error)]}) from None
    except (ValueError, UnicodeDecodeError):
        raise exceptions.ValidationError({"body": ["The body is not valid JSON."]}) from None


def _receive(request: Request, reports: list[Report], source: str) -> list[Outcome]:
    try:
        return reports_receive(credential=request_device(request), reports=reports, source=source)
    except ReportError as error:
        raise exceptions.ValidationError({error.field: [error.message]}) from None


class _IntakeApi(DeviceUseRecording, APIView):
    authentication_classes = [BraceletAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [DeviceRateThrottle]
    # The body is read here, in the protocol's own way, never through DRF's parsers.
    parser_classes: list = []


class TrackingOsmAndApi(_IntakeApi):
    @extend_schema(
        summary="A position in the OsmAnd protocol (query parameters)",
        parameters=[OpenApiParameter(name, str, required=False) for name in OSMAND_PARAMETERS],
        responses=OutcomeSerializer,
    )
    def get(self, request: Request) -> Response:
        return self._handle(request)

    @extend_schema(summary="A position in the OsmAnd protocol (form or JSON body)", request=None,
                   responses=OutcomeSerializer)  # fmt: skip
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
        except ReportError as error:
            raise exceptions.ValidationError({error.field: [error.message]}) from None
        outcomes = _receive(request, reports, "osmand")
        if len(outcomes) == 1:
            return Response(OutcomeSerializer(outcomes[0]).data)
        return Response(_counts(outcomes))


class TrackingTraccarApi(_IntakeApi):
    authentication_classes = [ForwarderAuthentication]

    @extend_schema(summary="A position forwarded by Traccar (forward.type=json)", request=None,
                   responses=OutcomeSerializer)  # fmt: skip
    def post(self, request: Request) -> Response:
        try:
            report = osmand.read_traccar_forward(_json_body(request))
        except ReportError as error:
            raise exceptions.ValidationError({error.field: [error.message]}) from None
        if request_device(request).kind == GATEWAY_KIND and not report.device_id:
            raise exceptions.ValidationError({"device.uniqueId": ["A gateway must name the device."]})
        outcome = _receive(request, [report], "traccar")[0]
        return Response(OutcomeSerializer(outcome).data)


class TrackingBatchApi(_IntakeApi):
    @extend_schema(summary="Buffered positions of one bracelet", request=None, responses=BatchOutputSerializer)
    def post(self, request: Request) -> Response:
        try:
            reports = osmand.read_batch(_json_body(request), limit=settings.BRACELET_BATCH_MAX_POSITIONS)
        except ReportError as error:
            raise exceptions.ValidationError({error.field: [error.message]}) from None
        return Response(_counts(_receive(request, reports, "batch")))


def _counts(outcomes: list[Outcome]) -> dict[str, int]:
    counts = {"stored": 0, "late": 0, "duplicate": 0, "contact": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts
