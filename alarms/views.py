"""Pages of the alarms app: the response report for supervisors, on the page and as CSV (one selector
feeds both), over a validated period of local days."""

from itertools import pairwise

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from alarms.selectors import ACK_HISTOGRAM_EDGES, DISPOSITIONS_SHOWN, ResponseReport, alarm_response_report
from opscenter.models import Disposition, OperationsCenter, User
from opscenter.permissions import Capability, has
from opscenter.reports import PeriodForm, bar_chart, csv_response
from opscenter.requests import request_user
from opscenter.selectors import centers_visible

KIND_LABELS = {"panic": gettext_lazy("Panic"), "duress": gettext_lazy("Duress"), "holdup": gettext_lazy("Hold-up")}


class AlarmReportForm(PeriodForm):
    center = forms.ModelChoiceField(
        label=gettext_lazy("Center"),
        queryset=OperationsCenter.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All in my scope"),
        error_messages={"invalid_choice": gettext_lazy("Unknown center, or not in your scope.")},
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        center = self.fields["center"]
        assert isinstance(center, forms.ModelChoiceField)
        center.queryset = centers_visible(user=user).order_by("code")


def disposition_label(code: str) -> str:
    return _("Still open") if code == "open" else str(Disposition(code).label)


def _histogram_labels() -> list[str]:
    edges = list(ACK_HISTOGRAM_EDGES)
    labels = [f"{low}–{high}" for low, high in pairwise(edges)]
    return [*labels, f"{edges[-1]}+"]


def _charts(report: ResponseReport) -> list:
    seconds = _("s")
    over = [index for index, low in enumerate(ACK_HISTOGRAM_EDGES) if low >= report.target]
    histogram = bar_chart(
        title=_("Time to acknowledge, seconds (alarms acknowledged)"),
        bars=list(zip(_histogram_labels(), report.ack_histogram, strict=True)),
        highlight=over,
    )
    days = [date_format(row.day, "d.m") for row in report.by_day]
    per_day = bar_chart(
        title=_("Alarms per day"), bars=list(zip(days, [row.alarms for row in report.by_day], strict=True))
    )
    median = bar_chart(
        title=_("Median time to acknowledge per day, seconds"),
        bars=list(zip(days, [row.acknowledge_p50 for row in report.by_day], strict=True)),
        unit=seconds,
        highlight=[i for i, row in enumerate(report.by_day) if (row.acknowledge_p50 or 0) > report.target],
    )
    return [histogram, per_day, median]


def _csv(report: ResponseReport) -> HttpResponse:
    header = [
        _("Day"),
        _("Alarms"),
        _("Acknowledged"),
        _("Median time to acknowledge, s"),
        _("p90 time to acknowledge, s"),
        _("Acknowledged within the target"),
        *[disposition_label(code) for code in DISPOSITIONS_SHOWN],
    ]
    rows = [
        [
            row.day.isoformat(),
            row.alarms,
            row.acknowledged,
            row.acknowledge_p50,
            row.acknowledge_p90,
            row.within_target,
            *[row.by_disposition.get(code, 0) for code in DISPOSITIONS_SHOWN],
        ]
        for row in report.by_day
    ]
    total = [
        _("Total"),
        report.alarms,
        report.acknowledged,
        report.acknowledge_p50,
        report.acknowledge_p90,
        sum(row.within_target for row in report.by_day),
        *[report.by_disposition.get(code, 0) for code in DISPOSITIONS_SHOWN],
    ]
    center = report.center.code if report.center else "all"
    filename = f"alarm-report-{center}-{report.by_day[0].day:%Y%m%d}-{report.by_day[-1].day:%Y%m%d}.csv"
    return csv_response(filename=filename, header=header, rows=[*rows, total])


@login_required
@require_GET
def response_report(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not has(user, Capability.REPORTS_VIEW):
        raise PermissionDenied
    form = AlarmReportForm(request.GET, user=user)
    if not form.is_valid():
        return render(request, "alarms/report.html", {"form": form}, status=400)
    period = form.period
    report = alarm_response_report(
        user=user, since=period.since, until=period.until, center=form.cleaned_data.get("center"), days=period.days
    )
    if request.GET.get("format") == "csv":
        return _csv(report)
    context = {
        "form": form,
        "report": report,
        "period": period,
        "charts": _charts(report),
        "dispositions": [(disposition_label(code), report.by_disposition.get(code, 0)) for code in DISPOSITIONS_SHOWN],
        "kinds": [(KIND_LABELS.get(kind, kind), count) for kind, count in sorted(report.by_kind.items())],
        "csv_query": _with_format(request, "csv"),
    }
    return render(request, "alarms/report.html", context)


def _with_format(request: HttpRequest, value: str) -> str:
    query = request.GET.copy()
    query["format"] = value
    return query.urlencode()
