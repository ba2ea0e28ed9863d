"""Pages of the alarms app: the response report for supervisors."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.exceptions import ValidationError

from alarms.apis import report_arguments
from alarms.selectors import alarm_response_report
from opscenter.errors import NotAllowed
from opscenter.requests import request_user
from opscenter.selectors import centers_visible


@login_required
def response_report(request: HttpRequest) -> HttpResponse:
    try:
        arguments = report_arguments(request_user(request), request.GET)
    except NotAllowed as error:
        raise PermissionDenied(error.detail) from error
    except ValidationError as error:
        return render(
            request,
            "alarms/report.html",
            {"errors": error.detail, "centers": centers_visible(user=request_user(request))},
            status=400,
        )
    report = alarm_response_report(**arguments)
    return render(
        request, "alarms/report.html", {"report": report, "centers": centers_visible(user=request_user(request))}
    )
