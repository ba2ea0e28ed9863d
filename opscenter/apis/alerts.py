"""REST for alerts, scoped to the caller: list, detail and the lifecycle actions."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opscenter.models import OPEN_STATUSES, Alert, AlertStatus, Disposition, Severity
from opscenter.requests import request_user
from opscenter.selectors import alert_detail, alert_get, alert_list, units_visible
from opscenter.serializers import AlertDetailSerializer, AlertEventSerializer, AlertSerializer
from opscenter.services.alerts import alert_acknowledge, alert_comment, alert_dispatch, alert_resolve
from opscenter.services.beside import alert_beside
from opscenter.services.details import alert_details_read
from opscenter.services.preplans import alert_plan


class AlertListApi(APIView):
    MULTIPLE = ("status", "severity", "source", "district")  # repeated parameters: ?severity=1&severity=2

    class AlertFilterSerializer(serializers.Serializer):
        status = serializers.MultipleChoiceField(choices=[*AlertStatus.values, "open"], required=False)
        severity = serializers.MultipleChoiceField(choices=Severity.values, required=False)
        center = serializers.SlugField(required=False)
        # Named as the parameter, though Field has an attribute `source` (DRF takes fields off the class).
        source = serializers.ListField(  # type: ignore[assignment]
            child=serializers.SlugField(max_length=32), required=False
        )
        district = serializers.ListField(
            child=serializers.SlugField(max_length=32), required=False, help_text="District codes."
        )
        q = serializers.CharField(
            max_length=200,
            required=False,
            help_text="Words, each in the title, address or kind (any case): the console's search.",
        )
        since = serializers.DateTimeField(required=False, help_text="Changed at or after this moment.")
        limit = serializers.IntegerField(min_value=1, max_value=2000, default=500)
        offset = serializers.IntegerField(min_value=0, default=0)

    @extend_schema(
        parameters=[AlertFilterSerializer],
        responses=AlertSerializer(many=True),
        summary="Alerts in the caller's scope: escalated and unacknowledged first, then most severe, then oldest",
    )
    def get(self, request: Request) -> Response:
        filters = self.AlertFilterSerializer(
            data={k: request.query_params.getlist(k) if k in self.MULTIPLE else v
                  for k, v in request.query_params.items()}
        )  # fmt: skip
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        statuses = set(data.get("status") or ())
        if "open" in statuses:
            statuses = (statuses - {"open"}) | set(OPEN_STATUSES)
        alerts = alert_list(
            user=request_user(request),
            status=sorted(statuses) or None,
            severity=sorted(data.get("severity") or ()) or None,
            center=data.get("center"),
            since=data.get("since"),
            source=data.get("source") or None,
            district=data.get("district") or None,
            text=data.get("q") or None,
        )
        total = alerts.count()
        page = alerts[data["offset"] : data["offset"] + data["limit"]]
        return Response({"count": total, "results": AlertSerializer(page, many=True).data})


class AlertDetailApi(APIView):
    class AlertDetailOutputSerializer(AlertDetailSerializer):
        preplan = serializers.JSONField(
            read_only=True,
            allow_null=True,
            help_text="What to do (the kind's steps and the object's), whom to call back (duty phones) and "
            "the object's earlier alarms; null when there is no plan.",
        )
        beside = serializers.JSONField(
            read_only=True,
            help_text="Tiles to show beside it: the latest frames of the cameras watching what it is about, "
            "then of those nearest its place (kind, id, title, image_url, frame_url, page_url, up, health, taken_at, metres, watches, own).",
        )

        class Meta(AlertDetailSerializer.Meta):
            fields = [*AlertDetailSerializer.Meta.fields, "preplan", "beside"]
            read_only_fields = fields

    @extend_schema(responses=AlertDetailOutputSerializer, summary="One alert with its timeline and its pre-plan")
    def get(self, request: Request, alert_pk: int) -> Response:
        user = request_user(request)
        alert = alert_detail(user=user, alert_pk=alert_pk)
        return Response(
            {
                **AlertDetailSerializer(alert).data,
                "preplan": alert_plan(user=user, alert=alert),
                "beside": alert_beside(user=user, alert=alert),
            }
        )


class AlertAcknowledgeApi(APIView):
    @extend_schema(request=None, responses=AlertSerializer, summary="Acknowledge (harmless when repeated)")
    def post(self, request: Request, alert_pk: int) -> Response:
        alert = alert_acknowledge(
            alert=alert_get(user=request_user(request), alert_pk=alert_pk), actor=request_user(request)
        )
        return Response(AlertSerializer(alert).data)


class AlertDispatchApi(APIView):
    class AlertDispatchInputSerializer(serializers.Serializer):
        units = serializers.ListField(
            child=serializers.IntegerField(min_value=1), min_length=1, max_length=20, help_text="Units' ids."
        )

    @extend_schema(
        request=AlertDispatchInputSerializer,
        responses=AlertSerializer,
        summary="Send units (available, of the caller's scope) to the alert",
    )
    def post(self, request: Request, alert_pk: int) -> Response:
        data = self.AlertDispatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request_user(request)
        alert = alert_get(user=user, alert_pk=alert_pk)
        wanted = set(data.validated_data["units"])
        units = list(units_visible(user=user).filter(pk__in=wanted))
        if len(units) != len(wanted):
            raise exceptions.ValidationError({"units": [_("A unit chosen is not one of your scope.")]})
        alert = alert_dispatch(alert=alert, actor=user, units=units)
        return Response(AlertSerializer(alert).data)


class AlertResolveApi(APIView):
    class AlertResolveInputSerializer(serializers.Serializer):
        disposition = serializers.ChoiceField(choices=Disposition.choices)
        note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    @extend_schema(request=AlertResolveInputSerializer, responses=AlertSerializer, summary="Resolve with a disposition")
    def post(self, request: Request, alert_pk: int) -> Response:
        data = self.AlertResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = alert_get(user=request_user(request), alert_pk=alert_pk)
        alert = alert_resolve(alert=alert, actor=request_user(request), **data.validated_data)
        return Response(AlertSerializer(alert).data)


class AlertCommentApi(APIView):
    class AlertCommentInputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=4000)

    @extend_schema(request=AlertCommentInputSerializer, responses=AlertEventSerializer, summary="Comment on an alert")
    def post(self, request: Request, alert_pk: int) -> Response:
        data = self.AlertCommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = alert_get(user=request_user(request), alert_pk=alert_pk)
        event = alert_comment(alert=alert, actor=request_user(request), text=data.validated_data["text"])
        return Response(AlertEventSerializer(event).data, status=status.HTTP_201_CREATED)


class AlertDetailsApi(APIView):
    """POST, not GET: a read of personal data carries its reason in the body (never in a URL, where logs
    and history would keep it) and writes an audit entry."""

    class AlertDetailsInputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    class AlertDetailsOutputSerializer(serializers.Serializer):
        alert = serializers.IntegerField()
        details = serializers.JSONField(allow_null=True, help_text="null when the alert's app has none.")

    @extend_schema(
        request=AlertDetailsInputSerializer,
        responses=AlertDetailsOutputSerializer,
        summary="The personal data behind an alert: audited; a reason unless you are working the alert",
    )
    def post(self, request: Request, alert_pk: int) -> Response:
        data = self.AlertDetailsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        details = alert_details_read(
            user=request_user(request), alert=Alert(pk=alert_pk), reason=data.validated_data["reason"]
        )
        response = Response({"alert": alert_pk, "details": details})
        response["Cache-Control"] = "private, no-store"
        return response
