"""Every read a person can trigger takes the acting user and returns only what their scope allows.

Scope: an administrator (or superuser) sees everything; everyone else sees the alerts of their centers
and of their districts, and nothing when they have neither.
"""

from datetime import datetime

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When

from opscenter import geo
from opscenter.models import OPEN_STATUSES, Alert, AlertEvent, District, OperationsCenter, SavedView, User


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
