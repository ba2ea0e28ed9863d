"""Every read a person can trigger takes the acting user and returns only what their scope allows.

Scope: an administrator (or superuser) sees everything; everyone else sees the alerts of their centers
and of their districts, and nothing when they have neither.
"""

from datetime import datetime

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When

from opscenter import geo
from opscenter.geo import distance_between_m
from opscenter.models import (
    OPEN_ASSIGNMENT_STATUSES,
    OPEN_STATUSES,
    Alert,
    AlertEvent,
    Assignment,
    District,
    Incident,
    IncidentStatus,
    OperationsCenter,
    SavedView,
    Unit,
    UnitStatus,
    User,
)
from opscenter.permissions import Capability, has


def scoped(queryset: QuerySet, *, user: User, center: str = "center", district: str = "district") -> QuerySet:
    """The rule of scope, in one place for every app: `queryset` narrowed to what `user` may see, given the
    paths from its model to a center and to a district (e.g. center="district__center").

    An inactive or anonymous user sees nothing; an administrator (or superuser) everything; anyone else
    the rows of their centers and of their districts, and nothing without either.
    """
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_administrator:
        return queryset
    center_pks = list(user.centers.values_list("pk", flat=True))
    district_pks = list(user.districts.values_list("pk", flat=True))
    if not center_pks and not district_pks:
        return queryset.none()
    return queryset.filter(Q(**{f"{center}__in": center_pks}) | Q(**{f"{district}__in": district_pks}))


def centers_visible(*, user: User) -> QuerySet[OperationsCenter]:
    if not user.is_authenticated or not user.is_active:
        return OperationsCenter.objects.none()
    if user.is_administrator:
        return OperationsCenter.objects.all()
    return OperationsCenter.objects.filter(Q(members=user) | Q(districts__officers=user)).distinct()


def districts_visible(*, user: User) -> QuerySet[District]:
    if not user.is_authenticated or not user.is_active:
        return District.objects.none()
    if user.is_administrator:
        return District.objects.all()
    return District.objects.filter(Q(center__members=user) | Q(officers=user)).distinct()


def district_at(*, latitude: float, longitude: float) -> District | None:
    """The district whose boundary holds the point (the first by code, should two overlap), or None.
    Not scoped: it places a point, it shows nothing of the district's own."""
    candidates = District.objects.select_related("center").filter(
        boundary_min_latitude__lte=latitude,
        boundary_max_latitude__gte=latitude,
        boundary_min_longitude__lte=longitude,
        boundary_max_longitude__gte=longitude,
    )
    for district in candidates.order_by("code"):
        if district.boundary and geo.contains(district.boundary, latitude=latitude, longitude=longitude):
            return district
    return None


def district_boundaries_visible(*, user: User) -> QuerySet[District]:
    """The districts of the user's scope that have a boundary, for the map."""
    return districts_visible(user=user).filter(boundary__isnull=False).select_related("center").order_by("code")


def saved_views_of(*, user: User) -> QuerySet[SavedView]:
    """A person's own saved views: nobody else's, an administrator's neither."""
    return SavedView.objects.filter(user=user) if user.is_authenticated else SavedView.objects.none()


def alerts_visible(*, user: User) -> QuerySet[Alert]:
    alerts = Alert.objects.select_related("center", "district", "acknowledged_by", "dispatched_by", "resolved_by")
    return scoped(alerts, user=user)


def alert_list(
    *,
    user: User,
    status: list[str] | None = None,
    severity: list[int] | None = None,
    center: str | None = None,
    since: datetime | None = None,
    open_only: bool = False,
    source: list[str] | None = None,
    district: list[str] | None = None,
    text: str | None = None,
) -> QuerySet[Alert]:
    """The alerts of the user's scope, in the queue's order (QUEUE_ORDER). `text`: each of its words is
    in the title, the address or the kind as the reader sees them (worded in the active language by the
    raiser's composer, opscenter.services.texts), in any case: the console's filters.js matches the same
    way on the same words."""
    alerts = alerts_visible(user=user)
    if source:
        alerts = alerts.filter(source__in=source)
    if district:
        alerts = alerts.filter(district__code__in=district)
    words = text_terms(text or "")
    if words:
        alerts = alerts.filter(pk__in=_matching_text(alerts, words))
    if open_only:
        alerts = alerts.filter(status__in=OPEN_STATUSES)
    if status:
        alerts = alerts.filter(status__in=status)
    if severity:
        alerts = alerts.filter(severity__in=severity)
    if center:
        alerts = alerts.filter(center__code=center)
    if since:
        alerts = alerts.filter(updated_at__gte=since)
    return alerts.annotate(waiting_escalated=QUEUE_ESCALATED).order_by(*QUEUE_ORDER)


def text_terms(text: str) -> list[str]:
    """The words of a search, lower-cased (at most 8: a search is a few words, not a document)."""
    return text.lower().split()[:8]


def _matching_text(alerts: QuerySet[Alert], words: list[str]) -> list[int]:
    """The pks of the alerts whose worded title, address or kind hold every word. The words are composed
    at display time (the stored title is the raiser's language), so this reads the candidates the other
    filters left, in the database's order, rather than asking SQL to match text it does not hold."""
    from opscenter.services.texts import alert_texts

    matching = []
    for alert in alerts.order_by().iterator(chunk_size=2000):
        texts = alert_texts(alert)
        fields = [str(texts.get("title") or ""), str(texts.get("address", alert.address) or ""), alert.kind]
        lowered = [field.lower() for field in fields]
        if all(any(word in field for field in lowered) for word in words):
            matching.append(alert.pk)
    return matching


# The queue's order, the dashboard's too (compareEntries in dashboard.js): escalated alerts nobody has
# acknowledged yet first, then the most severe, then the oldest (the one waiting longest). Once someone
# acknowledges an escalated alert it takes its place by severity and age again.
QUEUE_ESCALATED = Case(
    When(escalation_level__gt=0, status="new", then=Value(True)), default=Value(False), output_field=BooleanField()
)
QUEUE_ORDER = ("-waiting_escalated", "severity", "raised_at", "pk")


def alert_get(*, user: User, alert_pk: int) -> Alert:
    """The alert, if the user's scope covers it; Alert.DoesNotExist otherwise (never a hint it exists)."""
    return alerts_visible(user=user).get(pk=alert_pk)


def alert_detail(*, user: User, alert_pk: int) -> Alert:
    """`alert_get` with the alert's timeline and who did each step, in one more query whatever its length."""
    events = AlertEvent.objects.select_related("actor")
    return alerts_visible(user=user).prefetch_related(Prefetch("events", queryset=events)).get(pk=alert_pk)


def incidents_visible(*, user: User) -> QuerySet[Incident]:
    """The incidents of the user's centers, and those holding an alert of the user's districts."""
    incidents = Incident.objects.select_related("center", "created_by", "acknowledged_by", "resolved_by")
    if not user.is_authenticated or not user.is_active or user.is_administrator:
        return scoped(incidents, user=user)
    return scoped(incidents, user=user, district="alerts__district").distinct()


def incident_list(*, user: User, open_only: bool = False, center: str | None = None) -> QuerySet[Incident]:
    incidents = incidents_visible(user=user)
    if open_only:
        incidents = incidents.exclude(status=IncidentStatus.RESOLVED)
    if center:
        incidents = incidents.filter(center__code=center)
    return incidents.order_by("-created_at", "-pk")


def incident_get(*, user: User, incident_pk: int) -> Incident:
    """The incident, if the user's scope covers it; Incident.DoesNotExist otherwise."""
    return incidents_visible(user=user).get(pk=incident_pk)


def incident_alerts(*, user: User, incident: Incident) -> QuerySet[Alert]:
    """The incident's alerts that the user may see, in the queue's order."""
    return alerts_visible(user=user).filter(incident=incident).order_by("severity", "raised_at", "pk")


def live_groups_for(*, user: User) -> list[str]:
    """The channel groups a user's socket joins: exactly the scope of `alerts_visible`."""
    from opscenter.services.live import ALL_ALERTS_GROUP, center_group, district_group, user_group

    if not user.is_authenticated or not user.is_active:
        return []
    groups = [user_group(user.pk)]
    if user.is_administrator:
        return [*groups, ALL_ALERTS_GROUP]
    groups += [center_group(pk) for pk in user.centers.values_list("pk", flat=True)]
    groups += [district_group(pk) for pk in user.districts.values_list("pk", flat=True)]
    return groups


# ---- patrol units


def _with_open_assignment(units: QuerySet[Unit]) -> QuerySet[Unit]:
    open_assignments = Assignment.objects.filter(status__in=OPEN_ASSIGNMENT_STATUSES).select_related(
        "alert__center", "alert__district"
    )
    return units.select_related("center", "district").prefetch_related(
        "crew", Prefetch("assignments", queryset=open_assignments, to_attr="open_assignments")
    )


def unit_fresh(unit_pk: int) -> Unit:
    """A unit with what its messages need (for the services that publish it; no scope: not a person's read)."""
    return _with_open_assignment(Unit.objects.all()).get(pk=unit_pk)


def units_visible(*, user: User) -> QuerySet[Unit]:
    """The units in service of the user's scope, with their crew and open assignment."""
    return scoped(_with_open_assignment(Unit.objects.filter(is_active=True)), user=user)


# The dispatch picker's order: whoever can go now first, then those busy, then those off duty.
_STATUS_RANK: dict[str, int] = {
    UnitStatus.AVAILABLE: 0,
    UnitStatus.EN_ROUTE: 1,
    UnitStatus.ON_SCENE: 2,
    UnitStatus.OFF_DUTY: 3,
}


def unit_list(*, user: User, near: tuple[float, float] | None = None) -> list[tuple[Unit, float | None]]:
    """The units of the user's scope with their great-circle distance (m) from `near` (None without a
    position or without `near`): available units first, nearest first, then the busy ones, then those off
    duty; a unit without a position last in its group."""
    rows = []
    for unit in units_visible(user=user):
        distance = distance_between_m(near[0], near[1], unit.latitude, unit.longitude) if near else None
        rows.append((unit, distance))
    rows.sort(
        key=lambda row: (
            _STATUS_RANK.get(row[0].status, 9),
            row[1] is None,
            row[1] or 0.0,
            row[0].call_sign,
        )
    )
    return rows


def unit_get(*, user: User, unit_pk: int) -> Unit:
    """The unit, if the user's scope covers it; Unit.DoesNotExist otherwise."""
    return units_visible(user=user).get(pk=unit_pk)


def _crew_units(user: User) -> QuerySet[Unit]:
    if not user.is_authenticated or not user.is_active or not has(user, Capability.UNIT_CREW):
        return Unit.objects.none()
    return Unit.objects.filter(is_active=True, crew=user)


def tablet_units(*, user: User) -> QuerySet[Unit]:
    """The units in service whose crew the user is in (a patrol's tablet), with their open assignment.
    Nothing for a user whose role may not work a unit's assignments."""
    return _with_open_assignment(_crew_units(user)).order_by("call_sign")


def tablet_assignment_get(*, user: User, assignment_pk: int) -> Assignment:
    """An assignment of one of the user's units (their tablet); Assignment.DoesNotExist otherwise."""
    units = _crew_units(user).values("pk")
    return Assignment.objects.select_related("unit", "alert").filter(unit__in=units).get(pk=assignment_pk)


def assignment_get(*, user: User, assignment_pk: int) -> Assignment:
    """An assignment of a unit of the user's scope (the console); Assignment.DoesNotExist otherwise."""
    units = scoped(Unit.objects.filter(is_active=True), user=user).values("pk")
    return Assignment.objects.select_related("unit", "alert").filter(unit__in=units).get(pk=assignment_pk)


def tablet_groups_for(*, user: User) -> list[str]:
    """The channel groups a tablet's socket joins: its user's units (exactly `tablet_units`)."""
    from opscenter.services.live import unit_group

    return [unit_group(pk) for pk in _crew_units(user).values_list("pk", flat=True)]
