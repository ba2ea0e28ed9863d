"""The officers' pages: the appeals of their districts, one appeal with its workflow, the supervisor's
summary. Applicant data and attachments are shown only after a reason was given (it covers that appeal
in this session for APPEALS_APPLICANT_READ_SECONDS), and every read of them is audited with it."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from appeals import selectors
from appeals.models import Appeal, AppealCategory, AppealStatus, Attachment, Channel
from appeals.services import appeals as workflow
from opscenter.errors import DomainError
from opscenter.models import District, User
from opscenter.permissions import Capability, has, holders
from opscenter.reports import PeriodForm, bar_chart, csv_response
from opscenter.requests import request_user
from opscenter.selectors import districts_visible
from opscenter.services.audit import audit_personal_data_read

PAGE_SIZE = 50
REASONS_SESSION_KEY = "appeals.applicant_reasons"


def _reason_grant(request: HttpRequest, appeal: Appeal, reason: str) -> None:
    reasons = {
        pk: granted for pk, granted in request.session.get(REASONS_SESSION_KEY, {}).items() if _lasts(granted[1])
    }
    until = timezone.now() + timedelta(seconds=settings.APPEALS_APPLICANT_READ_SECONDS)
    reasons[str(appeal.pk)] = [reason[:500], until.isoformat()]
    request.session[REASONS_SESSION_KEY] = reasons


def _reason_for(request: HttpRequest, appeal: Appeal) -> str:
    """The reason given for this appeal's applicant data in this session, while it lasts; else ""."""
    granted = request.session.get(REASONS_SESSION_KEY, {}).get(str(appeal.pk))
    if not granted:
        return ""
    reason, until = granted
    return reason if _lasts(until) else ""


def _lasts(until: str) -> bool:
    moment = parse_datetime(until)
    return moment is not None and moment > timezone.now()


def _scoped_appeal(request: HttpRequest, appeal_pk: int) -> Appeal:
    try:
        return selectors.appeal_get(user=request_user(request), appeal_pk=appeal_pk)
    except Appeal.DoesNotExist as error:
        raise Http404 from error


@login_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    query = request.GET
    statuses = [value for value in query.getlist("status") if value in AppealStatus.values]
    categories = [value for value in query.getlist("category") if value in AppealCategory.values]
    urgency = query.get("urgency", "")
    appeals = selectors.appeal_list(
        user=request_user(request),
        status=statuses,
        category=categories,
        district=query.get("district", ""),
        urgency=urgency,
        search=query.get("q", "")[:100],
        assigned_to_me=query.get("mine") == "1",
    )
    page = Paginator(appeals, PAGE_SIZE).get_page(query.get("page"))
    context = {
        "page": page,
        "statuses": AppealStatus.choices,
        "categories": AppealCategory.choices,
        "districts": districts_visible(user=request_user(request)).order_by("code"),
        "selected": {
            "status": statuses,
            "category": categories,
            "district": query.get("district", ""),
            "urgency": urgency,
            "q": query.get("q", ""),
            "mine": query.get("mine") == "1",
        },
        "query_without_page": _without_page(query),
        "today": selectors.local_today(),
        "due_soon_until": selectors.due_soon_until(),
        "can_summarize": _can_summarize(request_user(request)),
    }
    return render(request, "appeals/list.html", context)


def _without_page(query) -> str:
    copy = query.copy()
    copy.pop("page", None)
    return copy.urlencode()


def _detail_context(request: HttpRequest, appeal: Appeal, **extra) -> dict:
    user = request_user(request)
    officers = User.objects.none()
    if workflow.can_work(user):
        scope = Q(centers=appeal.center) | Q(districts=appeal.district) if appeal.district else Q(centers=appeal.center)
        officers = (
            User.objects.filter(is_active=True, role__in=holders(Capability.APPEAL_WORK))
            .filter(scope)
            .distinct()
            .order_by("last_name", "username")
        )
    show_applicant = extra.pop("show_applicant", False)
    return {
        "appeal": appeal,
        "events": appeal.events.select_related("actor").order_by("at", "pk"),
        "show_applicant": show_applicant,
        # Photos, videos and voices are the applicant's too: listed only after the reason.
        "attachments": appeal.attachments.order_by("pk") if show_applicant else [],
        "attachment_count": appeal.attachments.count(),
        "can_work": workflow.can_work(user),
        "can_supervise": workflow.can_supervise(user),
        "officers": officers,
        "districts": District.objects.order_by("code") if workflow.can_supervise(user) else District.objects.none(),
        "today": selectors.local_today(),
        "extension_limit": workflow.extension_limit(appeal),
        "is_overdue": appeal.is_open and appeal.deadline < selectors.local_today(),
        "can_summarize": _can_summarize(user),
        **extra,
    }


@login_required
@require_GET
def appeal_detail(request: HttpRequest, appeal_pk: int) -> HttpResponse:
    appeal = _scoped_appeal(request, appeal_pk)
    reason = _reason_for(request, appeal)
    if reason:
        audit_personal_data_read(actor=request_user(request), obj=appeal, reason=reason, what="appeal applicant")
    return render(request, "appeals/detail.html", _detail_context(request, appeal, show_applicant=bool(reason)))


@login_required
@require_POST
def appeal_applicant(request: HttpRequest, appeal_pk: int) -> HttpResponse:
    """Record the reason for the applicant's data in the session, then the page shows it (auditing each
    showing with that reason) while the reason lasts."""
    appeal = _scoped_appeal(request, appeal_pk)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        context = _detail_context(request, appeal, applicant_error=_("Give the reason you need the applicant's data."))
        return render(request, "appeals/detail.html", context, status=400)
    _reason_grant(request, appeal, reason)
    return redirect("appeals:detail", appeal_pk=appeal.pk)  # which shows the data, recording the read


ACTIONS = {"assign", "start", "comment", "answer", "extend", "redirect", "reject", "close", "route"}


@login_required
@require_POST
def appeal_act(request: HttpRequest, appeal_pk: int, action: str) -> HttpResponse:
    appeal = _scoped_appeal(request, appeal_pk)
    if action not in ACTIONS:
        raise Http404
    form, user = request.POST, request_user(request)
    try:
        if action == "assign":
            officer_pk = _int(form.get("officer"))
            officer = User.objects.filter(pk=officer_pk).first() if officer_pk is not None else None
            if officer is None:
                raise DomainError(_("Choose an officer."), code="officer_required")
            workflow.appeal_assign(appeal=appeal, officer=officer, actor=user)
        elif action == "start":
            workflow.appeal_start(appeal=appeal, actor=user)
        elif action == "comment":
            workflow.appeal_comment(appeal=appeal, actor=user, text=form.get("text", ""))
        elif action == "answer":
            workflow.appeal_answer(appeal=appeal, actor=user, text=form.get("text", ""))
        elif action == "extend":
            try:
                deadline = date.fromisoformat(form.get("deadline", ""))
            except ValueError as error:
                raise DomainError(_("Give the new deadline as a date."), code="deadline_required") from error
            workflow.appeal_extend(appeal=appeal, actor=user, deadline=deadline, reason=form.get("reason", ""))
        elif action == "redirect":
            workflow.appeal_redirect(
                appeal=appeal, actor=user, body=form.get("body", ""), reason=form.get("reason", "")
            )
        elif action == "reject":
            workflow.appeal_reject(appeal=appeal, actor=user, reason=form.get("reason", ""))
        elif action == "close":
            workflow.appeal_close(appeal=appeal, actor=user)
        elif action == "route":
            district = District.objects.filter(code=form.get("district", "")).first()
            if district is None:
                raise DomainError(_("Choose a district."), code="district_required")
            workflow.appeal_route(appeal=appeal, district=district, actor=user)
    except Appeal.DoesNotExist as error:
        raise Http404 from error
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("appeals:detail", appeal_pk=appeal.pk)
    messages.success(request, _("Done."))
    if action == "route" and not selectors.appeals_visible(user=user).filter(pk=appeal.pk).exists():
        return redirect("appeals:list")
    return redirect("appeals:detail", appeal_pk=appeal.pk)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def attachment_file(request: HttpRequest, appeal_pk: int, attachment_pk: int) -> FileResponse:
    """The file, inline, as the type sniffed on upload (never as the client named it), only within the
    time a reason given for the applicant's data lasts, and audited with that reason."""
    appeal = _scoped_appeal(request, appeal_pk)
    attachment = Attachment.objects.filter(pk=attachment_pk, appeal=appeal).first()
    if attachment is None:
        raise Http404
    reason = _reason_for(request, appeal)
    if not reason:
        raise PermissionDenied(_("Give the reason you need the applicant's data first."))
    audit_personal_data_read(
        actor=request_user(request),
        obj=appeal,
        reason=reason,
        what="appeal attachment",
        data={"attachment": attachment.pk},
    )
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _can_summarize(user: User) -> bool:
    return has(user, Capability.APPEAL_SUMMARY_VIEW)


SUMMARY_DEFAULT_DAYS = 90
ANSWER_DAYS_LABELS = ("0–1", "1–3", "3–7", "7–15", "15–21", "21+")


@login_required
@require_GET
def appeal_summary(request: HttpRequest) -> HttpResponse:
    """Per district, over a validated period (default: the last 90 days); the same read as CSV."""
    user = request_user(request)
    if not _can_summarize(user):
        raise PermissionDenied
    form = PeriodForm(request.GET, default_days=SUMMARY_DEFAULT_DAYS)
    context: dict = {"form": form, "statuses": AppealStatus.choices, "today": selectors.local_today()}
    if not form.is_valid():
        return render(request, "appeals/summary.html", context, status=400)
    period = form.period
    report = selectors.appeal_summary_report(user=user, since=period.first, until=period.last)
    for row in report.rows:
        row.counts = [row.by_status.get(status, 0) for status in AppealStatus.values]
    if request.GET.get("format") == "csv":
        return _summary_csv(report, period)
    channels = dict(Channel.choices)
    context.update(
        rows=report.rows,
        period=period,
        sources=[(partner, channels.get(channel, channel), count) for partner, channel, count in report.by_source],
        charts=[
            bar_chart(
                title=_("Days from registration to answer (appeals answered)"),
                bars=list(zip(ANSWER_DAYS_LABELS, report.answer_histogram, strict=True)),
                highlight=[4, 5],  # past 15 days: the АППК's term in working days is about three weeks
            ),
            bar_chart(
                title=_("Appeals registered per day"),
                bars=[(date_format(day, "d.m"), count) for day, count in report.registered_by_day],
            ),
        ],
        csv_query=_with_csv(request),
    )
    return render(request, "appeals/summary.html", context)


def _row_name(row: selectors.DistrictSummary) -> str:
    return _("Waiting for manual routing") if row.code == "-" else (row.name or row.code)


def _summary_csv(report: selectors.SummaryReport, period) -> HttpResponse:
    header = [
        _("District"),
        *[str(label) for _value, label in AppealStatus.choices],
        _("Open"),
        _("Overdue"),
        _("Answers given"),
        _("Median days to answer"),
        _("Longest"),
    ]
    rows = [
        [_row_name(row), *row.counts, row.open, row.overdue, row.answered, row.answer_days_median, row.answer_days_max]
        for row in report.rows
    ]
    filename = f"appeals-summary-{period.first:%Y%m%d}-{period.last:%Y%m%d}.csv"
    return csv_response(filename=filename, header=header, rows=rows)


def _with_csv(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()
