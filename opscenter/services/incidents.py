"""Every write to incidents: create one from alerts, link and unlink alerts, acknowledge and resolve it
as one. Acknowledging or resolving an incident acts on each of its open alerts through the alert
services, so each alert keeps its own timeline, audit and live update, and the incident adds its own.

Scope: the actor may link only alerts they may see (`opscenter.selectors.scoped`), all of one center,
open, and in no other incident; anything else is refused before anything changes.

Lock order, in every service here: the incident first, then its alerts by ascending id. The alert
services lock one alert and never an incident, so two transactions never wait on each other in a cycle.
"""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.errors import InvalidTransition
from opscenter.models import OPEN_STATUSES, Alert, AlertEvent, AlertStatus, Disposition, Incident, IncidentStatus, User
from opscenter.permissions import Capability, require
from opscenter.selectors import incident_get, scoped
from opscenter.services.alerts import alert_acknowledge, alert_resolve
from opscenter.services.audit import audit_record
from opscenter.services.live import publish_alert_on_commit, publish_incident_on_commit
from opscenter.services.texts import Phrase, in_default_language, phrase

_ALERT_RELATED = ("center", "district", "acknowledged_by", "dispatched_by", "resolved_by")


class IncidentClosed(InvalidTransition):
    code = "incident_closed"

    def __init__(self, incident: Incident) -> None:
        super().__init__(_("Incident #%(id)s is already resolved.") % {"id": incident.pk})
        self.incident = incident


def _lock_incident(*, actor: User, incident: Incident) -> Incident:
    """The incident, if the actor's scope covers it (Incident.DoesNotExist otherwise), locked."""
    incident_get(user=actor, incident_pk=incident.pk)
    related = ("center", "created_by", "acknowledged_by", "resolved_by")
    return Incident.objects.select_for_update(of=("self",)).select_related(*related).get(pk=incident.pk)


def _lock_alerts(*, actor: User, pks: Sequence[int]) -> list[Alert]:
    """The alerts, locked by ascending id, if the actor's scope covers every one: Alert.DoesNotExist
    otherwise (never a hint which one exists)."""
    wanted = sorted(set(pks))
    alerts = list(
        scoped(Alert.objects.filter(pk__in=wanted), user=actor)
        .select_for_update(of=("self",))
        .select_related(*_ALERT_RELATED)
        .order_by("pk")
    )
    if len(alerts) != len(wanted):
        raise Alert.DoesNotExist("Alert matching query does not exist.")
    return alerts


def _open_alerts_locked(incident: Incident) -> list[Alert]:
    return list(
        Alert.objects.select_for_update(of=("self",))
        .select_related(*_ALERT_RELATED)
        .filter(incident=incident, status__in=OPEN_STATUSES)
        .order_by("pk")
    )


def _check_linkable(alerts: list[Alert], *, center_pk: int, incident: Incident | None) -> list[Alert]:
    """The alerts not yet in `incident`, once every one is shown to be linkable to it."""
    if any(alert.center_id != center_pk for alert in alerts):
        raise InvalidTransition(_("Only alerts of one center can be worked as one incident."), code="several_centers")
    closed = [alert.pk for alert in alerts if not alert.is_open]
    if closed:
        raise InvalidTransition(
            _("Alert #%(id)s is already resolved: only open alerts can be linked.") % {"id": closed[0]},
            code="alert_closed",
        )
    elsewhere = [
        alert
        for alert in alerts
        if alert.incident_id is not None and alert.incident_id != getattr(incident, "pk", None)
    ]
    if elsewhere:
        raise InvalidTransition(
            _("Alert #%(id)s is already in incident #%(incident)s.")
            % {"id": elsewhere[0].pk, "incident": elsewhere[0].incident_id},
            code="alert_in_other_incident",
        )
    return [alert for alert in alerts if alert.incident_id is None]


def _said(text: Phrase, incident: Incident) -> dict:
    """A timeline entry's text as stored (the default language) and its data, with the phrase that the
    timeline renders in the reader's language (as opscenter.services.alerts keeps system texts)."""
    return {"text": in_default_language(text), "data": {"incident": incident.pk, "text_phrase": text}}


def _link(incident: Incident, alerts: list[Alert], *, actor: User, now) -> None:
    said = _said(phrase(gettext_noop("Linked to incident #%(id)s."), id=incident.pk), incident)
    for alert in alerts:
        alert.incident, alert.updated_at = incident, now
        alert.save(update_fields=["incident", "updated_at"])
        AlertEvent.objects.create(alert=alert, action=AlertEvent.Action.LINKED, actor=actor, at=now, **said)
        publish_alert_on_commit(alert)


def _districts(alerts: list[Alert] | QuerySet[Alert]) -> set[int]:
    return {alert.district_id for alert in alerts if alert.district_id is not None}


def _districts_of(incident: Incident) -> set[int]:
    return set(
        Alert.objects.filter(incident=incident, district__isnull=False).values_list("district_id", flat=True).distinct()
    )


def _touch(incident: Incident, now, **fields) -> None:
    for name, value in fields.items():
        setattr(incident, name, value)
    incident.updated_at = now
    incident.save(update_fields=[*fields, "updated_at"])


def incident_create(*, actor: User, alerts: Sequence[Alert], title: str = "") -> Incident:
    """A new incident in the alerts' center holding `alerts` (at least one), named `title` if given (else
    the console names it by its most severe, oldest alert, whose title is worded in each reader's
    language: a stored copy would be in one language only)."""
    require(actor, Capability.INCIDENT_MANAGE)
    if not alerts:
        raise InvalidTransition(_("Choose the alerts to link."), code="no_alerts")
    with transaction.atomic():
        locked = _lock_alerts(actor=actor, pks=[alert.pk for alert in alerts])
        first = min(locked, key=lambda alert: (alert.severity, alert.raised_at, alert.pk))
        linking = _check_linkable(locked, center_pk=first.center_id, incident=None)
        now = timezone.now()
        incident = Incident.objects.create(
            center=first.center, title=title.strip()[:300], created_at=now, created_by=actor,
            updated_at=now,
        )  # fmt: skip
        _link(incident, linking, actor=actor, now=now)
        audit_record(actor=actor, action="incident.create", obj=incident, data={"alerts": [a.pk for a in linking]})
        publish_incident_on_commit(incident, district_pks=_districts(linking))
        return incident


def incident_link(*, incident: Incident, actor: User, alerts: Sequence[Alert]) -> Incident:
    """Link more alerts to an open incident. Alerts already in it are left as they are (a retried
    request changes nothing)."""
    require(actor, Capability.INCIDENT_MANAGE)
    if not alerts:
        raise InvalidTransition(_("Choose the alerts to link."), code="no_alerts")
    with transaction.atomic():
        incident = _lock_incident(actor=actor, incident=incident)
        if not incident.is_open:
            raise IncidentClosed(incident)
        locked = _lock_alerts(actor=actor, pks=[alert.pk for alert in alerts])
        linking = _check_linkable(locked, center_pk=incident.center_id, incident=incident)
        if not linking:
            return incident
        now = timezone.now()
        _link(incident, linking, actor=actor, now=now)
        _touch(incident, now)
        audit_record(actor=actor, action="incident.link", obj=incident, data={"alerts": [a.pk for a in linking]})
        publish_incident_on_commit(incident, district_pks=_districts_of(incident))
        return incident


def incident_unlink(*, incident: Incident, actor: User, alert: Alert) -> Incident:
    """Take an alert out of an open incident (linked by mistake): it is worked on its own again."""
    require(actor, Capability.INCIDENT_MANAGE)
    with transaction.atomic():
        incident = _lock_incident(actor=actor, incident=incident)
        if not incident.is_open:
            raise IncidentClosed(incident)
        (locked,) = _lock_alerts(actor=actor, pks=[alert.pk])
        if locked.incident_id != incident.pk:
            raise InvalidTransition(
                _("Alert #%(id)s is not in incident #%(incident)s.") % {"id": locked.pk, "incident": incident.pk},
                code="alert_not_in_incident",
            )
        now = timezone.now()
        locked.incident, locked.updated_at = None, now
        locked.save(update_fields=["incident", "updated_at"])
        said = _said(phrase(gettext_noop("Unlinked from incident #%(id)s."), id=incident.pk), incident)
        AlertEvent.objects.create(alert=locked, action=AlertEvent.Action.UNLINKED, actor=actor, at=now, **said)
        publish_alert_on_commit(locked)
        _touch(incident, now)
        audit_record(actor=actor, action="incident.unlink", obj=incident, data={"alerts": [locked.pk]})
        publish_incident_on_commit(incident, district_pks=_districts_of(incident) | _districts([locked]))
        return incident


def incident_acknowledge(*, incident: Incident, actor: User) -> Incident:
    """Acknowledge the incident and, through `alert_acknowledge`, each of its alerts still new. Alerts
    someone already acknowledged stay theirs. Acknowledging again changes nothing."""
    require(actor, Capability.ALERT_ACT)
    with transaction.atomic():
        incident = _lock_incident(actor=actor, incident=incident)
        if not incident.is_open:
            raise IncidentClosed(incident)
        alerts = _open_alerts_locked(incident)
        acknowledged = [
            alert_acknowledge(alert=alert, actor=actor).pk for alert in alerts if alert.status == AlertStatus.NEW
        ]
        if incident.status == IncidentStatus.ACKNOWLEDGED and not acknowledged:
            return incident
        now = timezone.now()
        if incident.status == IncidentStatus.OPEN:
            _touch(incident, now, status=IncidentStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor)
        else:
            _touch(incident, now)
        audit_record(actor=actor, action="incident.acknowledge", obj=incident, data={"alerts": acknowledged})
        publish_incident_on_commit(incident, district_pks=_districts_of(incident))
        return incident


def incident_resolve(*, incident: Incident, actor: User, disposition: str, note: str = "") -> Incident:
    """Resolve the incident and, through `alert_resolve`, each of its open alerts, all with one
    disposition; each alert's timeline says it was resolved with the incident."""
    require(actor, Capability.ALERT_ACT)
    if disposition not in Disposition.values:
        raise InvalidTransition(_("Unknown disposition."), code="invalid_disposition")
    note = note.strip()[:4000]
    with transaction.atomic():
        incident = _lock_incident(actor=actor, incident=incident)
        if not incident.is_open:
            raise IncidentClosed(incident)
        with_incident = phrase(gettext_noop("Resolved with incident #%(id)s."), id=incident.pk)
        text = (
            phrase(gettext_noop("%(resolved)s %(note)s"), resolved=with_incident, note=note) if note else with_incident
        )
        resolved = [
            alert_resolve(alert=alert, actor=actor, disposition=disposition, note=text).pk
            for alert in _open_alerts_locked(incident)
        ]
        now = timezone.now()
        fields = {
            "status": IncidentStatus.RESOLVED,
            "disposition": disposition,
            "resolved_at": now,
            "resolved_by": actor,
        }
        if incident.acknowledged_at is None:
            fields |= {"acknowledged_at": now, "acknowledged_by": actor}
        _touch(incident, now, **fields)
        audit_record(
            actor=actor, action="incident.resolve", obj=incident,
            data={"disposition": disposition, "note": note, "alerts": resolved},
        )  # fmt: skip
        publish_incident_on_commit(incident, district_pks=_districts_of(incident))
        return incident
