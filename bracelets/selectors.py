"""Reads of the bracelets app, scoped by the acting user: an administrator sees everyone; others see the
people of their centers' districts and of their own districts; a user with no scope sees nobody."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from bracelets.models import Bracelet, CourtOrder, Position, SupervisedPerson, Violation, ViolationStatus
from bracelets.models.positions import OPEN_VIOLATION_STATUSES
from opscenter.models import User
from opscenter.permissions import Capability, has
from opscenter.selectors import scoped

TRACK_LIMIT = 20_000


def people_visible(*, user: User) -> QuerySet[SupervisedPerson]:
    people = SupervisedPerson.objects.select_related("district__center", "responsible_officer")
    return scoped(people, user=user, center="district__center")


def person_get(*, user: User, person_pk: int) -> SupervisedPerson:
    """The person, if in the user's scope; SupervisedPerson.DoesNotExist otherwise (no hint they exist)."""
    return people_visible(user=user).get(pk=person_pk)


@dataclass
class PersonState:
    """A person's line on an officer's list: their bracelet, order and what is wrong now."""

    person: SupervisedPerson
    bracelet: Bracelet | None
    order: CourtOrder | None
    open_violations: list[Violation]

    @property
    def state(self) -> str:
        if self.bracelet is None:
            return "unmonitored"
        if any(v.status == ViolationStatus.ALARM for v in self.open_violations):
            return "alarm"
        if self.open_violations:
            return "pending"
        return "ok"


def people_overview(*, user: User, mine_only: bool = False, now: datetime | None = None) -> list[PersonState]:
    """Everyone in scope (or, for an officer who asks, those they are responsible for), worst first.
    A fixed number of queries whatever the number of people."""
    people = people_visible(user=user)
    if mine_only:
        people = people.filter(responsible_officer=user)
    people = people.prefetch_related(
        Prefetch("bracelets", queryset=Bracelet.objects.all(), to_attr="worn"),
        Prefetch("orders", queryset=CourtOrder.objects.order_by("-starts_at"), to_attr="order_list"),
        Prefetch(
            "violations",
            queryset=Violation.objects.filter(status__in=OPEN_VIOLATION_STATUSES).order_by("severity", "-started_at"),
            to_attr="open_list",
        ),
    )
    rows = [
        PersonState(person=person, bracelet=person.worn[0] if person.worn else None,
                    order=person.order_list[0] if person.order_list else None, open_violations=person.open_list)
        for person in people
    ]  # fmt: skip
    rank = {"alarm": 0, "pending": 1, "ok": 2, "unmonitored": 3}
    rows.sort(key=lambda row: (rank[row.state], row.person.full_name))
    return rows


def officer_sees_mine_by_default(user: User) -> bool:
    return has(user, Capability.OWN_CASELOAD_DEFAULT)


def person_track(*, user: User, person_pk: int, since: datetime, until: datetime) -> QuerySet[Position]:
    """The person's fixes in [since, until), oldest first (capped)."""
    person = person_get(user=user, person_pk=person_pk)
    return Position.objects.filter(person=person, fix_time__gte=since, fix_time__lt=until).order_by("fix_time")[
        :TRACK_LIMIT
    ]


def person_violations(*, user: User, person_pk: int) -> QuerySet[Violation]:
    person = person_get(user=user, person_pk=person_pk)
    return Violation.objects.filter(person=person).select_related("zone", "alert").order_by("-started_at", "-pk")
