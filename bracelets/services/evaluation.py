"""Evaluation: every report of every bracelet passes through `reports_receive`, whatever protocol it came
by (OsmAnd, Traccar forwarding, a batch, the demo), and is judged here and nowhere else.

Per report, under the lock of the bracelet's row:
- a fix is stored once per bracelet and fix time; one older than the latest is stored as late, checked
  against exclusion zones, and never moves the device's current state (or the inclusion breach) back;
- strap tamper and removal: P1; SOS: P1; battery below 20 % P3, below 10 % P2;
- an exclusion zone entered: P1 at once;
- leaving the inclusion zones that apply (always, or in their curfew windows, unless an approved absence
  covers the moment) is a pending breach, which becomes a P2 alarm only if it lasts past the grace
  period; a fix too inaccurate to tell is not enough to start one; coming back ends it, recorded.
`bracelets_supervise` (a periodic task) turns pending breaches past their grace into alarms and finds GPS
and signal loss. Every condition that ends is recorded on its violation; the alerts of technical
conditions and of a breach ended by coming back are resolved by the system, while a P1 (someone may be
in danger) stays open for a person to close, with the end noted on its timeline.
"""

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from bracelets.models import (
    Bracelet,
    BraceletState,
    Position,
    SupervisedPerson,
    Violation,
    ViolationKind,
    ViolationStatus,
)
from bracelets.models.positions import OPEN_VIOLATION_STATUSES
from bracelets.protocols import REMOVAL_ALARMS, TAMPER_ALARMS
from bracelets.rules import Rules, rules_for
from bracelets.schedules import local
from opscenter.errors import DomainError, InvalidTransition
from opscenter.models import Alert, DeviceCredential, Disposition
from opscenter.osmand import Report, ReportError
from opscenter.services.alerts import alert_raise, alert_resolve, alert_update_open
from opscenter.services.texts import Phrase, in_default_language, phrase

logger = logging.getLogger(__name__)

SOURCE = "bracelets"
BRACELET_KIND = "bracelet"
GATEWAY_KIND = "bracelet_gateway"


class UnknownDevice(DomainError):
    code = "unknown_device"
    status_code = 401
    default_detail = gettext_lazy("Unknown device, or a secret that is not this device's.")


@dataclass(frozen=True)
class Outcome:
    """What became of one report: `stored`, `late` (stored, older than the latest), `duplicate` (a fix
    already stored) or `contact` (no fix: a sign of life, alarms, battery)."""

    status: str
    position_pk: int | None = None


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def alert_key(person: SupervisedPerson, key: str) -> str:
    return f"bracelets:{person.pk}:{key}"


# --- Intake ---------------------------------------------------------------------------------------


def _bracelet_lookup(credential: DeviceCredential, reports: list[Report]) -> dict[str, Any]:
    claimed = {report.device_id for report in reports if report.device_id}
    if credential.kind == BRACELET_KIND:
        if claimed - {credential.identifier}:
            raise UnknownDevice()  # a bracelet's secret speaks for that bracelet only
        return {"credential_id": credential.pk}
    if credential.kind == GATEWAY_KIND:
        if not claimed:
            raise ReportError("id", "A gateway must name the device (its unique id).")
        if len(claimed) > 1:
            raise ReportError("id", "One device per request.")
        return {"unique_id": claimed.pop()}
    raise UnknownDevice()


def reports_receive(
    *, credential: DeviceCredential, reports: list[Report], source: str, now: datetime | None = None
) -> list[Outcome]:
    """Store and judge what one bracelet sent, in one transaction; outcomes in the order given.

    Raises UnknownDevice (nothing stored) when the credential does not speak for a known bracelet, and
    ReportError for a fix timed too far in the future.
    """
    now = now or timezone.now()
    if not reports:
        return []
    lookup = _bracelet_lookup(credential, reports)
    ahead = now + timedelta(seconds=_setting("BRACELET_FUTURE_TOLERANCE_SECONDS", 300))
    for report in reports:
        if report.fix_time is not None and report.fix_time > ahead:
            raise ReportError(report.time_field, "The fix time is ahead of the server's clock.")
    # Alerts speak the platform's language, not the one a device's HTTP client happens to ask for.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        bracelet = (
            Bracelet.objects.select_for_update(of=("self",))
            .select_related("person__district__center")
            .exclude(state=BraceletState.RETIRED)
            .filter(**lookup)
            .first()
        )
        if bracelet is None:
            raise UnknownDevice()
        intake = _Intake(bracelet=bracelet, source=source, now=now)
        intake.run(reports)
    return intake.results()


class _Intake:
    """One transaction's work for one bracelet: stores positions in one INSERT, writes the bracelet's
    row once, and queries about violations only when one starts or ends."""

    def __init__(self, *, bracelet: Bracelet, source: str, now: datetime) -> None:
        self.bracelet, self.source, self.now = bracelet, source, now
        self.person = bracelet.person
        self.evaluate = bool(_setting("BRACELET_EVALUATE", True)) and self.person is not None
        self.rules: Rules | None = None
        self.book: _ViolationBook | None = None
        if self.person is not None:
            self.rules = rules_for(self.person.pk, self.person.rules_token)
            self.book = _ViolationBook(self.person, bracelet, now, self.rules)
            self.book.intake = self
        self.pending: list[tuple[int, Position]] = []
        self.outcomes: list[Outcome | None] = []
        self.bracelet_changes: dict[str, Any] = {}

    def run(self, reports: list[Report]) -> None:
        # A report without its own time is timed by its arrival.
        times = [report.fix_time or self.now for report in reports]
        for report, at in zip(reports, times, strict=True):
            report.fix_time = at
        self.outcomes = [None] * len(reports)
        seen = self._stored_fix_times(reports, times)
        self._heard()
        for index in sorted(range(len(reports)), key=lambda i: times[i]):
            self._one(index, reports[index], times[index], seen)
        self._flush()
        if self.bracelet_changes:
            Bracelet.objects.filter(pk=self.bracelet.pk).update(**self.bracelet_changes)
        if self.book is not None:
            self.book.save()

    def results(self) -> list[Outcome]:
        done = [outcome for outcome in self.outcomes if outcome is not None]
        assert len(done) == len(self.outcomes), "every report has an outcome once run"
        return done

    def _stored_fix_times(self, reports: list[Report], times: list[datetime]) -> set[datetime]:
        """Fix times already stored. Only a fix not newer than the latest can be one (the row lock keeps
        anyone else from storing meanwhile), so the common case asks nothing."""
        latest = self.bracelet.last_fix_at
        if latest is None:
            return set()
        candidates = [at for report, at in zip(reports, times, strict=True) if report.has_fix and at <= latest]
        if not candidates:
            return set()
        return set(
            Position.objects.filter(bracelet=self.bracelet, fix_time__in=candidates).values_list("fix_time", flat=True)
        )

    def _change(self, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(self.bracelet, name, value)
        self.bracelet_changes.update(fields)

    def _heard(self) -> None:
        if self.bracelet.last_contact_at is None or self.bracelet.last_contact_at < self.now:
            self._change(last_contact_at=self.now)
        if self.evaluate and self.book is not None and self.book.is_open("signal_lost"):
            self.book.end("signal_lost", at=self.now, reason=phrase(gettext_noop("Heard from the bracelet again.")),
                          resolve_as=Disposition.TECHNICAL)  # fmt: skip

    def _one(self, index: int, report: Report, at: datetime, seen: set[datetime]) -> None:
        late = False
        if report.latitude is not None and report.longitude is not None:
            if at in seen:
                self.outcomes[index] = Outcome("duplicate")
                return
            seen.add(at)
            late = self.bracelet.last_fix_at is not None and at < self.bracelet.last_fix_at
            self.pending.append((index, self._position(report, at, report.latitude, report.longitude, late)))
            self.outcomes[index] = Outcome("late" if late else "stored")
            if not late:
                self._change(last_fix_at=at)
                if report.is_valid:
                    self._change(last_latitude=report.latitude, last_longitude=report.longitude,
                                 last_accuracy=report.accuracy, last_fix_received_at=self.now)  # fmt: skip
        else:
            self.outcomes[index] = Outcome("contact")
        if report.battery is not None and not late:
            self._change(battery=report.battery)
        if self.evaluate and self.book is not None:
            _Judge(self, report, late, at=at, book=self.book).judge()

    def _position(self, report: Report, at: datetime, latitude: float, longitude: float, late: bool) -> Position:
        return Position(
            bracelet_id=self.bracelet.pk, person_id=self.person.pk if self.person else None,
            order_id=self.rules.order_at(at) if self.rules else None,
            fix_time=at, received_at=self.now, latitude=latitude, longitude=longitude,
            accuracy=report.accuracy, speed_knots=report.speed_knots, course=report.course, altitude=report.altitude,
            battery=report.battery, is_valid=report.is_valid, alarm=",".join(report.alarms)[:100],
            source=self.source, is_late=late, attributes=report.attributes,
        )  # fmt: skip

    def _flush(self) -> None:
        """Store the positions read so far (before an alert, so that it shows them)."""
        if not self.pending:
            return
        Position.objects.bulk_create([position for _index, position in self.pending])
        for index, position in self.pending:
            self.outcomes[index] = Outcome("late" if position.is_late else "stored", position.pk)
        self.pending = []


# --- Judging one report ---------------------------------------------------------------------------


class _Judge:
    """The rules applied to one report of a bracelet worn by someone."""

    def __init__(self, intake: _Intake, report: Report, late: bool, *, at: datetime, book: "_ViolationBook") -> None:
        self.intake, self.report, self.late, self.at = intake, report, late, at
        self.book, self.person, self.rules = book, book.person, book.rules

    def judge(self) -> None:
        self._alarms()
        if not self.late:
            self._battery()
        report = self.report
        latitude, longitude = report.latitude, report.longitude
        if latitude is None or longitude is None or not report.is_valid:
            if not self.late:
                self._inclusion_time_passes()
            return
        if not self.late and self.book.is_open("gps_lost"):
            self.book.end("gps_lost", at=self.intake.now, reason=phrase(gettext_noop("A valid fix arrived.")),
                          resolve_as=Disposition.TECHNICAL)  # fmt: skip
        usable = report.accuracy is None or report.accuracy <= _setting("BRACELET_MAX_ACCURACY_METERS", 100.0)
        if usable:
            self._exclusion(latitude, longitude)
        if not self.late:
            self._inclusion(usable, latitude, longitude)

    def _fix(self) -> dict:
        report = self.report
        return {"fix_time": self.at.isoformat(), "latitude": report.latitude, "longitude": report.longitude,
                "accuracy": report.accuracy, "late": self.late}  # fmt: skip

    # Alarms the bracelet raises itself

    def _alarms(self) -> None:
        alarms, person = set(self.report.alarms), self.person
        if alarms & TAMPER_ALARMS or self.report.strap == "open":
            self._device_alarm("tamper", ViolationKind.TAMPER,
                               phrase(gettext_noop("Bracelet strap tampered with: %(file)s"), file=person.file_number))  # fmt: skip
        if alarms & REMOVAL_ALARMS:
            self._device_alarm("removal", ViolationKind.REMOVAL,
                               phrase(gettext_noop("Bracelet removed: %(file)s"), file=person.file_number))  # fmt: skip
        if "sos" in alarms:
            violation = self._device_alarm("sos", ViolationKind.SOS,
                                           phrase(gettext_noop("SOS from a bracelet: %(file)s"), file=person.file_number))  # fmt: skip
            self.book.end(
                "sos", at=self.at, reason=phrase(gettext_noop("An SOS is a single event.")), violation=violation
            )
        if self.report.strap == "closed" and not self.late:
            for key in ("tamper", "removal"):
                if self.book.is_open(key):
                    self.book.end(
                        key, at=self.at, reason=phrase(gettext_noop("The bracelet reports its strap closed again."))
                    )

    def _device_alarm(self, key: str, kind: str, title: Phrase) -> Violation | None:
        if self.book.is_open(key):
            return None
        violation = self.book.open(key, kind=kind, status=ViolationStatus.ALARM, severity=1, started_at=self.at,
                                   details={"fix": self._fix(), "alarms": list(self.report.alarms)})  # fmt: skip
        self.book.raise_alert(violation, title=title, latitude=self.report.latitude, longitude=self.report.longitude)
        return violation

    def _battery(self) -> None:
        level, person = self.report.battery, self.person
        low, critical = _setting("BRACELET_LOW_BATTERY_PERCENT", (20.0, 10.0))
        if level is None:
            if "lowBattery" in self.report.alarms and not self.book.is_open("low_battery"):
                severity = 3
            else:
                return
        elif level < critical:
            severity = 2
        elif level < low:
            severity = 3
        else:
            if self.book.is_open("low_battery"):
                self.book.end("low_battery", at=self.intake.now, resolve_as=Disposition.TECHNICAL,
                              reason=phrase(gettext_noop("Battery back at %(level)s %%."), level=f"{level:g}"))  # fmt: skip
            return
        violation = self.book.get_open("low_battery")
        if violation is not None and violation.severity is not None and violation.severity <= severity:
            return
        if violation is None:
            violation = self.book.open("low_battery", kind=ViolationKind.LOW_BATTERY, status=ViolationStatus.ALARM,
                                       severity=severity, started_at=self.intake.now, details={"battery": level})  # fmt: skip
        else:
            violation.severity = severity
            violation.details = {**violation.details, "battery": level}
            violation.save(update_fields=["severity", "details"])
        shown = "?" if level is None else f"{level:g}"
        self.book.raise_alert(violation, title=phrase(gettext_noop("Bracelet battery low (%(level)s %%): %(file)s"),
                                           level=shown, file=person.file_number),
                              latitude=self.intake.bracelet.last_latitude, longitude=self.intake.bracelet.last_longitude)  # fmt: skip

    # Zones

    def _exclusion(self, latitude: float, longitude: float) -> None:
        report, person = self.report, self.person
        applying = self.rules.exclusion_applying(self.at)
        inside_keys = set()
        for zone in applying:
            if zone.signed_distance_m(latitude, longitude) > 0:
                continue
            key = f"exclusion:{zone.pk}"
            inside_keys.add(key)
            if self.book.is_open(key):
                continue
            violation = self.book.open(key, kind=ViolationKind.EXCLUSION, status=ViolationStatus.ALARM, severity=1,
                                       started_at=self.at, zone_pk=zone.pk, details={"fix": self._fix()})  # fmt: skip
            # No zone's name in the title: "the victim's home" says whom they went to.
            title = phrase(gettext_noop("%(file)s entered an exclusion zone"), file=person.file_number)
            if self.late:
                title = phrase(
                    gettext_noop("%(title)s (late fix of %(time)s)"), title=title, time=f"{local(self.at):%H:%M:%S}"
                )
            self.book.raise_alert(violation, title=title, latitude=report.latitude, longitude=report.longitude)
        if self.late:
            return
        for key in self.book.open_keys_starting("exclusion:"):
            if key not in inside_keys:
                self.book.end(key, at=self.at, reason=phrase(gettext_noop("Left the exclusion zone.")))

    def _inclusion(self, usable: bool, latitude: float, longitude: float) -> None:
        report = self.report
        zones = self.rules.inclusion_applying(self.at)
        if not zones:
            self._inclusion_not_applying()
            return
        if not usable:
            self._inclusion_time_passes()
            return
        nearest = min(zone.signed_distance_m(latitude, longitude) for zone in zones)
        if nearest <= 0:
            if self.book.is_open("inclusion"):
                self.book.end("inclusion", at=self.at, resolve_as=Disposition.REAL,
                              reason=phrase(gettext_noop("Back in the zone at %(time)s."), time=f"{local(self.at):%H:%M:%S}"))  # fmt: skip
            return
        if nearest > (report.accuracy or 0.0) and not self.book.is_open("inclusion"):
            # Certainly out, even allowing for the fix's accuracy: the grace period starts.
            self.book.open("inclusion", kind=ViolationKind.INCLUSION, status=ViolationStatus.PENDING,
                           started_at=self.at, zone_pk=zones[0].pk,
                           details={"fix": self._fix(), "distance_m": round(nearest, 1)})  # fmt: skip
        self._inclusion_time_passes()

    def _inclusion_time_passes(self) -> None:
        violation = self.book.get_open("inclusion")
        if violation is not None and violation.status == ViolationStatus.PENDING:
            self.book.promote_if_due(violation, at=self.at, latitude=self.report.latitude,
                                     longitude=self.report.longitude, rules=self.rules)  # fmt: skip

    def _inclusion_not_applying(self) -> None:
        """The curfew window ended, or an approved absence began: a pending breach lapses unalarmed; an
        alarmed one ends but its alert stays open (the person did not come back)."""
        violation = self.book.get_open("inclusion")
        if violation is None:
            return
        if violation.status == ViolationStatus.PENDING:
            self.book.end(
                "inclusion",
                at=self.at,
                reason=phrase(gettext_noop("The zone stopped applying within the grace period.")),
            )
        else:
            self.book.end(
                "inclusion", at=self.at, reason=phrase(gettext_noop("The zone stopped applying; not seen back in it."))
            )


# --- Violations and their alerts ------------------------------------------------------------------


class _ViolationBook:
    """A person's open violations (their keys are on the person's row), opened, ended and alarmed."""

    def __init__(self, person: SupervisedPerson, bracelet: Bracelet, now: datetime, rules: Rules) -> None:
        self.person, self.bracelet, self.now, self.rules = person, bracelet, now, rules
        self.keys = list(person.open_violations or [])
        self.loaded: dict[str, Violation] = {}
        self.changed = False
        self.intake: _Intake | None = None

    def is_open(self, key: str) -> bool:
        return key in self.keys

    def open_keys_starting(self, prefix: str) -> list[str]:
        return [key for key in self.keys if key.startswith(prefix)]

    def get_open(self, key: str) -> Violation | None:
        if key not in self.keys:
            return None
        if key not in self.loaded:
            violation = Violation.objects.filter(
                person=self.person, key=key, status__in=OPEN_VIOLATION_STATUSES
            ).first()
            if violation is None:  # the list was stale: heal it
                self.keys.remove(key)
                self.changed = True
                return None
            self.loaded[key] = violation
        return self.loaded[key]

    def open(self, key: str, *, kind: str, status: str, started_at: datetime, severity: int | None = None,
             zone_pk: int | None = None, details: dict | None = None) -> Violation:  # fmt: skip
        existing = Violation.objects.filter(person=self.person, key=key, status__in=OPEN_VIOLATION_STATUSES).first()
        if existing is not None:  # the list was stale the other way
            violation = existing
        else:
            violation = Violation.objects.create(
                person=self.person, bracelet=self.bracelet, kind=kind, key=key, zone_id=zone_pk, status=status,
                severity=severity, started_at=started_at, alarm_at=self.now if status == ViolationStatus.ALARM else None,
                details=details or {},
            )  # fmt: skip
        self.loaded[key] = violation
        if key not in self.keys:
            self.keys.append(key)
            self.changed = True
        return violation

    def end(self, key: str, *, at: datetime, reason: Phrase, resolve_as: str | None = None,
            violation: Violation | None = None) -> Violation | None:  # fmt: skip
        """End the open violation: recorded; its alert resolved by the system as `resolve_as`, or (None)
        told on its timeline and left for a person."""
        violation = violation or self.get_open(key)
        if violation is None:
            return None
        violation.status, violation.ended_at = ViolationStatus.CLEARED, at
        violation.end_reason = in_default_language(reason)[:200]
        violation.save(update_fields=["status", "ended_at", "end_reason"])
        if key in self.keys:
            self.keys.remove(key)
            self.changed = True
        self.loaded.pop(key, None)
        if violation.alert_id:
            if resolve_as is not None:
                with contextlib.suppress(InvalidTransition):  # a person closed it already
                    alert_resolve(alert=Alert(pk=violation.alert_id), actor=None, disposition=resolve_as, note=reason)
            else:
                alert_update_open(dedup_key=alert_key(self.person, key), text=reason,
                                  payload={"ended_at": at.isoformat()})  # fmt: skip
        return violation

    def promote_if_due(self, violation: Violation, *, at: datetime, rules: Rules,
                       latitude: float | None = None, longitude: float | None = None) -> bool:  # fmt: skip
        """A pending inclusion breach past its grace period becomes an alarm (P2)."""
        grace = timedelta(seconds=_setting("BRACELET_BREACH_GRACE_SECONDS", 180))
        if violation.status != ViolationStatus.PENDING or at - violation.started_at < grace:
            return False
        violation.status, violation.severity, violation.alarm_at = ViolationStatus.ALARM, 2, self.now
        violation.save(update_fields=["status", "severity", "alarm_at"])
        minutes = max(1, round((at - violation.started_at).total_seconds() / 60))
        title = phrase(
            gettext_noop("%(file)s out of their zone for %(minutes)d min"),
            file=self.person.file_number,
            minutes=minutes,
        )
        if latitude is None:
            latitude, longitude = self.bracelet.last_latitude, self.bracelet.last_longitude
        self.raise_alert(violation, title=title, latitude=latitude, longitude=longitude)
        return True

    def raise_alert(
        self, violation: Violation, *, title: Phrase, latitude: float | None, longitude: float | None
    ) -> Alert:
        """Raise (or repeat) the violation's alert in the person's district, at the event's place. It
        names the person's file number only: who they are, their home, zones and track are the alert's
        details (`alert_details`), read through the spine's audited read."""
        if self.intake is not None:
            self.intake._flush()
        person = self.person
        assert violation.severity is not None, "a violation is alarmed with its severity"
        alert = alert_raise(
            source=SOURCE,
            kind=f"bracelet_{violation.kind}",
            severity=violation.severity,
            title=title,
            district=person.district,
            latitude=latitude,
            longitude=longitude,
            dedup_key=alert_key(person, violation.key),
            payload={
                "title": title,  # worded in the reader's language when shown (bracelets.texts)
                "file": person.file_number,
                "link": {
                    "url": reverse("bracelets:person", kwargs={"person_pk": person.pk}),
                    "label": _("Open the file %(file)s") % {"file": person.file_number},
                },
                "bracelet": self.bracelet.unique_id,
                "violation": {
                    "id": violation.pk,
                    "kind": violation.kind,
                    "label": str(violation.get_kind_display()),
                    "started_at": violation.started_at.isoformat(),
                },
                "details": violation.details,
            },
        )
        violation.alert = alert
        violation.save(update_fields=["alert"])
        return alert

    def save(self) -> None:
        if self.changed:
            SupervisedPerson.objects.filter(pk=self.person.pk).update(open_violations=self.keys)
            self.person.open_violations = list(self.keys)
            self.changed = False


# --- Supervision ----------------------------------------------------------------------------------


def bracelets_supervise(*, now: datetime | None = None) -> int:
    """The periodic check: pending breaches past their grace become alarms; a worn bracelet heard from
    but with no valid fix for BRACELET_GPS_LOST_SECONDS has lost GPS; one not heard from for
    BRACELET_SIGNAL_LOST_SECONDS has lost its signal (P2 each). Returns how many alarms it raised."""
    now = now or timezone.now()
    if not _setting("BRACELET_EVALUATE", True):
        return 0
    grace = timedelta(seconds=_setting("BRACELET_BREACH_GRACE_SECONDS", 180))
    signal_cutoff = now - timedelta(seconds=_setting("BRACELET_SIGNAL_LOST_SECONDS", 600))
    gps_cutoff = now - timedelta(seconds=_setting("BRACELET_GPS_LOST_SECONDS", 900))
    raised = 0
    due = Violation.objects.filter(kind=ViolationKind.INCLUSION, status=ViolationStatus.PENDING,
                                   started_at__lte=now - grace).values_list("person_id", flat=True)  # fmt: skip
    for person_pk in list(due):
        raised += _supervise_person(person_pk, now=now, check="inclusion")
    worn = Bracelet.objects.filter(person__isnull=False, last_contact_at__isnull=False).exclude(
        state=BraceletState.RETIRED
    )
    for person_pk in list(worn.filter(last_contact_at__lt=signal_cutoff).values_list("person_id", flat=True)):
        raised += _supervise_person(person_pk, now=now, check="signal_lost")
    gps = worn.filter(last_contact_at__gte=signal_cutoff).exclude(last_fix_received_at__gte=gps_cutoff)
    for person_pk in list(gps.values_list("person_id", flat=True)):
        raised += _supervise_person(person_pk, now=now, check="gps_lost")
    return raised


def _supervise_person(person_pk: int, *, now: datetime, check: str) -> int:
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        bracelet = (
            Bracelet.objects.select_for_update(of=("self",)).select_related("person__district__center")
            .filter(person_id=person_pk).exclude(state=BraceletState.RETIRED).first()
        )  # fmt: skip
        person = bracelet.person if bracelet is not None else None
        if bracelet is None or person is None:
            return 0
        rules = rules_for(person.pk, person.rules_token)
        book = _ViolationBook(person, bracelet, now, rules)
        raised = 0
        if check == "inclusion":
            violation = book.get_open("inclusion")
            if violation is not None and book.promote_if_due(violation, at=now, rules=rules):
                raised = 1
        elif check == "signal_lost":
            cutoff = now - timedelta(seconds=_setting("BRACELET_SIGNAL_LOST_SECONDS", 600))
            heard = bracelet.last_contact_at
            if heard is not None and heard < cutoff and not book.is_open("signal_lost"):
                raised = _technical(book, "signal_lost", ViolationKind.SIGNAL_LOST, now,
                                    gettext_noop("Bracelet not heard from since %(time)s: %(file)s"), heard)  # fmt: skip
        elif check == "gps_lost":
            cutoff = now - timedelta(seconds=_setting("BRACELET_GPS_LOST_SECONDS", 900))
            since = bracelet.last_fix_received_at or _worn_since(bracelet)
            if since is not None and since < cutoff and not book.is_open("gps_lost"):
                raised = _technical(book, "gps_lost", ViolationKind.GPS_LOST, now,
                                    gettext_noop("Bracelet talks but has no GPS fix since %(time)s: %(file)s"),
                                    since)  # fmt: skip
        book.save()
        return raised


def _technical(book: _ViolationBook, key: str, kind: str, now: datetime, title: str, since: datetime) -> int:
    """`title` is a message id with the parameters `time` and `file`."""
    violation = book.open(key, kind=kind, status=ViolationStatus.ALARM, severity=2, started_at=since,
                          details={"since": since.isoformat()})  # fmt: skip
    text = phrase(title, time=f"{local(since):%d.%m %H:%M}", file=book.person.file_number)
    book.raise_alert(
        violation, title=text, latitude=book.bracelet.last_latitude, longitude=book.bracelet.last_longitude
    )
    return 1


def _worn_since(bracelet: Bracelet) -> datetime | None:
    assignment = bracelet.assignments.filter(ended_at__isnull=True).first()
    return assignment.started_at if assignment else None
