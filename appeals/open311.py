"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the same appeals: any city app that
speaks it files and follows appeals with its partner's Open311 `api_key`.

JSON only. Errors are the spec's `[{"code", "description"}]`; datetimes are ISO 8601 with the offset
(local time, Asia/Oral). Service requests are the partner's own appeals: another partner's do not exist
here, whatever their number. `media_url` is not fetched (upload through the partner API instead).
"""

import math
from datetime import datetime, time, timedelta
from functools import wraps
from types import SimpleNamespace
from typing import cast

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from rest_framework.request import Request
from rest_framework.views import APIView

from appeals.models import (
    ANONYMOUS_CATEGORIES,
    OPEN_STATUSES,
    Appeal,
    AppealCategory,
    AppealStatus,
    AppealType,
    Channel,
    Partner,
)
from appeals.selectors import appeal_public_history
from appeals.services.appeals import AppealInput, AppealInputError, ApplicantInput, appeal_submit
from opscenter.services.credentials import credential_used, credential_verify
from opscenter.throttling import PartnerRateThrottle

CREDENTIAL_KIND = "open311"
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
DEFAULT_APPEAL_TYPE = AppealType.REPORT


def _error(status: int, description: str) -> JsonResponse:
    return JsonResponse([{"code": status, "description": description}], status=status, safe=False)


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _datetime(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def json_only(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, response_format: str, **kwargs):
        if response_format != "json":
            return _error(400, _("Only the json format is served."))
        return view(request, *args, **kwargs)

    return wrapper


def _partner(request: HttpRequest) -> Partner | None:
    api_key = (request.POST.get("api_key") if request.method == "POST" else None) or request.GET.get("api_key", "")
    credential = credential_verify(secret=api_key, kind=CREDENTIAL_KIND) if api_key else None
    if credential is None:
        return None
    partner = Partner.objects.filter(code=credential.identifier, is_active=True).first()
    if partner is not None:
        credential_used(credential=credential)
    return partner


def _throttled(partner: Partner) -> JsonResponse | None:
    """The partner's rate, shared with its signed API (PartnerRateThrottle): 429 with Retry-After past it."""
    throttle = PartnerRateThrottle()
    # The throttle reads nothing of the request but its user (the credential's key), nor of the view: a page
    # outside DRF hands it just that.
    if throttle.allow_request(cast(Request, SimpleNamespace(user=partner)), APIView()):
        return None
    wait = math.ceil(throttle.wait() or 1)
    response = _error(429, _("Too many requests: retry in %(seconds)d s.") % {"seconds": wait})
    response["Retry-After"] = str(wait)
    return response


def _service(category: AppealCategory) -> dict:
    return {
        "service_code": category.value,
        "service_name": str(category.label),
        "description": _(
            "Appeal to the police of the West Kazakhstan oblast: %(category)s. Not an emergency "
            "channel: in an emergency call 102."
        )
        % {"category": category.label},
        "metadata": True,
        "type": "realtime",
        "keywords": category.value.replace("_", ","),
        "group": _("Police"),
    }


@require_http_methods(["GET"])
@json_only
def discovery(request: HttpRequest) -> JsonResponse:
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"response_format": "json"}))
    return _json(
        {
            "changeset": "2026-01-01T00:00:00+05:00",
            "contact": _("Police department of the West Kazakhstan oblast"),
            "key_service": _("api_key is issued to partners by the administrator (appeals_add_partner --open311)."),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base.rsplit("/services.json", 1)[0],
                    "changeset": "2026-01-01T00:00:00+05:00",
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


@require_http_methods(["GET"])
@json_only
def service_list(request: HttpRequest) -> JsonResponse:
    return _json([_service(category) for category in AppealCategory])


@require_http_methods(["GET"])
@json_only
def service_definition(request: HttpRequest, service_code: str) -> JsonResponse:
    if service_code not in AppealCategory.values:
        return _error(404, _("No service has the code %(code)s.") % {"code": service_code})
    anonymous = service_code in ANONYMOUS_CATEGORIES
    return _json(
        {
            "service_code": service_code,
            "attributes": [
                {
                    "variable": True,
                    "code": "appeal_type",
                    "datatype": "singlevaluelist",
                    "required": False,
                    "datatype_description": _("The type of appeal (Administrative Procedure Code); report if absent."),
                    "order": 1,
                    "description": _("Type of appeal"),
                    "values": [{"key": kind.value, "name": str(kind.label)} for kind in AppealType],
                },
                {
                    "variable": True,
                    "code": "applicant_iin",
                    "datatype": "string",
                    "required": not anonymous,
                    "datatype_description": _(
                        "12 digits. Without it the appeal is anonymous, which this service "
                        "accepts only when it reports an offence or a threat."
                    ),
                    "order": 2,
                    "description": _("Applicant's IIN"),
                },
                {
                    "variable": True,
                    "code": "occurred_at",
                    "datatype": "datetime",
                    "required": False,
                    "datatype_description": _("When it happened, ISO 8601 with the offset."),
                    "order": 3,
                    "description": _("Occurred at"),
                },
            ],
        }
    )


def _request_item(appeal: Appeal, *, notes: str | None = None) -> dict:
    closed = appeal.status not in OPEN_STATUSES
    expected = timezone.make_aware(datetime.combine(appeal.deadline, time(18, 0)))
    if notes is None:
        notes = appeal.public_answer or appeal.resolution_reason or None
    return {
        "service_request_id": appeal.registration_number,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": str(AppealCategory(appeal.category).label),
        "service_code": appeal.category,
        "description": appeal.description,
        "agency_responsible": (appeal.district or appeal.center).name,
        "service_notice": _notice(appeal),
        "requested_datetime": _datetime(appeal.received_at),
        "updated_datetime": _datetime(appeal.updated_at),
        "expected_datetime": _datetime(expected),
        "address": appeal.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": appeal.latitude,
        "long": appeal.longitude,
        "media_url": None,
    }


def _notice(appeal: Appeal) -> str:
    if appeal.status == AppealStatus.REDIRECTED:
        return _("Redirected to %(body)s.") % {"body": appeal.redirected_to}
    return _("Registered as %(number)s; the answer is due by %(deadline)s. Not an emergency channel: call 102.") % {
        "number": appeal.registration_number,
        "deadline": appeal.deadline.isoformat(),
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
@json_only
def request_list(request: HttpRequest) -> JsonResponse:
    partner = _partner(request)
    if partner is None:
        return _error(403, _("A valid api_key is required."))
    if (refusal := _throttled(partner)) is not None:
        return refusal
    if request.method == "POST":
        return _request_create(request, partner)
    appeals = Appeal.objects.filter(partner=partner).select_related("district", "center")
    if request.GET.get("service_request_id"):
        numbers = [number.strip() for number in request.GET["service_request_id"].split(",") if number.strip()]
        appeals = appeals.filter(registration_number__in=numbers)
    else:
        try:
            start, end = _parse_date(request.GET.get("start_date")), _parse_date(request.GET.get("end_date"))
        except ValueError as error:
            return _error(400, str(error))
        end = end or timezone.now()
        start = start or end - DEFAULT_WINDOW
        appeals = appeals.filter(received_at__gte=start, received_at__lte=end)
        if request.GET.get("service_code"):
            appeals = appeals.filter(category__in=request.GET["service_code"].split(","))
        statuses = {status.strip() for status in request.GET.get("status", "").split(",") if status.strip()}
        if statuses - {"open", "closed"}:
            return _error(400, _("status must be open, closed, or both."))
        if statuses == {"open"}:
            appeals = appeals.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            appeals = appeals.exclude(status__in=OPEN_STATUSES)
    return _json([_request_item(appeal) for appeal in appeals.order_by("-received_at", "-pk")[:MAX_RESULTS]])


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(_("Not a W3C datetime: %(value)s") % {"value": value})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _request_create(request: HttpRequest, partner: Partner) -> JsonResponse:
    form = request.POST
    service_code = form.get("service_code", "")
    if service_code not in AppealCategory.values:
        return _error(400, _("service_code: no service has the code %(code)s.") % {"code": service_code})
    try:
        latitude = float(form["lat"]) if form.get("lat") else None
        longitude = float(form["long"]) if form.get("long") else None
    except ValueError:
        return _error(400, _("lat and long must be numbers."))
    if (latitude is not None and not -90 <= latitude <= 90) or (longitude is not None and not -180 <= longitude <= 180):
        return _error(400, _("lat and long are out of range."))
    if latitude is None and longitude is None and not form.get("address_string", "").strip():
        return _error(400, _("A location is required: lat and long, or address_string."))
    appeal_type = form.get("attribute[appeal_type]", "") or DEFAULT_APPEAL_TYPE
    iin = form.get("attribute[applicant_iin]", "").strip()
    try:
        occurred_at = _parse_date(form.get("attribute[occurred_at]"))
    except ValueError as error:
        return _error(400, f"attribute[occurred_at]: {error}")
    full_name = " ".join(
        part for part in (form.get("last_name", "").strip(), form.get("first_name", "").strip()) if part
    )
    data = AppealInput(
        category=service_code,
        appeal_type=appeal_type,
        description=form.get("description", ""),
        occurred_at=occurred_at,
        latitude=latitude,
        longitude=longitude,
        address=form.get("address_string", ""),
        applicant=ApplicantInput(iin, full_name, form.get("phone", "")) if iin else None,
        anonymous=not iin,
        partner_reference=form.get("device_id", "")[:100],
    )
    try:
        appeal = appeal_submit(partner=partner, data=data, channel=Channel.OPEN311)
    except AppealInputError as error:
        return _error(400, f"{_open311_field(error.field)}: {error.detail}")
    return _json(
        [{"service_request_id": appeal.registration_number, "service_notice": _notice(appeal), "account_id": None}],
        status=201,
    )


def _open311_field(field: str) -> str:
    return {
        "category": "service_code",
        "appeal_type": "attribute[appeal_type]",
        "location": "lat/long/address_string",
        "anonymous": "attribute[applicant_iin]",
        "applicant": "attribute[applicant_iin]",
        "applicant.iin": "attribute[applicant_iin]",
        "applicant.full_name": "first_name/last_name",
    }.get(field, field)


@require_http_methods(["GET"])
@json_only
def request_detail(request: HttpRequest, service_request_id: str) -> JsonResponse:
    partner = _partner(request)
    if partner is None:
        return _error(403, _("A valid api_key is required."))
    if (refusal := _throttled(partner)) is not None:
        return refusal
    appeal = (
        Appeal.objects.filter(partner=partner, registration_number=service_request_id)
        .select_related("district", "center")
        .first()
    )
    if appeal is None:
        return _error(404, _("No service request has the id %(id)s.") % {"id": service_request_id})
    history = appeal_public_history(appeal=appeal)
    notes = (
        appeal.public_answer or appeal.resolution_reason or (history[-1].text if history and history[-1].text else None)
    )
    return _json([_request_item(appeal, notes=notes)])
