"""Every write to alerts: raise (with dedup), acknowledge, dispatch, resolve, comment, escalate, relocate."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.errors import AlertMovedOn, InvalidTransition
from opscenter.messages import AlertEscalated
from opscenter.models import (
    OPEN_STATUSES,
    Alert,
    AlertEvent,
    AlertStatus,
    Disposition,
    District,
    OperationsCenter,
    Unit,
    User,
)
from opscenter.permissions import Capability, holders, require
from opscenter.serializers import alert_words_by_language
from opscenter.services.audit import audit_record
from opscenter.services.live import (
    alert_groups,
    publish_alert_moved_on_commit,
    publish_alert_on_commit,
    publish_to_users_on_commit,
)
from opscenter.services.texts import Phrase, in_default_language, is_phrase, phrase
from opscenter.services.units import assignments_clear_for_alert, assignments_create

_RELATED = ("center", "district", "acknowledged_by", "dispatched_by", "resolved_by")
# Where a source raises or updates by dedup key (a hot path: every panic, every restore): the people who
# acted on an alert are read in one query only when there are some (`_with_people`; most such alerts are
# still new), since the join of three users costs more than the rest of the lookup.
_PLACE = ("center", "district")
_PEOPLE = ("acknowledged_by", "dispatched_by", "resolved_by")


def _with_people(alert: Alert | None) -> Alert | None:
    """The alert with the people it names read, in one query (none when it names nobody)."""
    if alert is None:
        return None
    ids = {getattr(alert, f"{name}_id") for name in _PEOPLE} - {None}
    people = {person.pk: person for person in User.objects.filter(pk__in=ids)} if ids else {}
    for name in _PEOPLE:
        person_id = getattr(alert, f"{name}_id")
        if person_id is not None:
            setattr(alert, name, people[person_id])
    return alert


def alert_raise(
    *,
    source: str,
    kind: str,
    severity: int,
    title: str | Phrase,
    center: OperationsCenter | None = None,
    district: District | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    payload: dict[str, Any] | None = None,
    dedup_key: str = "",
    subject: models.Model | None = None,
    actor: User | None = None,
) -> Alert:
    """Raise an alert in `center` (or the center covering `district`). With the dedup key of an open
    alert, that alert is updated instead (title, payload, place; severity only ever rises).

    The stored title is the fallback (and what the admin searches): screens show what the source's
    composer words from the kind and payload, in the reader's language (opscenter.services.texts). A
    title given as a Phrase is stored in the default language. `subject` is what the alert is about (a
    protected object, a camera): other apps attach to it by content type and id, never by import."""
    title = in_default_language(title)
    if center is None:
        if district is None:
            raise ValueError("An alert needs a center or a district.")
        center = district.center
    fields = dict(
        source=source, kind=kind, title=title[:300], center=center, district=district,
        latitude=latitude, longitude=longitude, address=address[:300], payload=payload or {},
    )  # fmt: skip
    if subject is not None:
        fields.update(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)
    now = timezone.now()
    if dedup_key:
        # Two causes may race to create the same alert: the unique constraint decides, the loser updates.
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    existing = _with_people(
                        Alert.objects.select_for_update(of=("self",))
                        .select_related(*_PLACE)
                        .filter(dedup_key=dedup_key, status__in=OPEN_STATUSES)
                        .first()
                    )
                    if existing is not None:
                        return _repeat(existing, fields=fields, severity=severity, now=now, actor=actor)
                    return _create(fields=fields, severity=severity, dedup_key=dedup_key, now=now, actor=actor)
            except IntegrityError:
                continue
        raise RuntimeError(f"Could not raise or update the alert with dedup key {dedup_key!r}.")
    with transaction.atomic():
        return _create(fields=fields, severity=severity, dedup_key="", now=now, actor=actor)


def _create(*, fields: dict, severity: int, dedup_key: str, now, actor: User | None) -> Alert:
    alert = Alert.objects.create(**fields, severity=severity, dedup_key=dedup_key, raised_at=now, updated_at=now)
    AlertEvent.objects.create(alert=alert, action=AlertEvent.Action.RAISED, actor=actor, at=now)
    audit_record(actor=actor, actor_label=fields["source"], action="alert.raise", obj=alert)
    publish_alert_on_commit(alert)
    return alert


def _repeat(alert: Alert, *, fields: dict, severity: int, now, actor: User | None) -> Alert:
    for name, value in fields.items():
        setattr(alert, name, value)
    alert.severity = min(alert.severity, severity)
    # The row is locked (select_for_update; on SQLite the transaction is IMMEDIATE), so the count read with
    # it is current and no F() expression (and re-read) is needed.
    alert.repeat_count += 1
    alert.updated_at = now
    alert.save()
    AlertEvent.objects.create(alert=alert, action=AlertEvent.Action.REPEATED, actor=actor, at=now)
    publish_alert_on_commit(alert)
    return alert


def _event_text(text: str | Phrase, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A timeline text as stored (the default language) and the event's data, which keeps a phrase to
    render in the reader's language (AlertEventSerializer)."""
    if is_phrase(text):
        return in_default_language(text), {**data, "text_phrase": text}
    return str(text), data


def alert_update_open(*, dedup_key: str, text: str | Phrase, payload: dict[str, Any] | None = None) -> Alert | None:
    """Tell the open alert with this dedup key that its cause changed (a panel's restore, say): merge
    `payload` into its payload and add `text` to its timeline (a Phrase, when the system composed it, is
    shown in the reader's language). Returns None when no such alert is open; nothing is raised then."""
    with transaction.atomic():
        alert = _with_people(
            Alert.objects.select_for_update(of=("self",))
            .select_related(*_PLACE)
            .filter(dedup_key=dedup_key, status__in=OPEN_STATUSES)
            .first()
        )
        if alert is None:
            return None
        now = timezone.now()
        alert.payload = {**alert.payload, **(payload or {})}
        alert.updated_at = now
        alert.save(update_fields=["payload", "updated_at"])
        stored, data = _event_text(text, payload or {})
        AlertEvent.objects.create(alert=alert, action=AlertEvent.Action.UPDATED, at=now, text=stored, data=data)
        publish_alert_on_commit(alert)
        return alert


def alert_find_open(*, dedup_key: str) -> Alert | None:
    """The open alert carrying this dedup key, for services that resolve what they raised."""
    return Alert.objects.select_related(*_RELATED).filter(dedup_key=dedup_key, status__in=OPEN_STATUSES).first()


def _require_actor(actor: User) -> None:
    require(actor, Capability.ALERT_ACT)


def _locked(alert_pk: int) -> Alert:
    return Alert.objects.select_for_update(of=("self",)).select_related(*_RELATED).get(pk=alert_pk)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: User) -> Alert:
    """Acknowledge a new alert; of two operators acknowledging at once exactly one is recorded (a
    conditional UPDATE decides). The same person acknowledging again (a retried request) gets the alert
    as it is; anyone else, or anyone once it moved past acknowledged, gets AlertMovedOn: it names who
    holds it."""
    _require_actor(actor)
    now = timezone.now()
    won = Alert.objects.filter(pk=alert.pk, status=AlertStatus.NEW).update(
        status=AlertStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor, updated_at=now
    )
    alert = Alert.objects.select_related(*_RELATED).get(pk=alert.pk)
    if not won:
        if alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by_id == actor.pk:
            return alert
        raise AlertMovedOn(alert)
    AlertEvent.objects.create(alert=alert, action=AlertEvent.Action.ACKNOWLEDGED, actor=actor, at=now)
    audit_record(actor=actor, action="alert.acknowledge", obj=alert)
    publish_alert_on_commit(alert)
    return alert


@transaction.atomic
def alert_dispatch(*, alert: Alert, actor: User, units: Sequence[Unit]) -> Alert:
    """Send `units` (read through the actor's scope; each available) to the alert, each with an assignment
    of its own (opscenter.services.units), and record it on the alert. A new alert is acknowledged by the
    same act; a dispatched one can be sent more units. `dispatch_unit` names every unit sent so far."""
    _require_actor(actor)
    alert = _locked(alert.pk)
    if not alert.is_open:
        raise AlertMovedOn(alert)
    now = timezone.now()
    assignments = assignments_create(alert=alert, units=units, actor=actor, now=now)
    call_signs = [assignment.unit.call_sign for assignment in assignments]
    if alert.status == AlertStatus.NEW:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    sent = [name for name in alert.dispatch_unit.split(", ") if name] if alert.status == AlertStatus.DISPATCHED else []
    alert.status = AlertStatus.DISPATCHED
    alert.dispatched_at, alert.dispatched_by = now, actor
    alert.dispatch_unit = ", ".join([*sent, *(name for name in call_signs if name not in sent)])[:200]
    alert.updated_at = now
    alert.save()
    data = {"units": call_signs, "unit_ids": [assignment.unit_id for assignment in assignments]}
    AlertEvent.objects.create(alert=alert, action=AlertEvent.Action.DISPATCHED, actor=actor, at=now, data=data)
    audit_record(actor=actor, action="alert.dispatch", obj=alert, data=data)
    publish_alert_on_commit(alert)
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, actor: User | None, disposition: str, note: str | Phrase = "") -> Alert:
    """Close an open alert with a disposition. `actor` None means the system (for example a panel's
    restore signal or a bracelet back home), recorded as such; its note may be a Phrase."""
    if actor is not None:
        _require_actor(actor)
    if disposition not in Disposition.values:
        raise InvalidTransition(_("Unknown disposition."), code="invalid_disposition")
    alert = _locked(alert.pk)
    if not alert.is_open:
        raise AlertMovedOn(alert)
    now = timezone.now()
    if alert.status == AlertStatus.DISPATCHED:
        assignments_clear_for_alert(alert=alert, actor=actor, now=now)  # its units are free again
    alert.status, alert.disposition = AlertStatus.RESOLVED, disposition
    alert.resolved_at, alert.resolved_by = now, actor
    if alert.acknowledged_at is None and actor is not None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.updated_at = now
    alert.save()
    note, data = _event_text(note, {"disposition": disposition})
    AlertEvent.objects.create(alert=alert, action=AlertEvent.Action.RESOLVED, actor=actor, at=now, text=note, data=data)
    audit_record(
        actor=actor, actor_label=alert.source, action="alert.resolve", obj=alert,
        data={"disposition": disposition, "note": note},
    )  # fmt: skip
    publish_alert_on_commit(alert)
    return alert


@transaction.atomic
def alert_comment(*, alert: Alert, actor: User, text: str) -> AlertEvent:
    text = text.strip()
    if not text:
        raise InvalidTransition(_("A comment cannot be empty."), code="empty_comment")
    require(actor, Capability.ALERT_COMMENT)
    now = timezone.now()
    event = AlertEvent.objects.create(
        alert=alert, action=AlertEvent.Action.COMMENTED, actor=actor, at=now, text=text[:4000]
    )
    Alert.objects.filter(pk=alert.pk).update(updated_at=now)
    audit_record(actor=actor, action="alert.comment", obj=alert)
    publish_alert_on_commit(Alert.objects.select_related(*_RELATED).get(pk=alert.pk))
    return event


@transaction.atomic
def alert_escalate(*, alert: Alert, level: int) -> Alert | None:
    """Raise the escalation level of a still-new alert to `level` and tell whom that level reaches:
    level 1 the center's supervisors, level 2 also the center's head. Returns None when another worker
    escalated it already or it was acknowledged meanwhile (the task may run twice)."""
    now = timezone.now()
    won = Alert.objects.filter(pk=alert.pk, status=AlertStatus.NEW, escalation_level__lt=level).update(
        escalation_level=level, escalated_at=now, updated_at=now
    )
    if not won:
        return None
    alert = Alert.objects.select_related(*_RELATED).get(pk=alert.pk)
    recipients = list(
        User.objects.filter(
            is_active=True, role__in=holders(Capability.ALERT_ESCALATION_RECEIVE), centers=alert.center
        ).values_list("pk", "username")
    )
    head = alert.center.head if level >= 2 else None
    if head is not None:
        recipients.append((head.pk, head.get_username()))
    names = sorted({name for _pk, name in recipients})
    AlertEvent.objects.create(
        alert=alert, action=AlertEvent.Action.ESCALATED, at=now, data={"level": level, "to": names}
    )
    audit_record(actor=None, actor_label="escalation", action="alert.escalate", obj=alert,
                 data={"level": level, "to": names})  # fmt: skip
    publish_alert_on_commit(alert)
    titles = {code: words["title"] for code, words in alert_words_by_language(alert).items()}
    escalated: AlertEscalated = {
        "type": "alert.escalated",
        "alert_id": alert.pk,
        "level": level,
        "title": alert.title,
        "titles": titles,
    }
    publish_to_users_on_commit(sorted({pk for pk, _name in recipients}), escalated)
    return alert


def alerts_escalate_overdue(*, now=None) -> int:
    """Escalate every new alert left unacknowledged past its severity's threshold (supervisors), and
    past twice that (the head of the center). Returns how many escalations were made."""
    from django.conf import settings

    now = now or timezone.now()
    count = 0
    for severity, seconds in settings.ALERT_ESCALATION_SECONDS.items():
        if not seconds:
            continue
        for level, factor in ((1, 1), (2, 2)):
            due = Alert.objects.filter(
                status=AlertStatus.NEW,
                severity=severity,
                escalation_level__lt=level,
                raised_at__lte=now - timedelta(seconds=seconds * factor),
            ).values_list("pk", flat=True)
            for pk in list(due):
                if alert_escalate(alert=Alert(pk=pk), level=level) is not None:
                    count += 1
    return count


@transaction.atomic
def alert_relocate(
    *,
    alert: Alert,
    center: OperationsCenter,
    district: District | None = None,
    actor: User | None,
    reason: str | Phrase = "",
) -> Alert:
    """Move the alert to `center` (and `district`, which must be the center's), when the cause moved
    there (an appeal rerouted, say): after commit it appears on the new center's screens and goes from
    the old one's (`alert.removed`). The caller decides who may move it; `actor` is recorded."""
    if district is not None and district.center_id != center.pk:
        raise ValueError("The district is not the center's.")
    alert = _locked(alert.pk)
    if (alert.center_id, alert.district_id) == (center.pk, district.pk if district else None):
        return alert
    previous_groups = alert_groups(alert)
    moved = {
        "from": {"center": alert.center.code, "district": alert.district.code if alert.district else None},
        "to": {"center": center.code, "district": district.code if district else None},
    }
    now = timezone.now()
    alert.center, alert.district, alert.updated_at = center, district, now
    if alert.incident is not None and alert.center_id != alert.incident.center_id:
        alert.incident = None  # an incident is one center's (opscenter.services.incidents): the alert leaves it
    alert.save(update_fields=["center", "district", "updated_at", "incident"])
    place = {"ru": (district or center).name_ru, "kk": (district or center).name_kk}
    moved_to = phrase(gettext_noop("Moved to %(center)s."), center=place)
    said = phrase(gettext_noop("%(moved)s %(reason)s"), moved=moved_to, reason=reason) if reason else moved_to
    text, data = _event_text(said, {"moved": moved})
    AlertEvent.objects.create(alert=alert, action=AlertEvent.Action.UPDATED, actor=actor, at=now, text=text, data=data)
    audit_record(actor=actor, actor_label="system", action="alert.relocate", obj=alert, data=moved)
    publish_alert_moved_on_commit(alert, previous_groups=previous_groups)
    return alert
