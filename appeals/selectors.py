"""Reads of the appeals app. People's reads take the user and filter by scope; partners' reads take the
partner and see only its own appeals."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import FINAL_STATUSES, OPEN_STATUSES, Appeal, Partner
from appeals.workdays import working_calendar_load
from opscenter.models import Alert, User
from opscenter.selectors import districts_visible, scoped
from opscenter.services.details import AlertDetails
from opscenter.stats import histogram


def appeals_visible(*, user: User) -> QuerySet[Appeal]:
    """Administrators: all. Others: the appeals of their districts, and of their centers (including those
    waiting for manual routing in a center). No scope: nothing."""
    appeals = Appeal.objects.select_related("district", "center", "partner", "assigned_to")
    return scoped(appeals, user=user)


def appeal_get(*, user: User, appeal_pk: int) -> Appeal:
    """Appeal.DoesNotExist when out of scope: never a hint that it exists."""
    return appeals_visible(user=user).get(pk=appeal_pk)


def local_today() -> date:
    return timezone.localdate()


def due_soon_until(*, today: date | None = None) -> date:
    today = today or local_today()
    calendar = working_calendar_load(first_year=today.year, last_year=today.year + 1)
    return calendar.add_working_days(today, settings.APPEALS_DUE_SOON_WORKING_DAYS)


def appeal_list(
    *,
    user: User,
    status: list[str] | None = None,
    category: list[str] | None = None,
    district: str | None = None,
    urgency: str | None = None,
    search: str = "",
    assigned_to_me: bool = False,
    today: date | None = None,
) -> QuerySet[Appeal]:
    """Overdue first, then due soon, then the other open ones by deadline, then the finished ones."""
    today = today or local_today()
    soon = due_soon_until(today=today)
    appeals = appeals_visible(user=user)
    if status:
        appeals = appeals.filter(status__in=status)
    if category:
        appeals = appeals.filter(category__in=category)
    if district == "-":
        appeals = appeals.filter(district__isnull=True)
    elif district:
        appeals = appeals.filter(district__code=district)
    if assigned_to_me:
        appeals = appeals.filter(assigned_to=user)
    if search:
        search = search.strip()
        appeals = appeals.filter(
            Q(registration_number__icontains=search)
            | Q(description__icontains=search)
            | Q(address__icontains=search)
            | Q(partner_reference=search)
        )
    appeals = appeals.annotate(
        urgency=Case(
            When(status__in=FINAL_STATUSES, then=Value(3)),
            When(deadline__lt=today, then=Value(0)),
            When(deadline__lte=soon, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    if urgency == "overdue":
        appeals = appeals.filter(urgency=0)
    elif urgency == "due_soon":
        appeals = appeals.filter(urgency=1)
    elif urgency == "open":
        appeals = appeals.filter(status__in=OPEN_STATUSES)
    return appeals.order_by("urgency", "deadline", "pk")


def partner_appeal_get(*, partner: Partner, registration_number: str) -> Appeal:
    """The partner's own appeal; Appeal.DoesNotExist for another's, exactly as for none."""
    return Appeal.objects.get(partner=partner, registration_number=registration_number)


def appeal_public_history(*, appeal: Appeal) -> list:
    return list(appeal.events.filter(is_public=True).order_by("at", "pk"))


@dataclass
class DistrictSummary:
    code: str
    name: str
    by_status: dict[str, int] = field(default_factory=dict)
    total: int = 0
    open: int = 0
    overdue: int = 0
    answered: int = 0
    answer_days_median: float | None = None
    answer_days_max: float | None = None
    counts: list[int] = field(default_factory=list)  # by_status in the order a page lists the statuses


def appeal_summary(
    *, user: User, today: date | None = None, since: date | None = None, until: date | None = None
) -> list[DistrictSummary]:
    """Per district in the user's scope (and a row for those waiting for manual routing): counts by status,
    overdue, and time from registration to answer in days (median and longest), for appeals registered
    on the local days `since` (default: 90 days ago) to `until` (default: no end), both included."""
    today = today or local_today()
    since = since or today - timedelta(days=90)
    appeals = _registered_in(appeals_visible(user=user), since=since, until=until)
    rows: dict[str, DistrictSummary] = {}
    for district in districts_visible(user=user).order_by("code"):
        rows[district.code] = DistrictSummary(code=district.code, name=district.name)
    counts = appeals.values("district__code", "status").annotate(count=Count("pk")).order_by()
    overdue = (
        appeals.filter(status__in=OPEN_STATUSES, deadline__lt=today)
        .values("district__code")
        .annotate(count=Count("pk"))
        .order_by()
    )
    answer_times: dict[str, list[float]] = {}
    for code, registered_at, answered_at in appeals.filter(answered_at__isnull=False).values_list(
        "district__code", "registered_at", "answered_at"
    ):
        if registered_at is None or answered_at is None:  # an answered appeal was registered
            continue
        answer_times.setdefault(code or "-", []).append((answered_at - registered_at).total_seconds() / 86400)

    def row(code: str | None) -> DistrictSummary:
        key = code or "-"
        if key not in rows:
            rows[key] = DistrictSummary(code=key, name="")
        return rows[key]

    for item in counts:
        summary = row(item["district__code"])
        summary.by_status[item["status"]] = item["count"]
        summary.total += item["count"]
        if item["status"] in OPEN_STATUSES:
            summary.open += item["count"]
    for late in overdue:
        row(late["district__code"]).overdue = late["count"]
    for code, days in answer_times.items():
        summary = row(code)
        summary.answered = len(days)
        summary.answer_days_median = round(median(days), 1)
        summary.answer_days_max = round(max(days), 1)
    return list(rows.values())


def _registered_in(appeals: QuerySet[Appeal], *, since: date, until: date | None) -> QuerySet[Appeal]:
    """Registered on the local days since..until (the moments of their local midnights: an index on
    registered_at serves it, where __date would not)."""
    appeals = appeals.filter(registered_at__gte=_local_midnight(since))
    if until is not None:
        appeals = appeals.filter(registered_at__lt=_local_midnight(until + timedelta(days=1)))
    return appeals


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# The bins of the time-to-answer histogram, in days: [0, 1), [1, 3), [3, 7), [7, 15), [15, 21), [21, ∞).
ANSWER_DAYS_EDGES = (0, 1, 3, 7, 15, 21)


@dataclass
class SummaryReport:
    """The appeals summary of a period: per district (appeal_summary), the time to answer as a histogram,
    registrations day by day, and where the appeals came from (partner and channel)."""

    rows: list[DistrictSummary]
    answer_histogram: list[int]
    registered_by_day: list[tuple[date, int]]
    by_source: list[tuple[str, str, int]]  # partner name, channel code, count


def appeal_summary_report(*, user: User, since: date, until: date, today: date | None = None) -> SummaryReport:
    """The summary page's and its CSV's one read."""
    rows = appeal_summary(user=user, today=today, since=since, until=until)
    appeals = _registered_in(appeals_visible(user=user), since=since, until=until)
    answer_days = [
        (answered_at - registered_at).total_seconds() / 86400
        for registered_at, answered_at in appeals.filter(answered_at__isnull=False).values_list(
            "registered_at", "answered_at"
        )
        if registered_at is not None and answered_at is not None
    ]
    per_day: dict[date, int] = {since + timedelta(days=n): 0 for n in range((until - since).days + 1)}
    for registered_at in appeals.values_list("registered_at", flat=True):
        day = timezone.localdate(registered_at)
        if day in per_day:
            per_day[day] += 1
    sources = appeals.values("partner__name", "channel").annotate(count=Count("pk")).order_by("-count", "partner__name")
    return SummaryReport(
        rows=rows,
        answer_histogram=histogram(answer_days, ANSWER_DAYS_EDGES),
        registered_by_day=list(per_day.items()),
        by_source=[(row["partner__name"] or "", row["channel"], row["count"]) for row in sources],
    )


def alert_details(alert: Alert) -> AlertDetails | None:
    """The details provider of appeal alerts (registered with the spine in `ready()`), called only after
    the spine checked the reader and recorded their reason: who filed the appeal and how to reach them
    (nobody, for an anonymous one). None when no appeal raised the alert."""
    appeal = Appeal.objects.filter(alert_id=alert.pk).first()
    if appeal is None:
        return None
    facts = [(_("Appeal"), appeal.registration_number)]
    if appeal.anonymous:
        return {"card": {"name": _("Anonymous applicant")}, "facts": facts}
    facts.append((_("IIN"), appeal.applicant_iin))
    return {
        "card": {
            "name": appeal.applicant_full_name,
            "kind_label": _("Applicant"),
            "contacts": [{"name": appeal.applicant_full_name, "role": _("applicant"), "phone": appeal.applicant_phone}]
            if appeal.applicant_phone
            else [],
            "card_url": f"/appeals/{appeal.pk}/",
        },
        "facts": facts,
    }
