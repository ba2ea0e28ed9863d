"""REST for incidents, scoped to the caller: list, detail, and one view per operation (create, link,
unlink, acknowledge, resolve)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opscenter.models import Alert, Disposition, Incident
from opscenter.requests import request_user
from opscenter.selectors import incident_alerts, incident_get, incident_list
from opscenter.serializers import AlertSerializer, IncidentSerializer
from opscenter.services.incidents import (
    incident_acknowledge,
    incident_create,
    incident_link,
    incident_resolve,
    incident_unlink,
)


class IncidentDetailOutputSerializer(IncidentSerializer):
    alerts = AlertSerializer(many=True, read_only=True, help_text="The incident's alerts the caller may see.")

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "alerts"]
        read_only_fields = fields


def _detail(request: Request, incident: Incident, *, status_code: int = status.HTTP_200_OK) -> Response:
    """The incident as it is now, with the alerts the caller may see."""
    user = request_user(request)
    incident = incident_get(user=user, incident_pk=incident.pk)
    data = {
        **IncidentSerializer(incident).data,
        "alerts": AlertSerializer(incident_alerts(user=user, incident=incident), many=True).data,
    }
    return Response(data, status=status_code)


class IncidentListApi(APIView):
    class IncidentFilterSerializer(serializers.Serializer):
        open = serializers.BooleanField(required=False, default=False, help_text="Only incidents not resolved.")
        center = serializers.SlugField(required=False)
        limit = serializers.IntegerField(min_value=1, max_value=500, default=100)
        offset = serializers.IntegerField(min_value=0, default=0)

    @extend_schema(
        parameters=[IncidentFilterSerializer], responses=IncidentSerializer(many=True),
        summary="Incidents in the caller's scope, newest first",
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        filters = self.IncidentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        incidents = incident_list(user=request_user(request), open_only=data["open"], center=data.get("center"))
        total = incidents.count()
        page = incidents[data["offset"] : data["offset"] + data["limit"]]
        return Response({"count": total, "results": IncidentSerializer(page, many=True).data})


class IncidentDetailApi(APIView):
    @extend_schema(responses=IncidentDetailOutputSerializer, summary="One incident with its alerts")
    def get(self, request: Request, incident_pk: int) -> Response:
        return _detail(request, Incident(pk=incident_pk))


class IncidentCreateApi(APIView):
    class IncidentCreateInputSerializer(serializers.Serializer):
        alerts = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=200)
        title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(
        request=IncidentCreateInputSerializer, responses={201: IncidentDetailOutputSerializer},
        summary="Link alerts of one center into a new incident",
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        data = self.IncidentCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incident_create(
            actor=request_user(request),
            alerts=[Alert(pk=pk) for pk in data.validated_data["alerts"]],
            title=data.validated_data["title"],
        )
        return _detail(request, incident, status_code=status.HTTP_201_CREATED)


class IncidentLinkApi(APIView):
    class IncidentLinkInputSerializer(serializers.Serializer):
        alerts = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=200)

    @extend_schema(
        request=IncidentLinkInputSerializer, responses=IncidentDetailOutputSerializer,
        summary="Link more alerts to an open incident (those already in it are left as they are)",
    )  # fmt: skip
    def post(self, request: Request, incident_pk: int) -> Response:
        data = self.IncidentLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incident_link(
            incident=Incident(pk=incident_pk),
            actor=request_user(request),
            alerts=[Alert(pk=pk) for pk in data.validated_data["alerts"]],
        )
        return _detail(request, incident)


class IncidentUnlinkApi(APIView):
    class IncidentUnlinkInputSerializer(serializers.Serializer):
        alert = serializers.IntegerField(min_value=1)

    @extend_schema(
        request=IncidentUnlinkInputSerializer, responses=IncidentDetailOutputSerializer,
        summary="Take an alert out of an open incident",
    )  # fmt: skip
    def post(self, request: Request, incident_pk: int) -> Response:
        data = self.IncidentUnlinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incident_unlink(
            incident=Incident(pk=incident_pk), actor=request_user(request), alert=Alert(pk=data.validated_data["alert"])
        )
        return _detail(request, incident)


class IncidentAcknowledgeApi(APIView):
    @extend_schema(
        request=None, responses=IncidentDetailOutputSerializer,
        summary="Acknowledge the incident and each of its new alerts",
    )  # fmt: skip
    def post(self, request: Request, incident_pk: int) -> Response:
        incident = incident_acknowledge(incident=Incident(pk=incident_pk), actor=request_user(request))
        return _detail(request, incident)


class IncidentResolveApi(APIView):
    class IncidentResolveInputSerializer(serializers.Serializer):
        disposition = serializers.ChoiceField(choices=Disposition.choices)
        note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    @extend_schema(
        request=IncidentResolveInputSerializer, responses=IncidentDetailOutputSerializer,
        summary="Resolve the incident and each of its open alerts with one disposition",
    )  # fmt: skip
    def post(self, request: Request, incident_pk: int) -> Response:
        data = self.IncidentResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incident_resolve(
            incident=Incident(pk=incident_pk), actor=request_user(request), **data.validated_data
        )
        return _detail(request, incident)
