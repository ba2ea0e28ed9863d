"""The pre-plan shown in an alert's detail: what to do (the kind's steps, with the object's own added or
instead), whom to call back (duty phones, as `tel:` links), and the object's earlier alarms and how
they ended.

The kind's plan is the spine's (`PrePlan`, per source and kind). What is particular to the object comes
from the app that raised the alert, without the spine importing it: the app registers, in its
`ready()`, a provider that finds the alert's object (from its dedup key or payload) and returns an
`ObjectPlan`, as the details read's providers do (opscenter.services.details).

No personal data passes here: this read is not audited. A provider returns only what belongs to the
object (an organisation's duty phone, its instructions, the alerts of its panels the reader may see);
named people and their own phones stay in the audited details read.
"""

from collections.abc import Callable
from typing import NotRequired, TypedDict

from django.db.models import Prefetch

from opscenter.models import Alert, Disposition, PrePlan, PrePlanContact, User

HISTORY_LENGTH = 5  # earlier alarms shown; a provider may show fewer


class PlanContact(TypedDict):
    name: str
    role: str
    phone: str


class EarlierAlarm(TypedDict):
    id: int
    raised_at: str
    kind: str
    title: str
    status: str
    disposition: str
    disposition_label: str


class ObjectPlan(TypedDict):
    """What a provider returns for the alert's object: its name, its steps for this kind in the
    reader's language (and whether they replace the kind's), its duty contacts, its earlier alarms
    (newest first, among the alerts the reader may see)."""

    name: str
    steps: list[str]
    replaces: bool
    contacts: list[PlanContact]
    history: list[EarlierAlarm]


class PlanStep(TypedDict):
    text: str
    origin: str  # "kind" or "object"


class AlertPlan(TypedDict):
    """The pre-plan as the console shows it; None fields when there is nothing of that part."""

    steps: list[PlanStep]
    contacts: list[PlanContact]
    object: NotRequired[str | None]
    history: list[EarlierAlarm]


PlanProvider = Callable[[Alert, User], ObjectPlan | None]

_providers: dict[str, PlanProvider] = {}


def register_object_plan(source: str, provider: PlanProvider) -> None:
    """Let `provider` add the object's part of the plan for the alerts of `source`. Registering again
    replaces it (apps' `ready()` may run twice in tests)."""
    _providers[source] = provider


def earlier_alarm(alert: Alert) -> EarlierAlarm:
    """How a provider renders one of the object's earlier alerts: the disposition translated."""
    return {
        "id": alert.pk,
        "raised_at": alert.raised_at.isoformat(),
        "kind": alert.kind,
        "title": alert.title,
        "status": alert.status,
        "disposition": alert.disposition,
        "disposition_label": str(Disposition(alert.disposition).label) if alert.disposition else "",
    }


def kind_plan(alert: Alert) -> PrePlan | None:
    """The active plan of the alert's source and kind, else the source's plan for every kind."""
    contacts = Prefetch("contacts", queryset=PrePlanContact.objects.order_by("position", "pk"))
    plans = {
        plan.kind: plan
        for plan in PrePlan.objects.filter(
            source=alert.source, kind__in=[alert.kind, ""], is_active=True
        ).prefetch_related(contacts)
    }
    return plans.get(alert.kind) or plans.get("")


def alert_plan(*, user: User, alert: Alert) -> AlertPlan | None:
    """The pre-plan of an alert the caller already read through the user's scope (e.g. `alert_detail`):
    None when neither its kind nor its object has steps, contacts or earlier alarms. Alerts the retention
    purge redacted have none."""
    if alert.redacted_at is not None:
        return None
    plan = kind_plan(alert)
    provider = _providers.get(alert.source)
    found = provider(alert, user) if provider is not None else None
    steps: list[PlanStep] = []
    if plan is not None and not (found and found["replaces"]):
        steps += [{"text": text, "origin": "kind"} for text in plan.steps]
    contacts: list[PlanContact] = [
        {"name": contact.name, "role": "", "phone": contact.phone} for contact in (plan.contacts.all() if plan else [])
    ]
    if found is not None:
        steps += [{"text": text, "origin": "object"} for text in found["steps"]]
        contacts = found["contacts"] + contacts
    history = found["history"] if found is not None else []
    if not steps and not contacts and not history:
        return None
    return {
        "steps": steps,
        "contacts": contacts,
        "object": found["name"] if found is not None else None,
        "history": history,
    }
