"""REST of the alarms app: the response report per center and period."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alarms.selectors import alarm_response_report
from opscenter.permissions import Capability, require
from opscenter.selectors import centers_visible


class AlarmReportFilterSerializer(serializers.Serializer):
    center = serializers.SlugField(required=False)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)

    def validate(self, attrs: dict) -> dict:
        """The page's rules for a period (opscenter.reports.PeriodForm), for moments: from before to,
        not after now, at most REPORT_MAX_DAYS long."""
        now = timezone.now()
        until = attrs.get("until") or now
        since = attrs.get("since") or until - timedelta(days=30)
        if until > now + timedelta(minutes=1):
            raise serializers.ValidationError({"until": [_("The period cannot end in the future.")]})
        if since >= until:
            raise serializers.ValidationError({"since": [_("The start of the period must be before its end.")]})
        if until - since > timedelta(days=settings.REPORT_MAX_DAYS):
            raise serializers.ValidationError(
                {"since": [_("A report covers at most %(max)s days.") % {"max": settings.REPORT_MAX_DAYS}]}
            )
        return {**attrs, "since": since, "until": until}


def report_arguments(user, query) -> dict:
    """Validate the filters, resolve the center inside the user's scope."""
    require(user, Capability.REPORTS_VIEW)
    filters = AlarmReportFilterSerializer(data=query)
    filters.is_valid(raise_exception=True)
    data = filters.validated_data
    until, since = data["until"], data["since"]
    center = None
    if data.get("center"):
        center = centers_visible(user=user).filter(code=data["center"]).first()
        if center is None:
            raise serializers.ValidationError({"center": [_("Unknown center, or not in your scope.")]})
    return {"user": user, "since": since, "until": until, "center": center}


class AlarmReportApi(APIView):
    class OutputSerializer(serializers.Serializer):
        center = serializers.CharField(source="center.code", default=None)
        since = serializers.DateTimeField()
        until = serializers.DateTimeField()
        alarms = serializers.IntegerField()
        acknowledged = serializers.IntegerField()
        acknowledge_p50 = serializers.FloatField(allow_null=True)
        acknowledge_p90 = serializers.FloatField(allow_null=True)
        acknowledge_p99 = serializers.FloatField(allow_null=True)
        within_30s = serializers.FloatField(allow_null=True)
        within_60s = serializers.FloatField(allow_null=True)
        by_disposition = serializers.DictField(child=serializers.IntegerField())
        silent_alerts = serializers.IntegerField()
        silent_now = serializers.ListField(child=serializers.DictField())
        unauthenticated = serializers.ListField(child=serializers.DictField())
        per_object = serializers.ListField(child=serializers.DictField())

    @extend_schema(
        parameters=[AlarmReportFilterSerializer], responses=OutputSerializer, summary="Alarm response report"
    )
    def get(self, request: Request) -> Response:
        report = alarm_response_report(**report_arguments(request.user, request.query_params))
        return Response(self.OutputSerializer(report).data)
