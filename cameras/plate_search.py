"""An analyst's plate search, over REST and on a page: a pattern (`*` any run, `?` one character), a
period and a reason, which is never pre-filled and is audited with the search (cameras.services.plates).
The reads come with their crops and context frames, served only to those who may search the scope."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cameras.models import PlateRead
from cameras.selectors import cameras_visible
from cameras.services.plates import plate_reads_search
from cameras.views import jpeg_response
from opscenter.errors import DomainError
from opscenter.permissions import Capability, capability_permission, has
from opscenter.requests import request_user

MAX_RESULTS = 200


class PlateSearchInput(serializers.Serializer):
    pattern = serializers.CharField(max_length=32, help_text="Plate, with * for any run and ? for one character.")
    reason = serializers.CharField(max_length=500, help_text="Why: a case number or a purpose (audited).")
    since = serializers.DateTimeField(required=False, allow_null=True)
    until = serializers.DateTimeField(required=False, allow_null=True)


class PlateReadOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    display = serializers.CharField()
    country = serializers.CharField()
    region = serializers.CharField()
    confidence = serializers.FloatField()
    read_at = serializers.DateTimeField()
    camera = serializers.CharField()
    origin = serializers.CharField(help_text="worker, camera, speed or patrol: who read it.")
    direction = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    crop_url = serializers.CharField(allow_null=True)
    context_url = serializers.CharField(allow_null=True)


def read_as_dict(read: PlateRead) -> dict:
    return {
        "id": read.pk,
        "text": read.text,
        "display": read.display,
        "country": read.country,
        "region": read.region,
        "confidence": read.confidence,
        "read_at": read.read_at,
        "camera": read.camera.name,
        "origin": read.source,
        "direction": read.direction,
        "latitude": read.latitude,
        "longitude": read.longitude,
        "crop_url": reverse("cameras:plate-picture", args=[read.pk, "crop"]) if read.crop else None,
        "context_url": reverse("cameras:plate-picture", args=[read.pk, "context"]) if read.context else None,
    }


class PlateSearchApi(APIView):
    permission_classes = [capability_permission(Capability.PLATE_SEARCH)]

    @extend_schema(
        request=PlateSearchInput,
        responses=PlateReadOutput(many=True),
        summary="Search the plate reads of the caller's scope (a reason is required and audited)",
    )
    def post(self, request: Request) -> Response:
        given = PlateSearchInput(data=request.data)
        given.is_valid(raise_exception=True)
        reads = plate_reads_search(actor=request_user(request), **given.validated_data)[:MAX_RESULTS]
        return Response(PlateReadOutput([read_as_dict(read) for read in reads], many=True).data)


@login_required
@require_http_methods(["GET", "POST"])
def plate_search_page(request: HttpRequest) -> HttpResponse:
    """The page: the form (the reason field always empty), and after a search its reads."""
    user = request_user(request)
    if not has(user, Capability.PLATE_SEARCH):
        raise PermissionDenied
    context: dict = {"pattern": "", "since": "", "until": "", "reads": None, "error": ""}
    if request.method == "POST":
        given = PlateSearchInput(
            data={
                "pattern": request.POST.get("pattern", ""),
                "reason": request.POST.get("reason", ""),
                "since": request.POST.get("since") or None,
                "until": request.POST.get("until") or None,
            }
        )
        context.update(
            pattern=request.POST.get("pattern", ""),
            since=request.POST.get("since", ""),
            until=request.POST.get("until", ""),
        )
        if not given.is_valid():
            context["error"] = _("Give a plate pattern and a reason.")
        else:
            try:
                reads = plate_reads_search(actor=user, **given.validated_data)[:MAX_RESULTS]
                context["reads"] = [read_as_dict(read) for read in reads]
            except DomainError as error:
                context["error"] = str(error.detail)
    return render(request, "cameras/plate_search.html", context)


@login_required
@require_GET
def plate_picture(request: HttpRequest, read_pk: int, which: str) -> FileResponse:
    """A read's crop or context frame, for one who may search the reads of its camera's scope."""
    user = request_user(request)
    if which not in ("crop", "context") or not has(user, Capability.PLATE_SEARCH):
        raise Http404
    read = PlateRead.objects.filter(pk=read_pk, camera__in=cameras_visible(user=user)).first()
    picture = getattr(read, which) if read is not None else None
    if not picture:
        raise Http404
    return jpeg_response(picture, cache="private, no-store")
