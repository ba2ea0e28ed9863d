"""The personal data behind an alert, read only through `alert_details_read`: scoped, allowed by the
capability, and audited with its reason.

An alert's payload carries no personal data (a bracelet alert names a file number, not a person). The app
that raised it registers, in its `ready()`, a provider that returns the details for an alert of its
source (or of one kind of it); the spine checks who asks and why, records the read, and only then calls
the provider. For someone working the alert (they acknowledged it or dispatched a unit to it, and it is
still open) the alert itself is the recorded reason; anyone else gives one.
"""

from collections.abc import Callable
from typing import Any, NotRequired, TypedDict

from django.db import transaction
from django.utils.translation import gettext as _

from opscenter.models import Alert, User
from opscenter.permissions import Capability, require
from opscenter.selectors import alert_get
from opscenter.services.audit import audit_personal_data_read


class DetailsCard(TypedDict, total=False):
    """The person or object concerned, as the dashboard's card shows it."""

    name: str
    kind_label: str
    address: str
    contacts: list[dict[str, str]]  # [{name, role, phone}]
    notes: str
    card_url: str


class AlertDetails(TypedDict):
    """What a provider returns: a card, facts as (label, value) pairs, and for the map the zones
    ([{shape: circle, center, radius_m | shape: polygon, polygon, kind, name}]) and the last positions
    ([{latitude, longitude, fix_time}], newest first)."""

    card: NotRequired[DetailsCard]
    facts: NotRequired[list[tuple[str, str]]]
    zones: NotRequired[list[dict[str, Any]]]
    positions: NotRequired[list[dict[str, Any]]]


DetailsProvider = Callable[[Alert], AlertDetails | None]

_providers: dict[tuple[str, str], DetailsProvider] = {}


def register_alert_details(source: str, provider: DetailsProvider, *, kind: str = "") -> None:
    """Let `provider` answer for the alerts of `source` (of one `kind` of it, when given; a kind's own
    provider wins over its source's). Registering again replaces the provider (apps' `ready()` may run
    twice in tests)."""
    _providers[(source, kind)] = provider


def alert_details_provider(alert: Alert) -> DetailsProvider | None:
    return _providers.get((alert.source, alert.kind)) or _providers.get((alert.source, ""))


def alert_details_sources() -> list[str]:
    """The sources whose alerts have details, for the dashboard to offer the button."""
    return sorted({source for source, _kind in _providers})


def alert_worked_by(alert: Alert, user: User) -> bool:
    """Whether `user` is working the alert: it is open and they acknowledged it or dispatched to it."""
    return alert.is_open and user.pk is not None and user.pk in (alert.acknowledged_by_id, alert.dispatched_by_id)


@transaction.atomic
def alert_details_read(*, user: User, alert: Alert, reason: str = "") -> AlertDetails | None:
    """The details of an alert the user's scope covers (Alert.DoesNotExist otherwise), for someone whose
    role allows it (NotAllowed), with a reason (ReasonRequired) unless they are working the alert.
    Returns None, and records nothing, when the alert's app has no details for it or retention redacted
    the alert."""
    require(user, Capability.ALERT_DETAILS_READ)
    alert = alert_get(user=user, alert_pk=alert.pk)
    reason = (reason or "").strip()
    implicit = not reason and alert_worked_by(alert, user)
    if implicit:
        reason = _("Working alert #%(id)s") % {"id": alert.pk}
    provider = alert_details_provider(alert)
    if provider is None or alert.redacted_at is not None:
        return None  # retention redacted the alert: it leads to nobody any more
    # The record first: if it cannot be written (no reason), the provider is never called.
    audit_personal_data_read(
        actor=user,
        obj=alert,
        reason=reason,
        what=f"alert.details:{alert.source}",
        data={"kind": alert.kind, "working": implicit},
    )
    return provider(alert)
