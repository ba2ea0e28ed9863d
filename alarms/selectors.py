"""Reads of the alarms app, scoped by the acting user."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alarms.models import AlarmEvent, AlarmPanel, ContactKind, ObjectContact, ObjectInstruction, ProtectedObject
from opscenter.maplayers import Feature, point_feature
from opscenter.models import Alert, OperationsCenter, User
from opscenter.models.preplans import lines
from opscenter.selectors import alerts_visible, scoped
from opscenter.services.details import AlertDetails, DetailsCard
from opscenter.services.preplans import HISTORY_LENGTH, ObjectPlan, earlier_alarm
from opscenter.services.texts import localized
from opscenter.stats import histogram, percentile

ALARM_KINDS = ("panic", "duress", "holdup")


def panels_visible(*, user: User) -> QuerySet[AlarmPanel]:
    panels = AlarmPanel.objects.select_related("protected_object__district__center")
    return scoped(panels, user=user, center="protected_object__district__center", district="protected_object__district")


def protected_objects_visible(*, user: User) -> QuerySet[ProtectedObject]:
    objects = ProtectedObject.objects.select_related("district__center")
    return scoped(objects, user=user, center="district__center", district="district")


def protected_object_features(user: User) -> list[Feature]:
    """The map layer of protected objects (registered with the spine in `ready()`): where they are and
    what they are; their contacts stay behind the alert's audited details."""
    features = []
    for each in protected_objects_visible(user=user).order_by("pk"):
        if each.latitude is None or each.longitude is None:
            continue  # not placed yet
        features.append(
            point_feature(
                longitude=each.longitude,
                latitude=each.latitude,
                name=each.name,
                label=each.get_kind_display(),
                address=each.address,
            )
        )
    return features


def _alert_panel(alert: Alert) -> AlarmPanel | None:
    """The panel an alarm alert came from: its dedup key is `alarms:<panel pk>:<kind>`."""
    prefix, _sep, rest = alert.dedup_key.partition(":")
    panel_pk = rest.partition(":")[0]
    if prefix != "alarms" or not panel_pk.isdigit():
        return None
    return AlarmPanel.objects.select_related("protected_object").filter(pk=int(panel_pk)).first()


def alert_details(alert: Alert) -> AlertDetails | None:
    """The details provider of alarm alerts (registered with the spine in `ready()`), called only after
    the spine checked the reader and recorded their reason: the people to call at the object (named
    people and duty phones alike). None when the alert names no panel."""
    panel = _alert_panel(alert)
    if panel is None:
        return None
    protected = panel.protected_object
    contacts = [
        {"name": contact.name, "role": contact.role, "phone": contact.phone} for contact in protected.contacts.all()
    ]
    # In the reader's language: the dashboard lays this card over the alert's (worded in it already).
    card: DetailsCard = {"name": localized(protected.names), "kind_label": protected.get_kind_display()}
    address = localized({"ru": protected.address, "kk": protected.address_kk})
    if address:
        card["address"] = address
    card["contacts"] = contacts
    return {"card": card, "facts": [(_("Panel"), panel.account)]}


def object_plan(alert: Alert, user: User) -> ObjectPlan | None:
    """The object's part of an alarm alert's pre-plan (registered with the spine in `ready()`): its
    instructions for the alert's kind (or every kind), its duty phones (an organisation's, no personal
    data: named people stay in the audited `alert_details`), and its last alarms that `user` may see,
    with how they ended. None when the alert names no panel."""
    duty = Prefetch("protected_object__contacts", queryset=ObjectContact.objects.filter(kind=ContactKind.DUTY))
    instructions = Prefetch(
        "protected_object__instructions",
        queryset=ObjectInstruction.objects.filter(alert_kind__in=[alert.kind, ""]),
    )
    panel = _alert_panel(alert)
    if panel is None:
        return None
    prefetch_related_objects([panel], duty, instructions)
    protected = panel.protected_object
    kazakh = translation.get_language() == "kk"
    rows = list(protected.instructions.all())
    steps = [step for row in rows for step in lines(row.text_kk if kazakh and row.text_kk else row.text_ru)]
    earlier = (
        alerts_visible(user=user)
        .filter(pk__in=AlarmEvent.objects.filter(panel__protected_object=protected).values("alert_id"))
        .exclude(pk=alert.pk)
        .order_by("-raised_at", "-pk")[:HISTORY_LENGTH]
    )
    return {
        "name": protected.name_kk if kazakh and protected.name_kk else protected.name,
        "steps": steps,
        "replaces": any(row.replaces_kind_plan for row in rows),
        "contacts": [
            {"name": contact.name, "role": contact.role, "phone": contact.phone} for contact in protected.contacts.all()
        ],
        "history": [earlier_alarm(item) for item in earlier],
    }


def accounts_receiving() -> list[str]:
    """Accounts of the active panels, for the receiver to put their frames before noise. Not a person's
    read: the receiver acts for nobody, and an account is no secret."""
    return list(AlarmPanel.objects.filter(is_active=True).values_list("account", flat=True))


# The bins of the time-to-acknowledge histogram, in seconds: [0, 10), [10, 20), ... [300, ∞).
ACK_HISTOGRAM_EDGES = (0, 10, 20, 30, 45, 60, 90, 120, 180, 300)
DISPOSITIONS_SHOWN = ("real", "false_alarm", "test", "technical", "duplicate", "open")


@dataclass
class DayRow:
    """The alarms raised on one local day."""

    day: date
    alarms: int = 0
    acknowledged: int = 0
    acknowledge_p50: float | None = None
    acknowledge_p90: float | None = None
    within_target: int = 0
    by_disposition: dict[str, int] = field(default_factory=dict)


@dataclass
class ResponseReport:
    center: OperationsCenter | None
    since: datetime
    until: datetime
    alarms: int = 0
    acknowledged: int = 0
    acknowledge_p50: float | None = None
    acknowledge_p90: float | None = None
    acknowledge_p99: float | None = None
    within_30s: float | None = None
    within_60s: float | None = None
    by_disposition: dict[str, int] = field(default_factory=dict)
    silent_alerts: int = 0
    silent_now: list[dict] = field(default_factory=list)
    unauthenticated: list[dict] = field(default_factory=list)  # active panels without a key: anyone can send as them
    per_object: list[dict] = field(default_factory=list)
    target: int = 0  # OPSCENTER_ACK_TARGET_SECONDS
    within_target: float | None = None
    by_kind: dict[str, int] = field(default_factory=dict)
    ack_histogram: list[int] = field(default_factory=list)  # counts in the bins of ACK_HISTOGRAM_EDGES
    by_day: list[DayRow] = field(default_factory=list)  # one row per day of `days`, in order


def alarm_response_report(
    *,
    user: User,
    since: datetime,
    until: datetime,
    center: OperationsCenter | None = None,
    days: list[date] | None = None,
) -> ResponseReport:
    """How a center responded to panic, duress and hold-up alarms raised in [since, until); with `days`
    (the local days of the period), the same day by day."""
    alerts = alerts_visible(user=user).filter(source="alarms", raised_at__gte=since, raised_at__lt=until)
    panels = panels_visible(user=user)
    if center is not None:
        alerts = alerts.filter(center=center)
        panels = panels.filter(protected_object__district__center=center)
    report = ResponseReport(center=center, since=since, until=until)
    alarms = alerts.filter(kind__in=ALARM_KINDS)
    rows = list(alarms.order_by("raised_at", "pk").values_list("raised_at", "acknowledged_at", "disposition", "kind"))
    report.alarms = len(rows)
    report.target = int(settings.OPSCENTER_ACK_TARGET_SECONDS)
    delays = sorted((ack - raised).total_seconds() for raised, ack, _d, _k in rows if ack is not None)
    report.acknowledged = len(delays)
    report.acknowledge_p50 = percentile(delays, 0.50)
    report.acknowledge_p90 = percentile(delays, 0.90)
    report.acknowledge_p99 = percentile(delays, 0.99)
    report.ack_histogram = histogram(delays, ACK_HISTOGRAM_EDGES)
    if rows:
        report.within_30s = sum(1 for d in delays if d <= 30) / len(rows)
        report.within_60s = sum(1 for d in delays if d <= 60) / len(rows)
        report.within_target = sum(1 for d in delays if d <= report.target) / len(rows)
    for _raised, _ack, disposition, kind in rows:
        key = disposition or "open"
        report.by_disposition[key] = report.by_disposition.get(key, 0) + 1
        report.by_kind[kind] = report.by_kind.get(kind, 0) + 1
    if days is not None:
        report.by_day = _by_day(rows, days=days, target=report.target)
    report.silent_alerts = alerts.filter(kind="panel_silent").count()
    report.silent_now = [
        {"account": p.account, "object": p.protected_object.name, "last_contact_at": p.last_contact_at}
        for p in panels.filter(is_active=True, is_online=False, last_contact_at__isnull=False)
    ]
    report.unauthenticated = [
        {"account": p.account, "object": p.protected_object.name} for p in panels.filter(is_active=True, aes_key="")
    ]
    per_object = (
        AlarmEvent.objects.filter(alert__in=alarms.values("pk"))
        .values("panel__protected_object__pk", "panel__protected_object__name")
        .annotate(
            alarms=Count("alert", distinct=True),
            false_alarms=Count("alert", filter=Q(alert__disposition="false_alarm"), distinct=True),
        )
        .order_by("-false_alarms", "panel__protected_object__name")
    )
    report.per_object = [
        {
            "object": row["panel__protected_object__name"],
            "alarms": row["alarms"],
            "false_alarms": row["false_alarms"],
            "false_alarm_rate": row["false_alarms"] / row["alarms"] if row["alarms"] else None,
        }
        for row in per_object
    ]
    return report


def _by_day(rows: list[tuple], *, days: list[date], target: int) -> list[DayRow]:
    by_day = {day: DayRow(day=day) for day in days}
    delays: dict[date, list[float]] = {day: [] for day in days}
    for raised_at, acknowledged_at, disposition, _kind in rows:
        day = timezone.localdate(raised_at)
        if day not in by_day:
            continue
        row = by_day[day]
        row.alarms += 1
        key = disposition or "open"
        row.by_disposition[key] = row.by_disposition.get(key, 0) + 1
        if acknowledged_at is not None:
            delays[day].append((acknowledged_at - raised_at).total_seconds())
    for day, values in delays.items():
        values.sort()
        row = by_day[day]
        row.acknowledged = len(values)
        row.acknowledge_p50 = percentile(values, 0.5)
        row.acknowledge_p90 = percentile(values, 0.9)
        row.within_target = sum(1 for value in values if value <= target)
    return list(by_day.values())
