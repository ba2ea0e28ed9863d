"""Reads of the bracelets app, scoped by the acting user: an administrator sees everyone; others see the
people of their centers' districts and of their own districts; a user with no scope sees nobody."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from bracelets.models import Bracelet, CourtOrder, Position, SupervisedPerson, Violation, ViolationStatus
from bracelets.models.positions import OPEN_VIOLATION_STATUSES
from bracelets.rules import rules_for
from opscenter.models import Alert, User
from opscenter.permissions import Capability, has
from opscenter.selectors import scoped
from opscenter.services.details import AlertDetails

TRACK_LIMIT = 20_000
LAST_POSITIONS_IN_DETAILS = 20


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


def alert_details(alert: Alert) -> AlertDetails | None:
    """The details provider of bracelet alerts (registered with the spine in `ready()`), called by
    `opscenter.services.details.alert_details_read` only after it checked the reader's scope and
    capability and recorded their reason: who the person is, their officer, their zones (the one
    concerned first) and their last positions. None when the alert is no violation's."""
    violation = (
        Violation.objects.filter(alert_id=alert.pk)
        .select_related("person__responsible_officer", "person__district")
        .order_by("-started_at")
        .first()
    )
    if violation is None:
        return None
    person = violation.person
    rules = rules_for(person.pk, person.rules_token)
    zones = sorted((*rules.inclusion, *rules.exclusion), key=lambda zone: zone.pk != violation.zone_id)
    positions = Position.objects.filter(person=person).order_by("-fix_time")[:LAST_POSITIONS_IN_DETAILS]
    officer = person.responsible_officer
    order = person.orders.order_by("-starts_at").first()
    facts = [(_("File"), person.file_number), (_("District"), str(person.district.name))]
    if order is not None:
        facts.append((_("Court order"), f"{order.number}, {order.get_measure_display()}, {order.court}"))
    return {
        "card": {
            "name": person.full_name,
            "kind_label": person.file_number,
            "address": person.home_address,
            "notes": person.notes,
            "contacts": [
                {
                    "name": officer.get_full_name() or officer.get_username(),
                    "role": _("responsible officer"),
                    "phone": officer.phone,
                }
            ]
            if officer is not None
            else [],
            "card_url": reverse("bracelets:person", kwargs={"person_pk": person.pk}),
        },
        "facts": facts,
        "zones": [zone.as_geometry() for zone in zones],
        "positions": [
            {
                "fix_time": p.fix_time.isoformat(),
                "latitude": p.latitude,
                "longitude": p.longitude,
                "accuracy": p.accuracy,
            }
            for p in positions
        ],
    }
