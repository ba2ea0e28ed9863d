"""Devices, people, orders, zones and absences: every write that sets up what evaluation judges.

Each change to a person's zones, windows, absences or orders replaces their `rules_token`, so that
evaluation (which keeps compiled rules in memory) sees it on the next position.
"""

import math
import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bracelets.models import (
    HOME_ZONE_NAME,
    AbsenceKind,
    ApprovedAbsence,
    Bracelet,
    BraceletAssignment,
    BraceletState,
    CourtOrder,
    CurfewWindow,
    Measure,
    SupervisedPerson,
    Zone,
    ZoneKind,
    ZoneSchedule,
    ZoneShape,
)
from bracelets.schedules import WeeklyWindow, parse_weekdays
from bracelets.services.evaluation import BRACELET_KIND, GATEWAY_KIND
from opscenter.models import DeviceCredential, District, User
from opscenter.services.audit import audit_record
from opscenter.services.credentials import credential_issue


def person_rules_changed(*, person: SupervisedPerson) -> None:
    SupervisedPerson.objects.filter(pk=person.pk).update(rules_token=uuid.uuid4())


@transaction.atomic
def bracelet_add(
    *, unique_id: str, model: str = "", firmware: str = "", actor: User | None = None
) -> tuple[Bracelet, str]:
    """Register a bracelet and issue its secret; returns the bracelet and the secret (shown once)."""
    unique_id = unique_id.strip()
    if not unique_id or len(unique_id) > 64 or not unique_id.isprintable() or " " in unique_id:
        raise ValidationError({"unique_id": "A unique id is 1 to 64 characters without spaces."})
    if Bracelet.objects.filter(unique_id=unique_id).exists():
        raise ValidationError({"unique_id": f"A bracelet {unique_id} is registered already."})
    credential, secret = credential_issue(kind=BRACELET_KIND, identifier=unique_id, actor=actor)
    bracelet = Bracelet.objects.create(unique_id=unique_id, model=model, firmware=firmware, credential=credential)
    audit_record(actor=actor, actor_label="bracelets", action="bracelets.bracelet.add", obj=bracelet)
    return bracelet, secret


def gateway_add(*, name: str, actor: User | None = None) -> tuple[DeviceCredential, str]:
    """A Traccar server (or another gateway) that forwards positions of any registered bracelet."""
    if DeviceCredential.objects.filter(kind=GATEWAY_KIND, identifier=name).exists():
        raise ValidationError({"name": f"A gateway {name} exists already."})
    return credential_issue(kind=GATEWAY_KIND, identifier=name, actor=actor)


@transaction.atomic
def bracelet_assign(*, bracelet: Bracelet, person: SupervisedPerson, at: datetime | None = None,
                    actor: User | None = None) -> BraceletAssignment:  # fmt: skip
    """Put `bracelet` on `person`: ends whatever either wore or was worn by before."""
    at = at or timezone.now()
    bracelet = Bracelet.objects.select_for_update().get(pk=bracelet.pk)
    current = BraceletAssignment.objects.filter(ended_at__isnull=True)
    for previous in current.filter(bracelet=bracelet) | current.filter(person=person):
        if previous.bracelet_id == bracelet.pk and previous.person_id == person.pk:
            return previous
        bracelet_unassign(bracelet=previous.bracelet, at=at, actor=actor)
    assignment = BraceletAssignment.objects.create(bracelet=bracelet, person=person, started_at=at)
    Bracelet.objects.filter(pk=bracelet.pk).update(person=person, state=BraceletState.ASSIGNED)
    audit_record(actor=actor, actor_label="bracelets", action="bracelets.bracelet.assign", obj=assignment)
    return assignment


@transaction.atomic
def bracelet_unassign(*, bracelet: Bracelet, at: datetime | None = None, actor: User | None = None) -> None:
    at = at or timezone.now()
    for assignment in BraceletAssignment.objects.filter(bracelet=bracelet, ended_at__isnull=True):
        assignment.ended_at = at
        assignment.save(update_fields=["ended_at"])
        audit_record(actor=actor, actor_label="bracelets", action="bracelets.bracelet.unassign", obj=assignment)
    Bracelet.objects.filter(pk=bracelet.pk).update(person=None, state=BraceletState.IN_STOCK)


@transaction.atomic
def person_create(*, iin: str, full_name: str, district: District, home_address: str = "",
                  responsible_officer: User | None = None, actor: User | None = None) -> SupervisedPerson:  # fmt: skip
    person = SupervisedPerson(iin=iin, full_name=full_name, district=district, home_address=home_address,
                              responsible_officer=responsible_officer)  # fmt: skip
    person.full_clean()
    person.save()
    audit_record(actor=actor, actor_label="bracelets", action="bracelets.person.create", obj=person)
    return person


@transaction.atomic
def order_create(*, person: SupervisedPerson, measure: str, number: str, court: str, starts_at: datetime,
                 ends_at: datetime, actor: User | None = None) -> CourtOrder:  # fmt: skip
    if measure not in Measure.values:
        raise ValidationError({"measure": f"One of {', '.join(Measure.values)}."})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "An order ends after it starts."})
    order = CourtOrder.objects.create(person=person, measure=measure, number=number, court=court,
                                      starts_at=starts_at, ends_at=ends_at)  # fmt: skip
    person_rules_changed(person=person)
    audit_record(actor=actor, actor_label="bracelets", action="bracelets.order.create", obj=order)
    return order


def _check_place(latitude: float | None, longitude: float | None, radius_m: float | None) -> None:
    for name, value, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if value is None or not math.isfinite(value) or abs(value) > bound:
            raise ValidationError({name: f"Between -{bound} and {bound}."})
    if radius_m is None or not math.isfinite(radius_m) or not 5 <= radius_m <= 50_000:
        raise ValidationError({"radius_m": "A radius is 5 m to 50 km."})


@transaction.atomic
def zone_create(
    *,
    person: SupervisedPerson,
    kind: str,
    name: str,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: float | None = None,
    polygon: Sequence[Sequence[float]] | None = None,
    windows: Sequence[WeeklyWindow] = (),
    actor: User | None = None,
) -> Zone:
    """A circle (centre and radius) or a polygon; with `windows` it applies only within them (a curfew)."""
    if kind not in ZoneKind.values:
        raise ValidationError({"kind": f"One of {', '.join(ZoneKind.values)}."})
    if polygon:
        ring = [[float(vertex[0]), float(vertex[1])] for vertex in polygon]
        if len(ring) < 3:
            raise ValidationError({"polygon": "A polygon has at least three vertices."})
        for vertex in ring:
            _check_place(vertex[0], vertex[1], 5)
        zone = Zone(person=person, kind=kind, name=name, shape=ZoneShape.POLYGON, polygon=ring)
    else:
        _check_place(latitude, longitude, radius_m)
        zone = Zone(person=person, kind=kind, name=name, shape=ZoneShape.CIRCLE, latitude=latitude,
                    longitude=longitude, radius_m=radius_m)  # fmt: skip
    zone.schedule = ZoneSchedule.WINDOWS if windows else ZoneSchedule.ALWAYS
    zone.save()
    for window in windows:
        CurfewWindow.objects.create(zone=zone, weekdays="".join(str(day) for day in sorted(window.weekdays)),
                                    start_time=window.start, end_time=window.end)  # fmt: skip
    person_rules_changed(person=person)
    audit_record(actor=actor, actor_label="bracelets", action="bracelets.zone.create", obj=zone,
                 data={"kind": kind, "shape": zone.shape, "windows": len(windows)})  # fmt: skip
    return zone


@transaction.atomic
def zone_deactivate(*, zone: Zone, actor: User | None = None) -> None:
    Zone.objects.filter(pk=zone.pk).update(is_active=False)
    person_rules_changed(person=zone.person)
    audit_record(actor=actor, actor_label="bracelets", action="bracelets.zone.deactivate", obj=zone)


@transaction.atomic
def absence_approve(
    *,
    person: SupervisedPerson,
    purpose: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    weekdays: str = "",
    start_time: time | None = None,
    end_time: time | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    note: str = "",
    actor: User | None = None,
) -> ApprovedAbsence:
    """Once (`starts_at`..`ends_at`) or weekly (`weekdays`, `start_time`..`end_time`, optionally
    between `valid_from` and `valid_until`)."""
    if purpose not in ApprovedAbsence.Purpose.values:
        raise ValidationError({"purpose": f"One of {', '.join(ApprovedAbsence.Purpose.values)}."})
    if weekdays:
        try:
            parse_weekdays(weekdays)
        except ValueError as error:
            raise ValidationError({"weekdays": str(error)}) from None
        if start_time is None or end_time is None:
            raise ValidationError({"start_time": "A weekly absence needs its daily hours."})
        kind = AbsenceKind.WEEKLY
    else:
        if starts_at is None or ends_at is None or ends_at <= starts_at:
            raise ValidationError({"ends_at": "A one-off absence has a start and a later end."})
        kind = AbsenceKind.ONE_OFF
    absence = ApprovedAbsence.objects.create(
        person=person, kind=kind, purpose=purpose, note=note, starts_at=starts_at, ends_at=ends_at,
        weekdays=weekdays, start_time=start_time, end_time=end_time, valid_from=valid_from,
        valid_until=valid_until, approved_by=actor if actor is not None and actor.pk else None,
    )  # fmt: skip
    person_rules_changed(person=person)
    audit_record(actor=actor, actor_label="bracelets", action="bracelets.absence.approve", obj=absence)
    return absence


def nearest_district(latitude: float, longitude: float) -> District:
    from bracelets.geometry import haversine_m

    return min(
        District.objects.all(), key=lambda d: haversine_m(latitude, longitude, d.seat_latitude, d.seat_longitude)
    )


@transaction.atomic
def person_enrol(
    *,
    unique_id: str,
    iin: str,
    home_latitude: float,
    home_longitude: float,
    home_radius_m: float,
    measure: str,
    curfew: Sequence[WeeklyWindow] = (),
    full_name: str = "",
    district: District | None = None,
    home_address: str = "",
    order_number: str = "",
    court: str = "",
    order_starts_at: datetime | None = None,
    order_ends_at: datetime | None = None,
    responsible_officer: User | None = None,
    actor: User | None = None,
) -> SupervisedPerson:
    """Put a person under monitoring in one step: the person (made, or found by IIN), a court order, a
    home zone (always, or in the curfew windows), and the bracelet on them. Re-enrolling replaces the
    home zone."""
    try:
        bracelet = Bracelet.objects.get(unique_id=unique_id)
    except Bracelet.DoesNotExist:
        raise ValidationError({"unique_id": f"No bracelet {unique_id}; add it first."}) from None
    _check_place(home_latitude, home_longitude, home_radius_m)
    if measure not in Measure.values:
        raise ValidationError({"measure": f"One of {', '.join(Measure.values)}."})
    person = SupervisedPerson.objects.filter(iin=iin).first()
    if person is None:
        person = person_create(
            iin=iin, full_name=full_name or f"IIN {iin}",
            district=district or nearest_district(home_latitude, home_longitude), home_address=home_address,
            responsible_officer=responsible_officer, actor=actor,
        )  # fmt: skip
    now = timezone.now()
    starts_at = order_starts_at or now
    # A number made up here names the file, not the IIN: an order's number shows in lists and the audit.
    order_create(person=person, measure=measure, number=order_number or f"{person.file_number}/{now:%Y%m%d}",
                 court=court or "—", starts_at=starts_at, ends_at=order_ends_at or starts_at + timedelta(days=365),
                 actor=actor)  # fmt: skip
    for old_home in Zone.objects.filter(person=person, kind=ZoneKind.INCLUSION, name=HOME_ZONE_NAME, is_active=True):
        zone_deactivate(zone=old_home, actor=actor)
    zone_create(person=person, kind=ZoneKind.INCLUSION, name=HOME_ZONE_NAME, latitude=home_latitude,
                longitude=home_longitude, radius_m=home_radius_m, windows=curfew, actor=actor)  # fmt: skip
    bracelet_assign(bracelet=bracelet, person=person, at=now, actor=actor)
    return SupervisedPerson.objects.get(pk=person.pk)


@transaction.atomic
def positions_link_case(*, person: SupervisedPerson, since: datetime, until: datetime, case_number: str,
                        actor: User) -> int:  # fmt: skip
    """Keep a person's positions of a period past retention, for a case. Returns how many."""
    case_number = case_number.strip()
    if not case_number:
        raise ValidationError({"case_number": "A case number is required."})
    count = person.positions.filter(fix_time__gte=since, fix_time__lt=until).update(case_number=case_number[:64])
    audit_record(actor=actor, action="bracelets.positions.link_case", obj=person, reason=case_number,
                 data={"since": since.isoformat(), "until": until.isoformat(), "count": count})  # fmt: skip
    return count
