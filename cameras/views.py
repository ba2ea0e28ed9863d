"""Pages and pictures of cameras for operators: frames only to those whose scope holds the camera."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cameras.models import EventKind, EventPicture
from cameras.selectors import cameras_visible, wall_cameras
from opscenter.permissions import Capability, has
from opscenter.requests import request_user
from opscenter.selectors import districts_visible


def jpeg_response(file, *, cache: str = "private, max-age=2") -> FileResponse:
    """A stored JPEG, never sniffed as anything else, cached only by the one who may see it."""
    response = FileResponse(file.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache
    return response


@login_required
@require_GET
def latest_frame(request: HttpRequest, camera_pk: int) -> FileResponse:
    """The camera's latest stored frame (the video wall's tile, the frame beside an alert)."""
    camera = cameras_visible(user=request_user(request)).filter(pk=camera_pk).first()
    if camera is None or not camera.latest_frame:
        raise Http404
    return jpeg_response(camera.latest_frame)


@login_required
@require_GET
def event_picture(request: HttpRequest, picture_pk: int) -> FileResponse:
    """A picture of an event (best snapshot, before, after, plate) of a camera in the user's scope."""
    user = request_user(request)
    visible = cameras_visible(user=user)
    picture = EventPicture.objects.filter(pk=picture_pk, event__camera__in=visible).select_related("event").first()
    if picture is None:
        raise Http404
    if picture.event.kind == EventKind.ANPR and not has(user, Capability.PLATE_SEARCH):
        raise Http404  # a plate read's pictures: for those who search reads, with a reason (plate search)
    return jpeg_response(picture.file)


@login_required
@require_GET
def wall(request: HttpRequest) -> HttpResponse:
    """The video wall: a tile per camera of the user's scope (its latest frame, health, last events),
    filtered by center and district; the tiles refresh themselves (cameras/wall.js)."""
    user = request_user(request)
    if not has(user, Capability.CAMERA_VIEW):
        raise PermissionDenied
    districts = list(districts_visible(user=user).select_related("center").order_by("center__code", "code"))
    district = request.GET.get("district", "")
    center = request.GET.get("center", "")
    cameras = wall_cameras(user=user, district=district, center=center)
    centers = sorted({(d.center.code, d.center.name) for d in districts}, key=lambda pair: pair[1])
    context = {"cameras": cameras, "districts": districts, "centers": centers, "district": district, "center": center}
    return render(request, "cameras/wall.html", context)
