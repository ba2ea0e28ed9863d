"""The evaluation service with a controllable clock: duplicates and late fixes, the inclusion breach state
machine (pending -> alarm -> cleared, and jitter that must not alarm), exclusion zones, strap, SOS and
battery, each ending recorded."""

from datetime import timedelta

import pytest

from bracelets.models import Bracelet, Position, SupervisedPerson, Violation
from bracelets.services.registry import absence_approve, zone_create
from opscenter.models import Alert, AlertEvent
from tests.bracelets.conftest import HOME, NOON, offset

pytestmark = pytest.mark.django_db

GRACE = 180


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.BRACELET_BREACH_GRACE_SECONDS = GRACE
    settings.BRACELET_MAX_ACCURACY_METERS = 100
    settings.LANGUAGE_CODE = "en"


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def open_keys(person) -> list[str]:
    return SupervisedPerson.objects.get(pk=person.pk).open_violations


# --- storing -------------------------------------------------------------------------------------


def test_a_fix_is_stored_with_its_person_and_order_and_moves_the_current_state(person, send):
    outcome = send(NOON, north_m=10, battery=80.0)
    assert outcome.status == "stored"
    position = Position.objects.get(pk=outcome.position_pk)
    assert (position.person_id, position.order_id, position.is_late) == (person.pk, person.orders.get().pk, False)
    bracelet = Bracelet.objects.get()
    assert (bracelet.last_fix_at, bracelet.last_contact_at, bracelet.battery) == (NOON, NOON, 80.0)
    assert bracelet.last_latitude == pytest.approx(offset(HOME, 10)[0])


def test_a_duplicate_is_stored_once(person, send):
    assert send(NOON).status == "stored"
    assert send(NOON, now=NOON + seconds(30)).status == "duplicate"
    assert Position.objects.count() == 1
    assert Bracelet.objects.get().last_contact_at == NOON + seconds(30)


def test_a_late_fix_is_stored_but_does_not_move_the_current_state_back(person, send):
    send(NOON, north_m=5, battery=70.0)
    late = send(NOON - seconds(600), north_m=500, battery=90.0, now=NOON + seconds(5))
    assert late.status == "late"
    assert Position.objects.get(pk=late.position_pk).is_late is True
    bracelet = Bracelet.objects.get()
    assert (bracelet.last_fix_at, bracelet.battery) == (NOON, 70.0)
    assert bracelet.last_latitude == pytest.approx(offset(HOME, 5)[0])
    # nor does it start a breach: it is history, and the person is home now
    assert open_keys(person) == [] and Violation.objects.count() == 0


def test_a_late_fix_inside_an_exclusion_zone_still_alarms(person, victim_zone, send):
    send(NOON, north_m=5)
    late = send(NOON - seconds(900), north_m=2000, now=NOON + seconds(10))
    assert late.status == "late"
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity, alert.district.code) == ("bracelet_exclusion", 1, "uralsk")
    assert "late fix" in alert.title
    violation = Violation.objects.get()
    assert violation.details["fix"]["late"] is True
    # a later current fix far from the zone ends the episode, the P1 stays for a person to close
    send(NOON + seconds(60), north_m=5)
    violation.refresh_from_db()
    assert violation.status == "cleared"
    alert.refresh_from_db()
    assert alert.status == "new"
    assert AlertEvent.objects.filter(alert=alert, action="updated").count() == 1


# --- the inclusion breach ------------------------------------------------------------------------


def test_leaving_home_is_pending_then_an_alarm_past_the_grace_period_then_cleared_on_return(person, send):
    send(NOON, north_m=0)
    send(NOON + seconds(60), north_m=300)  # certainly out: 240 m past the edge, accuracy 8 m
    violation = Violation.objects.get()
    assert (violation.kind, violation.status, violation.started_at) == ("inclusion", "pending", NOON + seconds(60))
    assert Alert.objects.count() == 0

    send(NOON + seconds(60 + GRACE - 1), north_m=320)
    assert Violation.objects.get().status == "pending"
    assert Alert.objects.count() == 0

    send(NOON + seconds(60 + GRACE), north_m=340)
    violation.refresh_from_db()
    assert (violation.status, violation.severity) == ("alarm", 2)
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity, alert.center.code) == ("bracelet_inclusion", 2, "uralsk")
    assert alert.payload["link"]["url"] == f"/bracelets/people/{person.pk}/"
    assert alert.payload["file"] == person.file_number

    send(NOON + seconds(600), north_m=10)
    violation.refresh_from_db()
    assert (violation.status, violation.ended_at) == ("cleared", NOON + seconds(600))
    assert "Back in the zone" in violation.end_reason
    alert.refresh_from_db()
    assert (alert.status, alert.disposition, alert.resolved_by) == ("resolved", "real", None)
    assert open_keys(person) == []


def test_coming_back_within_the_grace_period_is_recorded_and_never_alarms(person, send):
    send(NOON, north_m=300)
    send(NOON + seconds(GRACE - 10), north_m=0)
    violation = Violation.objects.get()
    assert (violation.status, violation.alarm_at, violation.alert) == ("cleared", None, None)
    assert Alert.objects.count() == 0


@pytest.mark.parametrize("accuracy", [150.0, 400.0])
def test_jitter_from_inaccurate_fixes_never_starts_a_breach(person, send, accuracy):
    for minute in range(10):
        send(NOON + timedelta(minutes=minute), north_m=350, accuracy=accuracy)
    assert Violation.objects.count() == 0 and Alert.objects.count() == 0


def test_a_fix_just_outside_but_within_its_accuracy_does_not_start_a_breach(person, send):
    # 80 m from the centre: 20 m past the edge, but the fix is only good to 30 m
    for minute in range(10):
        send(NOON + timedelta(minutes=minute), north_m=80, accuracy=30.0)
    assert Violation.objects.count() == 0


def test_jitter_around_the_edge_at_home_never_alarms(person, send):
    for index in range(40):
        send(NOON + timedelta(seconds=20 * index), north_m=(-1) ** index * 50, east_m=30, accuracy=12.0)
    assert Alert.objects.count() == 0


def test_an_invalid_fix_neither_starts_nor_clears(person, send):
    send(NOON, north_m=500, is_valid=False)
    assert Violation.objects.count() == 0
    send(NOON + seconds(10), north_m=500)
    send(NOON + seconds(20), north_m=0, is_valid=False)
    assert Violation.objects.get().status == "pending"


def test_polygon_home(person, send):
    from bracelets.models import Zone

    Zone.objects.filter(person=person).update(is_active=False)
    ring = [offset(HOME, -50, -50), offset(HOME, -50, 50), offset(HOME, 50, 50), offset(HOME, 50, -50)]
    zone_create(person=person, kind="inclusion", name="Yard", polygon=ring)
    send(NOON, north_m=40, east_m=-40)
    assert Violation.objects.count() == 0
    send(NOON + seconds(10), north_m=200)
    assert Violation.objects.get().status == "pending"


# --- curfew windows and approved absences --------------------------------------------------------


def at_local(hour: int, minute: int = 0, day_offset: int = 0):
    """Monday 2 March 2026 at hour:minute in Uralsk (UTC+5), plus days."""
    return NOON + timedelta(days=day_offset, hours=hour - 12, minutes=minute)


def test_a_curfew_applies_only_in_its_window_across_midnight(curfew_person, send):
    send(at_local(21, 0), north_m=500)  # before the curfew: free to be out
    assert Violation.objects.count() == 0
    send(at_local(22, 5), north_m=500)  # inside the window: pending
    assert Violation.objects.get().status == "pending"
    send(at_local(23, 0), north_m=500)  # past the grace: alarm
    assert Violation.objects.get().status == "alarm"
    send(at_local(2, 0, day_offset=1), north_m=0)  # back at 02:00 the next day (still the same night)
    assert Violation.objects.get().status == "cleared"
    send(at_local(5, 58, day_offset=1), north_m=500)
    send(at_local(5, 59, day_offset=1), north_m=500)
    assert Violation.objects.filter(status="pending").count() == 1
    # 06:00: the window ends within the grace period; the pending breach lapses unalarmed
    send(at_local(6, 0, day_offset=1), north_m=500)
    assert Violation.objects.filter(status="alarm").count() == 0
    assert Violation.objects.order_by("-pk").first().status == "cleared"
    assert list(Alert.objects.values_list("status", flat=True)) == ["resolved"]  # only the night's real breach


def test_an_approved_weekly_absence_lets_the_person_out_but_not_into_an_exclusion_zone(person, victim_zone, send):
    from datetime import time

    absence_approve(person=person, purpose="work", weekdays="12345", start_time=time(9), end_time=time(18))
    send(at_local(12, 0), north_m=1000)
    send(at_local(12, 30), north_m=1000)
    assert Violation.objects.count() == 0
    send(at_local(12, 40), north_m=2000)
    assert Violation.objects.get().kind == "exclusion"
    # Saturday the absence does not apply
    send(at_local(12, 0, day_offset=5), north_m=1000)
    assert Violation.objects.filter(kind="inclusion", status="pending").exists()


def test_a_one_off_absence(person, send):
    absence_approve(person=person, purpose="court", starts_at=at_local(10), ends_at=at_local(14))
    send(at_local(11), north_m=3000)
    send(at_local(13), north_m=3000)
    assert Violation.objects.count() == 0
    send(at_local(14, 30), north_m=3000)
    assert Violation.objects.get().status == "pending"


# --- exclusion zones, strap, SOS, battery --------------------------------------------------------


def test_entering_an_exclusion_zone_raises_a_p1_at_once_and_once(person, victim_zone, send):
    send(NOON, north_m=1900)  # 2000 m away is the centre, 150 m radius: inside
    send(NOON + seconds(10), north_m=1950)
    alert = Alert.objects.get()
    assert (alert.severity, alert.kind, alert.repeat_count) == (1, "bracelet_exclusion", 0)
    assert alert.payload["violation"]["kind"] == "exclusion"
    assert alert.latitude == pytest.approx(offset(HOME, 1900)[0])
    assert Violation.objects.get(kind="exclusion").status == "alarm"


@pytest.mark.parametrize(("fields", "kind"), [
    ({"alarms": ("tampering",)}, "tamper"),
    ({"strap": "open"}, "tamper"),
    ({"alarms": ("removing",)}, "removal"),
])  # fmt: skip
def test_strap_tamper_and_removal_are_p1_and_end_when_the_strap_closes(person, send, fields, kind):
    send(NOON, **fields)
    alert = Alert.objects.get()
    assert (alert.severity, alert.kind) == (1, f"bracelet_{kind}")
    send(NOON + seconds(5), **fields)
    assert Alert.objects.get().repeat_count == 0
    send(NOON + seconds(60), strap="closed")
    violation = Violation.objects.get()
    assert (violation.status, violation.ended_at) == ("cleared", NOON + seconds(60))
    alert.refresh_from_db()
    assert alert.status == "new"  # a P1 is closed by a person
    assert AlertEvent.objects.filter(alert=alert, action="updated").exists()


def test_sos_is_a_p1_event(person, send):
    send(NOON, alarms=("sos",))
    assert Alert.objects.get().severity == 1
    assert Violation.objects.get().status == "cleared"
    assert open_keys(person) == []


def test_low_battery_is_p3_below_20_p2_below_10_and_resolves_when_charged(person, send):
    send(NOON, battery=25.0)
    assert Alert.objects.count() == 0
    send(NOON + seconds(10), battery=19.0)
    alert = Alert.objects.get()
    assert (alert.severity, alert.kind) == (3, "bracelet_low_battery")
    send(NOON + seconds(20), battery=15.0)
    assert Alert.objects.get().repeat_count == 0
    send(NOON + seconds(30), battery=9.0)
    alert.refresh_from_db()
    assert (alert.severity, alert.repeat_count) == (2, 1)
    send(NOON + seconds(40), battery=60.0)
    alert.refresh_from_db()
    assert (alert.status, alert.disposition) == ("resolved", "technical")
    assert Violation.objects.get().status == "cleared"


def test_an_unassigned_bracelet_stores_but_raises_nothing(device, send):
    send(NOON, alarms=("tampering",), battery=5.0)
    assert Position.objects.get().person_id is None
    assert Alert.objects.count() == 0


def test_evaluation_can_be_turned_off_for_measuring_storage_alone(person, send, settings):
    settings.BRACELET_EVALUATE = False
    send(NOON, north_m=5000, battery=1.0, alarms=("tampering",))
    assert Position.objects.count() == 1
    assert Alert.objects.count() == Violation.objects.count() == 0


def test_a_rules_change_is_seen_on_the_next_fix(person, send):
    send(NOON, north_m=1000)
    assert Violation.objects.count() == 1
    latitude, longitude = offset(HOME, 1000)
    zone_create(person=person, kind="exclusion", name="School", latitude=latitude, longitude=longitude, radius_m=100)
    send(NOON + seconds(5), north_m=1000)
    assert Violation.objects.filter(kind="exclusion").count() == 1
