"""Smart cameras pushing their events: Hikvision ISAPI "HTTP listening" posts to
`/api/v1/cameras/isapi/<token>/`, the token being the camera's device credential. The body is parsed
here (cameras.isapi), not by Django's multipart parser, which drops parts without a name.

Always 200 for a known camera, even for a body we cannot read (recorded and logged): a camera that is
refused repeats itself forever. An unknown token (401) or an address outside the camera's networks
(403) stores nothing; a body over the limit is refused with 413 before it is read (opscenter.bodylimit).
The 200 goes out only after what it carried committed."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cameras.isapi import IsapiError, parse_notification
from cameras.models import Camera, PushProtocol
from cameras.services.pushed import isapi_events_store
from cameras.services.registry import CREDENTIAL_KIND
from opscenter.middleware import client_address
from opscenter.networks import address_allowed
from opscenter.services.credentials import credential_used, credential_verify

logger = logging.getLogger(__name__)

OK = b'<?xml version="1.0" encoding="UTF-8"?>\n<ResponseStatus><statusCode>1</statusCode><statusString>OK</statusString></ResponseStatus>\n'


@csrf_exempt
@require_POST
def isapi_push(request: HttpRequest, token: str) -> HttpResponse:
    credential = credential_verify(secret=token, kind=CREDENTIAL_KIND)
    cameras = (
        list(Camera.objects.select_related("district").filter(credential=credential, push_protocol=PushProtocol.ISAPI))
        if credential
        else []
    )  # a drone's track token, or a camera that does not push, is no ISAPI push URL
    if not cameras:
        return JsonResponse({"detail": "Unknown camera token.", "code": "not_authenticated"}, status=401)
    address = client_address(request)
    if not all(address_allowed(address, camera.source_networks) for camera in cameras):
        logger.warning("ISAPI push for cameras %s from %s, outside their networks", [c.pk for c in cameras], address)
        return JsonResponse({"detail": "Not from this camera's network.", "code": "permission_denied"}, status=403)
    received_at = timezone.now()
    try:
        # Read past DATA_UPLOAD_MAX_MEMORY_SIZE: the body limit of this path (opscenter.bodylimit) bounds it.
        events = parse_notification(request.read(), request.META.get("CONTENT_TYPE", ""))
    except IsapiError as error:
        logger.warning("ISAPI push for cameras %s unreadable: %s", [c.pk for c in cameras], error)
        Camera.objects.filter(pk__in=[c.pk for c in cameras]).update(
            last_contact_at=received_at, last_error=f"unreadable push: {error}"[:300]
        )
        return HttpResponse(OK, content_type="application/xml")
    isapi_events_store(cameras=cameras, events=events, received_at=received_at)
    assert credential is not None
    credential_used(credential=credential, now=received_at)
    return HttpResponse(OK, content_type="application/xml")
