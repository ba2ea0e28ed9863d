"""Reads of the alarms app, scoped by the acting user."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from alarms.models import AlarmEvent, AlarmPanel
from opscenter.models import Alert, OperationsCenter, User
from opscenter.selectors import alerts_visible, scoped
from opscenter.services.details import AlertDetails

ALARM_KINDS = ("panic", "duress", "holdup")


def panels_visible(*, user: User) -> QuerySet[AlarmPanel]:
    panels = AlarmPanel.objects.select_related("protected_object__district__center")
    return scoped(panels, user=user, center="protected_object__district__center", district="protected_object__district")


def alert_details(alert: Alert) -> AlertDetails | None:
    """The details provider of alarm alerts (registered with the spine in `ready()`), called only after
    the spine checked the reader and recorded their reason: the people to call at the object. None when
    the alert names no panel (its dedup key is `alarms:<panel pk>:<kind>`)."""
    prefix, _sep, rest = alert.dedup_key.partition(":")
    panel_pk = rest.partition(":")[0]
    if prefix != "alarms" or not panel_pk.isdigit():
        return None
    panel = AlarmPanel.objects.select_related("protected_object").filter(pk=int(panel_pk)).first()
    if panel is None:
        return None
    protected = panel.protected_object
    contacts = [
        {"name": str(c.get("name", "")), "role": str(c.get("role", "")), "phone": str(c.get("phone", ""))}
        for c in protected.contacts or []
        if isinstance(c, dict)
    ]
    return {
        "card": {"name": protected.name, "kind_label": protected.get_kind_display(), "contacts": contacts},
        "facts": [(_("Panel"), panel.account)],
    }


def accounts_receiving() -> list[str]:
    """Accounts of the active panels, for the receiver to put their frames before noise. Not a person's
    read: the receiver acts for nobody, and an account is no secret."""
    return list(AlarmPanel.objects.filter(is_active=True).values_list("account", flat=True))


def _percentile(sorted_values: list[float], share: float) -> float | None:
    """Nearest-rank percentile; None for no data."""
    if not sorted_values:
        return None
    rank = max(1, round(share * len(sorted_values) + 0.4999))
    return sorted_values[min(rank, len(sorted_values)) - 1]


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


def alarm_response_report(
    *, user: User, since: datetime, until: datetime, center: OperationsCenter | None = None
) -> ResponseReport:
    """How a center responded to panic, duress and hold-up alarms raised in [since, until)."""
    alerts = alerts_visible(user=user).filter(source="alarms", raised_at__gte=since, raised_at__lt=until)
    panels = panels_visible(user=user)
    if center is not None:
        alerts = alerts.filter(center=center)
        panels = panels.filter(protected_object__district__center=center)
    report = ResponseReport(center=center, since=since, until=until)
    alarms = alerts.filter(kind__in=ALARM_KINDS)
    rows = list(alarms.values_list("raised_at", "acknowledged_at", "disposition"))
    report.alarms = len(rows)
    delays = sorted((ack - raised).total_seconds() for raised, ack, _d in rows if ack is not None)
    report.acknowledged = len(delays)
    report.acknowledge_p50 = _percentile(delays, 0.50)
    report.acknowledge_p90 = _percentile(delays, 0.90)
    report.acknowledge_p99 = _percentile(delays, 0.99)
    if rows:
        report.within_30s = sum(1 for d in delays if d <= 30) / len(rows)
        report.within_60s = sum(1 for d in delays if d <= 60) / len(rows)
    for _raised, _ack, disposition in rows:
        key = disposition or "open"
        report.by_disposition[key] = report.by_disposition.get(key, 0) + 1
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
