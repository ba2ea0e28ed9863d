"""Reads of the supervisor's screens: the wallboard and the shift log. Each takes the acting user and
shows only their scope (a supervisor of Syrym sees Syrym's board and notes, nothing of Uralsk's).

The wallboard is built in a fixed number of queries whatever the number of centers, alerts and people
(tests/opscenter/test_wallboard.py pins it): every section is one grouped query over the scope.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, FilteredRelation, Min, Q, QuerySet
from django.utils import timezone

from opscenter.models import (
    OPEN_ASSIGNMENT_STATUSES,
    OPEN_STATUSES,
    Alert,
    AlertStatus,
    LivePresence,
    OperationsCenter,
    Role,
    Severity,
    ShiftNote,
    Unit,
    UnitStatus,
    User,
)
from opscenter.permissions import Capability, holders, require
from opscenter.selectors import alerts_visible, centers_visible, units_visible
from opscenter.services.texts import alert_texts
from opscenter.stats import percentile

# The age columns of the queue: open alerts raised less than 5 min ago, 5-15 min, 15-60 min, over 1 h.
AGE_EDGES_MINUTES = (5, 15, 60)
HELD_SHOWN = 10  # a held alert list on the board names at most this many (the count is the whole count)
ESCALATIONS_SHOWN = 50
UNITS_OUT = (UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE)  # the units listed by name under their counts


@dataclass
class QueueRow:
    """The open alerts of one severity in a center, by age since raised."""

    severity: int
    label: str
    total: int = 0
    new: int = 0  # nobody has acknowledged them yet
    over_target: int = 0  # new, and waiting longer than the acknowledge target
    by_age: list[int] = field(default_factory=lambda: [0] * (len(AGE_EDGES_MINUTES) + 1))
    oldest_new_at: datetime | None = None


@dataclass
class AckStats:
    """Time to acknowledge of the alerts acknowledged today (local day), in seconds."""

    target: int
    count: int = 0
    median: float | None = None
    p90: float | None = None
    within_target: int = 0

    @property
    def within_target_share(self) -> float | None:
        return self.within_target / self.count if self.count else None

    @property
    def median_over(self) -> bool:
        return self.median is not None and self.median > self.target

    @property
    def p90_over(self) -> bool:
        return self.p90 is not None and self.p90 > self.target


@dataclass
class HeldAlert:
    pk: int
    title: str
    severity: int
    status: str
    acknowledged_at: datetime | None


@dataclass
class UnitCount:
    """How many units in service of a center have one status."""

    status: str
    label: str
    count: int = 0


@dataclass
class AssignedAlert:
    pk: int
    title: str
    severity: int


@dataclass
class UnitOut:
    """A unit en route or on scene: since its latest status change (`Unit.status_changed_at`, written with
    each UnitStatusChange), and the alert its open assignment is for (None only for a unit put in that
    status outside the services)."""

    pk: int
    call_sign: str
    status: str
    label: str
    since: datetime
    alert: AssignedAlert | None


@dataclass
class OperatorLoad:
    """A person on a center's shift: present (a live socket open now) or not, what they hold (open
    alerts they acknowledged) and how many they acknowledged today."""

    user_pk: int
    username: str
    name: str
    role: str
    present: bool = False
    present_since: datetime | None = None
    sockets: int = 0
    held_count: int = 0
    held: list[HeldAlert] = field(default_factory=list)
    acknowledged_today: int = 0


@dataclass
class CenterBoard:
    center: OperationsCenter
    queue: list[QueueRow]
    ack: AckStats
    operators: list[OperatorLoad] = field(default_factory=list)
    escalations: list[Alert] = field(default_factory=list)
    escalation_count: int = 0
    units: list[UnitCount] = field(default_factory=list)  # every status, in UnitStatus's order
    busy_units: list[UnitOut] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return sum(row.total for row in self.queue)

    @property
    def new_count(self) -> int:
        return sum(row.new for row in self.queue)

    @property
    def present_count(self) -> int:
        return sum(1 for operator in self.operators if operator.present)


@dataclass
class Wallboard:
    at: datetime
    day_started_at: datetime
    target: int
    centers: list[CenterBoard]


def local_day_start(now: datetime) -> datetime:
    """Midnight of `now`'s day in the oblast's time zone (TIME_ZONE), as an aware moment."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def wallboard(*, user: User, now: datetime | None = None) -> Wallboard:
    """The board of every center in the user's scope. Raises NotAllowed without WALLBOARD_VIEW."""
    require(user, Capability.WALLBOARD_VIEW)
    now = now or timezone.now()
    target = int(settings.OPSCENTER_ACK_TARGET_SECONDS)
    day_start = local_day_start(now)
    centers = list(centers_visible(user=user).order_by("code"))
    center_pks = [center.pk for center in centers]
    alerts = alerts_visible(user=user).filter(center__in=center_pks)
    boards = {
        center.pk: CenterBoard(
            center=center,
            queue=[QueueRow(severity=value, label=str(label)) for value, label in Severity.choices],
            ack=AckStats(target=target),
            units=[UnitCount(status=value, label=str(label)) for value, label in UnitStatus.choices],
        )
        for center in centers
    }
    _queue(boards, alerts, now=now, target=target)
    acknowledged_today = _acknowledge_times(boards, alerts, day_start=day_start)
    _operators(boards, alerts, center_pks=center_pks, now=now, acknowledged_today=acknowledged_today)
    _escalations(boards, alerts)
    _units(boards, units_visible(user=user).filter(center__in=center_pks))
    return Wallboard(at=now, day_started_at=day_start, target=target, centers=list(boards.values()))


def _queue(boards: dict[int, CenterBoard], alerts: QuerySet[Alert], *, now: datetime, target: int) -> None:
    new = Q(status=AlertStatus.NEW)
    edges = [now - timedelta(minutes=minutes) for minutes in AGE_EDGES_MINUTES]
    rows = (
        alerts.filter(status__in=OPEN_STATUSES)
        .values("center_id", "severity")
        .annotate(
            total=Count("pk"),
            new=Count("pk", filter=new),
            over_target=Count("pk", filter=new & Q(raised_at__lt=now - timedelta(seconds=target))),
            oldest_new_at=Min("raised_at", filter=new),
            age0=Count("pk", filter=Q(raised_at__gt=edges[0])),
            age1=Count("pk", filter=Q(raised_at__lte=edges[0], raised_at__gt=edges[1])),
            age2=Count("pk", filter=Q(raised_at__lte=edges[1], raised_at__gt=edges[2])),
            age3=Count("pk", filter=Q(raised_at__lte=edges[2])),
        )
        .order_by()
    )
    for row in rows:
        board = boards[row["center_id"]]
        queue_row = next((item for item in board.queue if item.severity == row["severity"]), None)
        if queue_row is None:
            continue
        queue_row.total, queue_row.new, queue_row.over_target = row["total"], row["new"], row["over_target"]
        queue_row.by_age = [row["age0"], row["age1"], row["age2"], row["age3"]]
        queue_row.oldest_new_at = row["oldest_new_at"]


def _acknowledge_times(
    boards: dict[int, CenterBoard], alerts: QuerySet[Alert], *, day_start: datetime
) -> dict[int, int]:
    """Fill each board's AckStats; return how many alerts each person acknowledged today."""
    delays: dict[int, list[float]] = {pk: [] for pk in boards}
    by_person: dict[int, int] = {}
    rows = alerts.filter(acknowledged_at__gte=day_start).values_list(
        "center_id", "raised_at", "acknowledged_at", "acknowledged_by_id"
    )
    for center_pk, raised_at, acknowledged_at, person_pk in rows.order_by():
        if acknowledged_at is None:  # filtered out above; for the type checker
            continue
        delays[center_pk].append(max(0.0, (acknowledged_at - raised_at).total_seconds()))
        if person_pk is not None:
            by_person[person_pk] = by_person.get(person_pk, 0) + 1
    for center_pk, values in delays.items():
        values.sort()
        stats = boards[center_pk].ack
        stats.count = len(values)
        stats.median = percentile(values, 0.5)
        stats.p90 = percentile(values, 0.9)
        stats.within_target = sum(1 for value in values if value <= stats.target)
    return by_person


def _operators(
    boards: dict[int, CenterBoard],
    alerts: QuerySet[Alert],
    *,
    center_pks: list[int],
    now: datetime,
    acknowledged_today: dict[int, int],
) -> None:
    """The people on each center's shift (those who may act on its alerts), present ones first."""
    members = (
        User.objects.filter(is_active=True, centers__in=center_pks, role__in=holders(Capability.ALERT_ACT))
        .values_list("pk", "username", "first_name", "last_name", "role", "centers")
        .order_by("last_name", "username")
    )
    presence = {
        row["user_id"]: row
        for row in LivePresence.objects.filter(
            seen_at__gte=now - timedelta(seconds=settings.LIVE_PRESENCE_SECONDS), user__centers__in=center_pks
        )
        .values("user_id")
        .annotate(sockets=Count("pk", distinct=True), since=Min("connected_at"))
        .order_by()
    }
    held: dict[tuple[int, int], list[HeldAlert]] = {}
    held_alerts = alerts.filter(
        status__in=[AlertStatus.ACKNOWLEDGED, AlertStatus.DISPATCHED], acknowledged_by__isnull=False
    ).order_by("severity", "acknowledged_at", "pk")
    for alert in held_alerts:
        item = HeldAlert(alert.pk, alert_texts(alert)["title"], alert.severity, alert.status, alert.acknowledged_at)
        held.setdefault((alert.center_id, alert.acknowledged_by_id or 0), []).append(item)
    role_labels = dict(Role.choices)
    for pk, username, first_name, last_name, role, center_pk in members:
        person = User(username=username, first_name=first_name, last_name=last_name)
        seen = presence.get(pk)
        mine = held.get((center_pk, pk), [])
        boards[center_pk].operators.append(
            OperatorLoad(
                user_pk=pk,
                username=username,
                name=person.display_name,
                role=str(role_labels.get(role, role)),
                present=seen is not None,
                present_since=seen["since"] if seen else None,
                sockets=seen["sockets"] if seen else 0,
                held_count=len(mine),
                held=mine[:HELD_SHOWN],
                acknowledged_today=acknowledged_today.get(pk, 0),
            )
        )
    for board in boards.values():
        board.operators.sort(key=lambda operator: (not operator.present, -operator.held_count))


def _escalations(boards: dict[int, CenterBoard], alerts: QuerySet[Alert]) -> None:
    escalated = alerts.filter(status__in=OPEN_STATUSES, escalation_level__gt=0)
    counts = dict(
        escalated.order_by().values("center_id").annotate(count=Count("pk")).values_list("center_id", "count")
    )
    shown = escalated.order_by("-escalation_level", "escalated_at", "pk")
    for alert in shown[: ESCALATIONS_SHOWN * max(1, len(boards))]:
        board = boards[alert.center_id]
        if len(board.escalations) < ESCALATIONS_SHOWN:
            alert.display_title = alert_texts(alert)["title"]  # type: ignore[attr-defined]
            board.escalations.append(alert)
    for center_pk, count in counts.items():
        boards[center_pk].escalation_count = count


def _units(boards: dict[int, CenterBoard], units: QuerySet[Unit]) -> None:
    """Count each center's units by status; list those out, en route first, the longest out first."""
    units = units.select_related(None).prefetch_related(None).order_by()
    counts = units.values("center_id", "status").annotate(count=Count("pk"))
    for row in counts:
        count = next((item for item in boards[row["center_id"]].units if item.status == row["status"]), None)
        if count is not None:
            count.count = row["count"]
    # A unit has at most one open assignment (the assignment_one_open_per_unit constraint), so joining it
    # adds no rows: the units out and their alerts are one query. (A prefetch would be a second query,
    # left out when no unit is out: the board's query count would then depend on the day.)
    out = (
        units.filter(status__in=UNITS_OUT)
        .annotate(
            current=FilteredRelation("assignments", condition=Q(assignments__status__in=OPEN_ASSIGNMENT_STATUSES))
        )
        # django-stubs does not know filtered relations in select_related; Django does.
        .select_related("current__alert__center", "current__alert__district")  # type: ignore[misc]
        .order_by("status_changed_at", "call_sign")
    )
    labels = dict(UnitStatus.choices)
    for unit in sorted(out, key=lambda unit: UNITS_OUT.index(unit.status)):
        assignment = getattr(unit, "current", None)  # not set at all when the join found none
        alert = assignment.alert if assignment is not None else None
        if alert is not None and alert.center_id != unit.center_id:
            alert = None  # sent to another center's alert: not this board's to name (its title is personal data)
        boards[unit.center_id].busy_units.append(
            UnitOut(
                pk=unit.pk,
                call_sign=unit.call_sign,
                status=unit.status,
                label=str(labels[unit.status]),
                since=unit.status_changed_at,
                alert=AssignedAlert(alert.pk, alert_texts(alert)["title"], alert.severity) if alert else None,
            )
        )


# ---- the shift log


def shift_notes_visible(*, user: User) -> QuerySet[ShiftNote]:
    """The handover notes of the user's centers, newest first, with who wrote and who acknowledged them."""
    if not user.is_authenticated or not user.is_active:
        return ShiftNote.objects.none()
    return (
        ShiftNote.objects.filter(center__in=centers_visible(user=user).values("pk"))
        .select_related("center", "author")
        .prefetch_related("acknowledgements__user")
        .order_by("-written_at", "-pk")
    )


def shift_notes(*, user: User, center: OperationsCenter | None = None, limit: int = 50) -> list[ShiftNote]:
    """The latest notes for the shift log page. Raises NotAllowed without SHIFT_LOG_KEEP."""
    require(user, Capability.SHIFT_LOG_KEEP)
    notes = shift_notes_visible(user=user)
    if center is not None:
        notes = notes.filter(center=center)
    return list(notes[:limit])


def shift_notes_unacknowledged(*, user: User) -> QuerySet[ShiftNote]:
    """Notes of the user's centers that someone else wrote and the user has not acknowledged yet."""
    return shift_notes_visible(user=user).exclude(author=user).exclude(acknowledgements__user=user)
