"""One exception handler for the whole API: domain errors and DRF's own become {"detail", "code"}."""

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from opscenter.errors import AlertMovedOn, AssignmentMovedOn, DomainError, UnitUnavailable
from opscenter.serializers import AlertSerializer


def exception_handler(error: Exception, context: dict) -> Response | None:
    if isinstance(error, AlertMovedOn):
        body = {"detail": error.detail, "code": error.code, "current": error.current}
        return Response({**body, "alert": AlertSerializer(error.alert).data}, status=error.status_code)
    if isinstance(error, UnitUnavailable | AssignmentMovedOn):
        return Response(
            {"detail": error.detail, "code": error.code, "current": error.current}, status=error.status_code
        )
    if isinstance(error, DomainError):
        return Response({"detail": error.detail, "code": error.code}, status=error.status_code)
    if isinstance(error, ObjectDoesNotExist):
        error = exceptions.NotFound()
    if isinstance(error, RequestDataTooBig):
        # Django's own cap (DATA_UPLOAD_MAX_MEMORY_SIZE) is a SuspiciousOperation: an HTML 400 otherwise.
        return Response(
            {"detail": "The request body is too large.", "code": "request_too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    response = drf_exception_handler(error, context)
    if response is None:
        return None
    if isinstance(error, exceptions.ValidationError):
        response.data = {"detail": "Invalid input.", "code": "invalid", "errors": response.data}
    elif isinstance(error, exceptions.APIException):
        codes = error.get_codes()
        response.data = {
            "detail": str(error.detail) if not isinstance(error.detail, dict | list) else error.detail,
            "code": codes if isinstance(codes, str) else "error",
        }
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Session realm="api"'
    return response
