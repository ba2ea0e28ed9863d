"""The partner API of "Закон и порядок": signed requests from eGov Mobile, Kaspi.kz and Halyk Bank."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import parsers, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from appeals.authentication import PartnerSignatureAuthentication, RequestTooLarge, signed_request
from appeals.iin import iin_problem
from appeals.models import ALERT_CATEGORIES, ANONYMOUS_CATEGORIES, Appeal, AppealCategory, AppealType, Partner
from appeals.selectors import appeal_public_history, partner_appeal_get
from appeals.services.appeals import DESCRIPTION_MAX, AppealInput, AppealInputError, ApplicantInput, appeal_submit
from appeals.services.attachments import attachment_store
from appeals.services.idempotency import (
    idempotency_claim,
    idempotency_complete,
    idempotency_release,
    request_hash,
)
from opscenter.errors import DomainError
from opscenter.parsers import JSONParser
from opscenter.requests import authenticated_as
from opscenter.throttling import PartnerRateThrottle

JSON_BODY_MAX = 64 * 1024
IDEMPOTENCY_KEY_MAX = 255

ERROR = inline_serializer("AppealsError", {"detail": serializers.CharField(), "code": serializers.CharField()})
VALIDATION_ERROR = inline_serializer(
    "AppealsValidationError",
    {"detail": serializers.CharField(), "code": serializers.CharField(), "errors": serializers.DictField()},
)
SIGNED_ERRORS = {401: OpenApiResponse(ERROR, description="missing_signature, malformed_signature, stale_timestamp, "
                                                         "unknown_partner, bad_signature or replayed_request")}  # fmt: skip


class IdempotencyKeyRequired(DomainError):
    code = "idempotency_key_required"
    default_detail = _("The Idempotency-Key header is required: a unique value per appeal, reused for its retries.")


class IdempotencyKeyInvalid(DomainError):
    code = "idempotency_key_invalid"
    default_detail = _("The Idempotency-Key must be 1 to 255 printable ASCII characters.")


class PartnerApi(APIView):
    authentication_classes = [PartnerSignatureAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [PartnerRateThrottle]


def _validate_iin(value: str) -> None:
    problem = iin_problem(value)
    if problem is not None:
        raise serializers.ValidationError(_("Not a valid IIN: %(problem)s.") % {"problem": problem})


def _errors_for(field: str, detail: str) -> dict:
    """{"applicant": {"iin": [detail]}} for "applicant.iin"."""
    errors: dict = {}
    node = errors
    *parents, last = field.split(".")
    for parent in parents:
        node = node.setdefault(parent, {})
    node[last] = [detail]
    return errors


class AppealLocationSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AppealApplicantSerializer(serializers.Serializer):
    iin = serializers.CharField(min_length=12, max_length=12, validators=[_validate_iin])
    full_name = serializers.CharField(max_length=200)
    phone = serializers.RegexField(r"^\+?[0-9 ()-]{5,20}$", required=False, allow_blank=True, default="")


class PartnerAppealCreateApi(PartnerApi):
    parser_classes = [JSONParser]
    # An exact retry (same signature, same Idempotency-Key) passes authentication and gets the first response.
    idempotent_retries = True

    class InputSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=AppealCategory.choices)
        appeal_type = serializers.ChoiceField(choices=AppealType.choices)
        description = serializers.CharField(max_length=DESCRIPTION_MAX)
        occurred_at = serializers.DateTimeField(required=False, allow_null=True)
        location = AppealLocationSerializer()
        applicant = AppealApplicantSerializer(required=False, allow_null=True)
        anonymous = serializers.BooleanField(required=False, default=False)
        attachments = serializers.ListField(
            child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=20
        )
        partner_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "PartnerAppealInput"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        registration_number = serializers.CharField()
        status = serializers.CharField()
        registered_at = serializers.DateTimeField()
        deadline = serializers.DateField()

        class Meta:
            ref_name = "PartnerAppealCreated"

    @extend_schema(
        operation_id="partner_appeal_create",
        summary="File an appeal",
        description=(
            "Registers the appeal at once and returns its registration number and deadline (15 working days "
            "after registration; an appeal received on a day off is registered on the next working day). "
            "Retries must carry the same Idempotency-Key and body: they get the first response. This is not an "
            "emergency channel: the form must tell the citizen to call 102."
        ),
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="Unique per appeal; kept at least 24 hours.",
            )
        ],
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            400: VALIDATION_ERROR,
            409: OpenApiResponse(ERROR, description="idempotency_key_in_progress"),
            413: ERROR,
            422: OpenApiResponse(ERROR, description="idempotency_key_reused"),
            **SIGNED_ERRORS,
        },
        examples=[
            OpenApiExample(
                "Domestic violence",
                request_only=True,
                value={
                    "category": "domestic_violence",
                    "appeal_type": "report",
                    "description": "Neighbours shout, a woman calls for help.",
                    "occurred_at": "2026-11-26T21:40:00+05:00",
                    "location": {"lat": 51.2302, "lon": 51.3860, "address": "Уральск, пр. Достык 12, кв. 5"},
                    "applicant": {"iin": "900101300007", "full_name": "Серикова Айгуль", "phone": "+77011234567"},
                    "anonymous": False,
                    "attachments": [],
                    "partner_reference": "kaspi-7f3a",
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            raise IdempotencyKeyRequired()
        if len(key) > IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
            raise IdempotencyKeyInvalid()
        signed = signed_request(request)
        if signed.body is None or len(signed.body) > JSON_BODY_MAX:
            raise RequestTooLarge()
        claim = idempotency_claim(
            partner=authenticated_as(request, Partner),
            key=key,
            request_hash=request_hash(method=request.method or "", path=request.get_full_path(), body=signed.body),
        )
        held = claim.key
        if held is None:  # a replay
            return Response(claim.replay_body, status=claim.replay_status, headers={"Idempotent-Replayed": "true"})
        output: dict = {}

        def remember(appeal: Appeal) -> None:
            output.update(self.OutputSerializer(appeal).data)
            idempotency_complete(key=held, status=status.HTTP_201_CREATED, body=output)

        try:
            serializer = self.InputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            appeal_submit(
                partner=authenticated_as(request, Partner),
                data=_appeal_input(serializer.validated_data),
                on_registered=remember,
            )
        except AppealInputError as error:
            idempotency_release(key=held)
            raise serializers.ValidationError(_errors_for(error.field, error.detail)) from error
        except BaseException:
            idempotency_release(key=held)
            raise
        return Response(output, status=status.HTTP_201_CREATED)


def _appeal_input(data: dict) -> AppealInput:
    location, applicant = data["location"], data.get("applicant")
    return AppealInput(
        category=data["category"],
        appeal_type=data["appeal_type"],
        description=data["description"],
        occurred_at=data.get("occurred_at"),
        latitude=location.get("lat"),
        longitude=location.get("lon"),
        address=location.get("address", ""),
        applicant=ApplicantInput(applicant["iin"], applicant["full_name"], applicant.get("phone", ""))
        if applicant
        else None,
        anonymous=data["anonymous"],
        attachment_ids=tuple(data["attachments"]),
        partner_reference=data["partner_reference"],
    )


class PartnerAppealEventSerializer(serializers.Serializer):
    event = serializers.CharField(source="action")
    status = serializers.CharField()
    at = serializers.DateTimeField()
    text = serializers.CharField()


class PartnerAppealDetailApi(PartnerApi):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        registration_number = serializers.CharField()
        partner_reference = serializers.CharField()
        category = serializers.CharField()
        appeal_type = serializers.CharField()
        status = serializers.CharField()
        registered_at = serializers.DateTimeField()
        deadline = serializers.DateField()
        public_answer = serializers.CharField(allow_null=True)
        answered_at = serializers.DateTimeField(allow_null=True)
        redirected_to = serializers.CharField(allow_null=True)
        reason = serializers.CharField(allow_null=True)
        history = PartnerAppealEventSerializer(many=True)

        class Meta:
            ref_name = "PartnerAppeal"

    @extend_schema(
        operation_id="partner_appeal_detail",
        summary="An appeal's status, history and public answer",
        description="Only the partner's own appeals; any other number is 404, whether it exists or not.",
        responses={200: OutputSerializer, 404: ERROR, **SIGNED_ERRORS},
    )
    def get(self, request: Request, registration_number: str) -> Response:
        appeal = partner_appeal_get(partner=authenticated_as(request, Partner), registration_number=registration_number)
        history = appeal_public_history(appeal=appeal)
        data = {
            "pk": appeal.pk,
            "registration_number": appeal.registration_number,
            "partner_reference": appeal.partner_reference,
            "category": appeal.category,
            "appeal_type": appeal.appeal_type,
            "status": appeal.status,
            "registered_at": appeal.registered_at,
            "deadline": appeal.deadline,
            "public_answer": appeal.public_answer or None,
            "answered_at": appeal.answered_at,
            "redirected_to": appeal.redirected_to or None,
            "reason": appeal.resolution_reason or None,
            "history": history,
        }
        return Response(self.OutputSerializer(data).data)


class PartnerAttachmentCreateApi(PartnerApi):
    parser_classes = [parsers.MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=False)

        class Meta:
            ref_name = "PartnerAttachmentUpload"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        kind = serializers.CharField()
        content_type = serializers.CharField()
        size = serializers.IntegerField()
        sha256 = serializers.CharField()

        class Meta:
            ref_name = "PartnerAttachment"

    @extend_schema(
        operation_id="partner_attachment_create",
        summary="Upload a photo, video or voice message",
        description=(
            "multipart/form-data with one part named `file`. The type is read from the content, not the name: "
            "anything but a photo, video or voice message is 415. Limits per kind (413). Returns the id to list "
            "in an appeal's `attachments`; an attachment no appeal names within a day is deleted."
        ),
        request={"multipart/form-data": InputSerializer},
        responses={201: OutputSerializer, 400: VALIDATION_ERROR, 413: ERROR, 415: ERROR, **SIGNED_ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = attachment_store(
            partner=authenticated_as(request, Partner), upload=serializer.validated_data["file"]
        )
        return Response(self.OutputSerializer(attachment).data, status=status.HTTP_201_CREATED)


class PartnerCategoryListApi(PartnerApi):
    class OutputSerializer(serializers.Serializer):
        categories = serializers.ListField(child=serializers.DictField())
        appeal_types = serializers.ListField(child=serializers.DictField())

        class Meta:
            ref_name = "PartnerCategories"

    @extend_schema(
        operation_id="partner_category_list",
        summary="Categories and appeal types",
        description="`anonymous_allowed`: whether an anonymous appeal is accepted in the category.",
        responses={200: OutputSerializer, **SIGNED_ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "categories": [
                    {
                        "code": category.value,
                        "name": str(category.label),
                        "anonymous_allowed": category in ANONYMOUS_CATEGORIES,
                        "raises_alert": category in ALERT_CATEGORIES,
                    }
                    for category in AppealCategory
                ],
                "appeal_types": [{"code": kind.value, "name": str(kind.label)} for kind in AppealType],
            }
        )


class BenchNoopApi(APIView):
    """Unsigned and doing nothing, for bench/appeals.py's baseline; 404 unless APPEALS_BENCH_ENDPOINTS."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        from django.conf import settings
        from django.http import Http404

        if not settings.APPEALS_BENCH_ENDPOINTS:
            raise Http404
        return Response({"ok": True, "size": len(request.data)}, status=status.HTTP_201_CREATED)
