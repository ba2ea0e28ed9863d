"""Every write to patrol units: creating one, its crew, going on and off duty, its position from its tablet
or tracker, and its assignments (sent by `alert_dispatch`; accepted, arrived, cleared).

Locks are taken in one order everywhere, alert → assignment → unit, so two of these never wait on each
other: a dispatch locks the alert, then its units (by primary key); a step of an assignment locks its
alert, then the assignment, then the unit. A status changes by a conditional UPDATE from the status read
under the lock, checked against UNIT_TRANSITIONS, and is kept as a UnitStatusChange.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.errors import AssignmentMovedOn, InvalidTransition, NotAllowed, UnitUnavailable
from opscenter.geo import distance_between_m
from opscenter.models import (
    OPEN_ASSIGNMENT_STATUSES,
    UNIT_TRANSITIONS,
    Alert,
    AlertEvent,
    Assignment,
    AssignmentStatus,
    DeviceCredential,
    District,
    OperationsCenter,
    Unit,
    UnitKind,
    UnitStatus,
    UnitStatusChange,
    User,
)
from opscenter.osmand import Report, ReportError
from opscenter.permissions import Capability, can_set_unit_status, has, is_crew, require
from opscenter.selectors import unit_fresh
from opscenter.services.audit import audit_record
from opscenter.services.credentials import credential_issue, credential_rotate
from opscenter.services.live import publish_alert_on_commit, publish_unit_on_commit, publish_user_changed_on_commit

UNIT_DEVICE_KIND = "unit"  # the DeviceCredential kind of a unit's tablet or tracker


def _publish(unit_pk: int) -> None:
    publish_unit_on_commit(unit_fresh(unit_pk))


def _position_keys(unit_pk: int) -> tuple[str, str]:
    return f"units:{unit_pk}:position-sent", f"units:{unit_pk}:position-due"


def _publish_position(unit_pk: int) -> None:
    """A new position goes out at once unless the unit's last one went out less than
    UNIT_POSITION_PUBLISH_SECONDS ago; then one publish is due at the end of that interval
    (`unit_position_publish`), which sends the unit as it is then, its newest fix. Status changes are
    never folded (`_publish`)."""
    interval = float(settings.UNIT_POSITION_PUBLISH_SECONDS)
    if interval <= 0:
        _publish(unit_pk)
        return
    sent, due = _position_keys(unit_pk)
    if cache.add(sent, 1, timeout=interval):
        _publish(unit_pk)
    elif cache.add(due, 1, timeout=interval * 2):
        from opscenter.tasks import unit_position_publish

        transaction.on_commit(lambda: unit_position_publish.apply_async((unit_pk,), countdown=interval))


def unit_position_publish_due(unit_pk: int) -> None:
    """The folded publish of a unit's position (the task): the unit as it is now."""
    sent, due = _position_keys(unit_pk)
    cache.set(sent, 1, timeout=float(settings.UNIT_POSITION_PUBLISH_SECONDS))
    cache.delete(due)
    if Unit.objects.filter(pk=unit_pk).exists():
        _publish(unit_pk)


def _actor_label(actor: User | None, label: str) -> str:
    return actor.get_username() if actor is not None and actor.pk else label


def _change_status(
    unit: Unit,
    *,
    to: str,
    actor: User | None,
    now: datetime,
    assignment: Assignment | None = None,
    label: str = "system",
) -> None:
    """Move the (locked) unit from the status it was read with to `to`, or raise UnitUnavailable."""
    if to not in UNIT_TRANSITIONS.get(unit.status, frozenset()):
        raise UnitUnavailable(unit)
    won = Unit.objects.filter(pk=unit.pk, status=unit.status).update(status=to, status_changed_at=now, updated_at=now)
    if not won:
        unit.refresh_from_db(fields=["status"])
        raise UnitUnavailable(unit)
    UnitStatusChange.objects.create(
        unit=unit, status_from=unit.status, status=to, at=now, actor=actor if actor is not None and actor.pk else None,
        actor_label=_actor_label(actor, label), assignment=assignment,
    )  # fmt: skip
    unit.status, unit.status_changed_at, unit.updated_at = to, now, now


@transaction.atomic
def unit_create(
    *,
    call_sign: str,
    center: OperationsCenter,
    kind: str = UnitKind.CAR,
    district: District | None = None,
    crew: Iterable[User] = (),
    status: str = UnitStatus.OFF_DUTY,
    credential: DeviceCredential | None = None,
    actor: User | None = None,
) -> Unit:
    """A new unit of `center` (and `district`, which must be the center's)."""
    if district is not None and district.center_id != center.pk:
        raise InvalidTransition(_("The district is not the center's."), code="district_not_of_center")
    if status not in UnitStatus.values or kind not in UnitKind.values:
        raise InvalidTransition(code="invalid_unit")
    now = timezone.now()
    unit = Unit.objects.create(
        call_sign=call_sign.strip()[:32], kind=kind, center=center, district=district, status=status,
        status_changed_at=now, updated_at=now, credential=credential,
    )  # fmt: skip
    members = list(crew)
    unit.crew.set(members)
    audit_record(actor=actor, action="unit.create", obj=unit, data={"crew": sorted(m.get_username() for m in members)})
    for member in members:
        publish_user_changed_on_commit(member.pk)
    _publish(unit.pk)
    return unit


@transaction.atomic
def unit_crew_set(*, unit: Unit, crew: Iterable[User], actor: User | None) -> Unit:
    """Make `crew` the unit's crew; the tablets of those who joined or left follow at once."""
    before = set(unit.crew.values_list("pk", flat=True))
    members = list(crew)
    unit.crew.set(members)
    after = {member.pk for member in members}
    if before != after:
        names = sorted(member.get_username() for member in members)
        audit_record(actor=actor, action="unit.crew_set", obj=unit, data={"crew": names})
        for pk in sorted(before ^ after):
            publish_user_changed_on_commit(pk)
        _publish(unit.pk)
    return unit


@transaction.atomic
def unit_device_issue(*, unit: Unit, actor: User | None) -> str:
    """Give the unit's tablet or tracker a credential of its own (kind "unit", named by the call sign),
    or a new secret for the one it has; returns the secret, shown once. The device then posts OsmAnd to
    /api/v1/units/osmand with it."""
    unit = Unit.objects.select_for_update(of=("self",)).select_related("credential").get(pk=unit.pk)
    if unit.credential is not None:
        return credential_rotate(credential=unit.credential, actor=actor)
    credential, secret = credential_issue(kind=UNIT_DEVICE_KIND, identifier=unit.call_sign, actor=actor)
    unit.credential = credential
    unit.save(update_fields=["credential"])
    return secret


def unit_changed(*, unit: Unit) -> None:
    """Tell the screens a unit changed outside these services (its fields edited in the admin)."""
    Unit.objects.filter(pk=unit.pk).update(updated_at=timezone.now())
    _publish(unit.pk)


@transaction.atomic
def unit_status_set(*, unit: Unit, status: str, actor: User) -> Unit:
    """Put a unit on duty (available) or off duty, by its crew or a dispatcher; refused while it has an
    open assignment (en route and on scene follow the assignments) or when it is already so."""
    if not can_set_unit_status(actor, unit):
        raise NotAllowed()
    if status not in (UnitStatus.AVAILABLE, UnitStatus.OFF_DUTY):
        raise InvalidTransition(_("Only going on and off duty is set by hand."), code="invalid_unit_status")
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    if locked.status == status:
        return unit_fresh(locked.pk)
    if Assignment.objects.filter(unit=locked, status__in=OPEN_ASSIGNMENT_STATUSES).exists():
        raise UnitUnavailable(locked, _("The unit has an open assignment: clear it first."))
    now = timezone.now()
    before = locked.status
    _change_status(locked, to=status, actor=actor, now=now)
    audit_record(actor=actor, action="unit.status_set", obj=locked, data={"from": before, "to": status})
    _publish(locked.pk)
    return unit_fresh(locked.pk)


def unit_position_report(
    *, credential: DeviceCredential, reports: Sequence[Report], now: datetime | None = None
) -> Unit:
    """Take the fixes a unit's tablet or tracker sent (OsmAnd): the newest valid one becomes the unit's
    position unless the unit already has a newer one; a fix ahead of the server's clock is refused.
    Raises Unit.DoesNotExist when the credential is no unit's (or another device's id is claimed)."""
    now = now or timezone.now()
    claimed = {report.device_id for report in reports if report.device_id}
    if claimed - {credential.identifier}:
        raise Unit.DoesNotExist  # a unit's secret speaks for that unit only
    ahead = now + timedelta(seconds=settings.UNIT_FUTURE_TOLERANCE_SECONDS)
    fixes = []
    for report in reports:
        if report.fix_time is not None and report.fix_time > ahead:
            raise ReportError(report.time_field, "The fix time is ahead of the server's clock.")
        if report.has_fix and report.is_valid:
            fixes.append(report)
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(credential=credential, is_active=True)
        if not fixes:
            return unit
        newest = max(fixes, key=lambda report: report.fix_time or now)
        fix_time = newest.fix_time or now
        if unit.position_at is not None and fix_time <= unit.position_at:
            return unit  # late: the unit has a newer position already
        unit.latitude, unit.longitude, unit.position_at, unit.updated_at = (
            newest.latitude, newest.longitude, fix_time, now,
        )  # fmt: skip
        unit.save(update_fields=["latitude", "longitude", "position_at", "updated_at"])
        _publish_position(unit.pk)
        return unit


def assignments_create(*, alert: Alert, units: Sequence[Unit], actor: User, now: datetime) -> list[Assignment]:
    """Send `units` to the (locked, open) `alert`: each must be in service, of the actor's scope (the
    caller read them through it) and available; each goes en route with an assignment of its own.
    Called by opscenter.services.alerts.alert_dispatch, inside its transaction."""
    require(actor, Capability.UNIT_DISPATCH)
    if not units:
        raise InvalidTransition(_("Choose at least one unit."), code="unit_required")
    locked = list(Unit.objects.select_for_update().filter(pk__in={u.pk for u in units}, is_active=True).order_by("pk"))
    if len(locked) != len({u.pk for u in units}):
        raise InvalidTransition(_("A unit chosen is not in service."), code="unit_not_in_service")
    assignments = []
    for unit in locked:
        if unit.status != UnitStatus.AVAILABLE:
            raise UnitUnavailable(unit, _("%(unit)s is not available.") % {"unit": unit.call_sign})
        distance = distance_between_m(alert.latitude, alert.longitude, unit.latitude, unit.longitude)
        assignment = Assignment.objects.create(
            alert=alert,
            unit=unit,
            dispatched_at=now,
            dispatched_by=actor,
            distance_m=round(distance) if distance is not None else None,
        )
        _change_status(unit, to=UnitStatus.EN_ROUTE, actor=actor, now=now, assignment=assignment)
        assignments.append(assignment)
    for assignment in assignments:
        _publish(assignment.unit_id)
    return assignments


def _locked_assignment(assignment_pk: int) -> tuple[Alert, Assignment, Unit]:
    """The assignment's alert, the assignment and its unit, locked in the module's order."""
    alert_pk = Assignment.objects.values_list("alert_id", flat=True).get(pk=assignment_pk)
    alert = Alert.objects.select_for_update(of=("self",)).select_related("center", "district").get(pk=alert_pk)
    assignment = Assignment.objects.select_for_update().get(pk=assignment_pk)
    unit = Unit.objects.select_for_update().get(pk=assignment.unit_id)
    return alert, assignment, unit


def _alert_note(
    alert: Alert, *, action: str, actor: User | None, unit: Unit, now: datetime, publish: bool = True
) -> None:
    """The step on the alert's own timeline, and the alert republished (its consoles see it moved), unless
    the caller changes and publishes the alert itself."""
    AlertEvent.objects.create(
        alert=alert, action=action, actor=actor if actor is not None and actor.pk else None, at=now,
        data={"unit": unit.call_sign, "unit_id": unit.pk},
    )  # fmt: skip
    if not publish:
        return
    Alert.objects.filter(pk=alert.pk).update(updated_at=now)
    alert.updated_at = now
    publish_alert_on_commit(
        Alert.objects.select_related("center", "district", "acknowledged_by", "dispatched_by", "resolved_by").get(
            pk=alert.pk
        )
    )


def _require_crew(actor: User, unit: Unit) -> None:
    if not is_crew(actor, unit):
        raise NotAllowed()


@transaction.atomic
def assignment_accept(*, assignment: Assignment, actor: User) -> Assignment:
    """The crew takes the assignment (its tablet's "accept"). Accepting again is harmless; an assignment
    already further along or cleared is refused with AssignmentMovedOn."""
    alert, locked, unit = _locked_assignment(assignment.pk)
    _require_crew(actor, unit)
    if locked.status == AssignmentStatus.ACCEPTED:
        return locked
    if locked.status != AssignmentStatus.DISPATCHED:
        raise AssignmentMovedOn(locked)
    now = timezone.now()
    locked.status, locked.accepted_at, locked.accepted_by = AssignmentStatus.ACCEPTED, now, actor
    locked.save(update_fields=["status", "accepted_at", "accepted_by"])
    Unit.objects.filter(pk=unit.pk).update(updated_at=now)
    _alert_note(alert, action=AlertEvent.Action.UNIT_ACCEPTED, actor=actor, unit=unit, now=now)
    audit_record(actor=actor, action="assignment.accept", obj=locked)
    _publish(unit.pk)
    return locked


@transaction.atomic
def assignment_arrive(*, assignment: Assignment, actor: User) -> Assignment:
    """The crew is on scene (accepting it, if they had not). Arriving again is harmless."""
    alert, locked, unit = _locked_assignment(assignment.pk)
    _require_crew(actor, unit)
    if locked.status == AssignmentStatus.ARRIVED:
        return locked
    if locked.status not in (AssignmentStatus.DISPATCHED, AssignmentStatus.ACCEPTED):
        raise AssignmentMovedOn(locked)
    now = timezone.now()
    if locked.accepted_at is None:
        locked.accepted_at, locked.accepted_by = now, actor
    locked.status, locked.arrived_at = AssignmentStatus.ARRIVED, now
    locked.save(update_fields=["status", "accepted_at", "accepted_by", "arrived_at"])
    _change_status(unit, to=UnitStatus.ON_SCENE, actor=actor, now=now, assignment=locked)
    _alert_note(alert, action=AlertEvent.Action.UNIT_ARRIVED, actor=actor, unit=unit, now=now)
    audit_record(actor=actor, action="assignment.arrive", obj=locked)
    _publish(unit.pk)
    return locked


def _clear(
    alert: Alert, locked: Assignment, unit: Unit, *, actor: User | None, now: datetime, label: str, publish_alert: bool
) -> None:
    locked.status, locked.cleared_at, locked.cleared_by = AssignmentStatus.CLEARED, now, actor
    locked.save(update_fields=["status", "cleared_at", "cleared_by"])
    _change_status(unit, to=UnitStatus.AVAILABLE, actor=actor, now=now, assignment=locked, label=label)
    _alert_note(alert, action=AlertEvent.Action.UNIT_CLEARED, actor=actor, unit=unit, now=now, publish=publish_alert)
    audit_record(actor=actor, actor_label=label, action="assignment.clear", obj=locked)
    _publish(unit.pk)


@transaction.atomic
def assignment_clear(*, assignment: Assignment, actor: User) -> Assignment:
    """The unit is done (its crew), or called back (a dispatcher of its scope): the assignment closes and
    the unit is available again. Clearing again is harmless."""
    alert, locked, unit = _locked_assignment(assignment.pk)
    if not (is_crew(actor, unit) or has(actor, Capability.UNIT_DISPATCH)):
        raise NotAllowed()
    if locked.status == AssignmentStatus.CLEARED:
        return locked
    _clear(alert, locked, unit, actor=actor, now=timezone.now(), label="", publish_alert=True)
    return locked


def assignments_clear_for_alert(*, alert: Alert, actor: User | None, now: datetime) -> int:
    """Clear every open assignment of the (locked) alert, which is being resolved: its units are free
    again. Called by opscenter.services.alerts.alert_resolve, inside its transaction."""
    cleared = 0
    pks = list(
        alert.assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES).order_by("pk").values_list("pk", flat=True)
    )
    for pk in pks:
        locked = Assignment.objects.select_for_update().get(pk=pk)
        if locked.status == AssignmentStatus.CLEARED:
            continue
        unit = Unit.objects.select_for_update().get(pk=locked.unit_id)
        _clear(alert, locked, unit, actor=actor, now=now, label="alert resolved", publish_alert=False)
        cleared += 1
    return cleared
