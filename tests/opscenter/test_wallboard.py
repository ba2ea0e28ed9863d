"""The supervisor's wallboard: the queue by severity and age, today's time to acknowledge against the
target, each operator's presence and load, escalations, the units by status and those out; scoped to the
supervisor's centers, built in a fixed number of queries, and shown only to those who may see it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation

from opscenter.errors import NotAllowed
from opscenter.models import Assignment, LivePresence, Unit, UnitStatusChange
from opscenter.services.alerts import alert_dispatch, alert_raise
from opscenter.services.texts import phrase
from opscenter.services.units import assignment_arrive
from opscenter.supervision import local_day_start, wallboard
from tests.factories import AlertFactory, UserFactory, center, district, make_unit

pytestmark = pytest.mark.django_db

ORAL = ZoneInfo("Asia/Oral")
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=ORAL)
DAY_START = datetime(2026, 12, 3, 0, 0, tzinfo=ORAL)


def board_of(user, code: str, now: datetime = NOW):
    return next(item for item in wallboard(user=user, now=now).centers if item.center.code == code)


def acknowledged(*, by, raised_at: datetime, after: float, code: str = "uralsk", **fields):
    return AlertFactory(
        center=center(code),
        district=None,
        status=fields.pop("status", "acknowledged"),
        raised_at=raised_at,
        updated_at=raised_at,
        acknowledged_at=raised_at + timedelta(seconds=after),
        acknowledged_by=by,
        **fields,
    )


def sent(units, *, by, code: str = "uralsk", **fields):
    """An alert raised in `code`'s district with `units` sent to it (en route)."""
    alert = alert_raise(
        source=fields.pop("source", "test"),
        kind=fields.pop("kind", "panic"),
        severity=fields.pop("severity", 1),
        title=fields.pop("title", "Panic button"),
        district=district(code),
        **fields,
    )
    return alert_dispatch(alert=alert, actor=by, units=units)


def arrived(unit, *, by) -> None:
    assignment_arrive(assignment=Assignment.objects.get(unit=unit, status="dispatched"), actor=by)


def status_changed_at(unit) -> datetime:
    return UnitStatusChange.objects.filter(unit=unit).latest("at", "pk").at


@pytest.fixture
def patrol(db):
    return UserFactory(username="patrol_7", role="patrol")


def test_the_day_starts_at_midnight_in_the_oblast(settings):
    assert local_day_start(datetime(2026, 12, 3, 20, 30, tzinfo=ZoneInfo("UTC"))) == datetime(
        2026, 12, 4, 0, 0, tzinfo=ORAL
    )


def test_todays_time_to_acknowledge_is_the_median_and_p90_against_the_target(
    settings, supervisor_uralsk, operator_uralsk
):
    settings.OPSCENTER_ACK_TARGET_SECONDS = 30
    # Given five alerts acknowledged today after 10, 20, 30, 40 and 100 s
    for number, delay in enumerate([40, 10, 100, 30, 20]):
        acknowledged(by=operator_uralsk, raised_at=DAY_START + timedelta(hours=number + 1), after=delay)
    # and one acknowledged yesterday, one in another center, one never
    acknowledged(by=operator_uralsk, raised_at=DAY_START - timedelta(minutes=10), after=5)
    acknowledged(by=UserFactory(centers=["syrym"]), raised_at=DAY_START + timedelta(hours=1), after=500, code="syrym")
    AlertFactory(center=center("uralsk"), raised_at=DAY_START + timedelta(hours=2), updated_at=NOW)

    # When the supervisor of Uralsk looks at the board
    ack = board_of(supervisor_uralsk, "uralsk").ack

    # Then the figures are of today's five, nearest rank
    assert (ack.count, ack.median, ack.p90, ack.target, ack.within_target) == (5, 30.0, 100.0, 30, 3)
    assert (ack.median_over, ack.p90_over, ack.within_target_share) == (False, True, 0.6)


def test_nothing_acknowledged_today_gives_no_figures(supervisor_uralsk):
    ack = board_of(supervisor_uralsk, "uralsk").ack
    assert (ack.count, ack.median, ack.p90, ack.within_target_share) == (0, None, None, None)


def test_the_queue_counts_open_alerts_by_severity_and_age(settings, supervisor_uralsk, operator_uralsk):
    settings.OPSCENTER_ACK_TARGET_SECONDS = 60
    uralsk = center("uralsk")
    for severity, minutes in [(1, 2), (1, 10), (1, 30), (2, 90), (2, 0.5), (4, 200)]:
        AlertFactory(severity=severity, center=uralsk, raised_at=NOW - timedelta(minutes=minutes), updated_at=NOW)
    acknowledged(by=operator_uralsk, raised_at=NOW - timedelta(minutes=3), after=20, severity=1)
    AlertFactory(severity=1, center=uralsk, status="resolved", disposition="test", raised_at=NOW, updated_at=NOW)

    queue = {row.severity: row for row in board_of(supervisor_uralsk, "uralsk").queue}

    assert [(s, queue[s].total, queue[s].new, queue[s].over_target, queue[s].by_age) for s in (1, 2, 3, 4)] == [
        (1, 4, 3, 3, [2, 1, 1, 0]),
        (2, 2, 2, 1, [1, 0, 0, 1]),
        (3, 0, 0, 0, [0, 0, 0, 0]),
        (4, 1, 1, 1, [0, 0, 0, 1]),
    ]
    assert queue[1].oldest_new_at == NOW - timedelta(minutes=30)
    assert queue[3].oldest_new_at is None
    assert [str(row.label) for row in queue.values()] == ["P1 critical", "P2 high", "P3 medium", "P4 info"]


def test_each_operator_shows_presence_and_what_they_hold(settings, supervisor_uralsk):
    settings.LIVE_PRESENCE_SECONDS = 150
    ivanova = UserFactory(username="ivanova", first_name="Айгуль", last_name="Иванова", centers=["uralsk"])
    petrov = UserFactory(username="petrov", last_name="Петров", centers=["uralsk"])
    away = UserFactory(username="sidorov", last_name="Сидоров", centers=["uralsk"])
    UserFactory(username="officer", role="district_officer", districts=["terekti"])
    UserFactory(username="gone", centers=["uralsk"], is_active=False)
    # Ivanova has two consoles open; Petrov's only socket was last heard five minutes ago (a dead process)
    for channel in ("a", "b"):
        LivePresence.objects.create(user=ivanova, channel_name=channel, connected_at=NOW, seen_at=NOW)
    stale = NOW - timedelta(minutes=5)
    LivePresence.objects.create(user=petrov, channel_name="c", connected_at=stale, seen_at=stale)
    held_p1 = acknowledged(by=ivanova, raised_at=NOW - timedelta(minutes=5), after=10, severity=1, title="Panic")
    acknowledged(by=ivanova, raised_at=NOW - timedelta(minutes=9), after=10, severity=2, status="dispatched")
    acknowledged(by=ivanova, raised_at=NOW - timedelta(hours=1), after=10, status="resolved", disposition="real")
    acknowledged(by=petrov, raised_at=DAY_START - timedelta(hours=1), after=30)  # yesterday, still held

    operators = board_of(supervisor_uralsk, "uralsk").operators

    assert [(o.username, o.name, o.present, o.sockets, o.held_count, o.acknowledged_today) for o in operators] == [
        ("ivanova", "Иванова А.", True, 2, 2, 3),
        ("petrov", "Петров", False, 0, 1, 0),
        ("sup_uralsk", "sup_uralsk", False, 0, 0, 0),
        ("sidorov", "Сидоров", False, 0, 0, 0),
    ]
    first_held = operators[0].held[0]
    assert (first_held.pk, first_held.title, first_held.status) == (held_p1.pk, "Panic", "acknowledged")
    assert away.pk not in [o.user_pk for o in operators if o.present]


def test_escalations_are_the_open_alerts_escalated(supervisor_uralsk):
    uralsk = center("uralsk")
    first = AlertFactory(center=uralsk, escalation_level=1, escalated_at=NOW - timedelta(minutes=2), raised_at=NOW)
    second = AlertFactory(center=uralsk, escalation_level=2, escalated_at=NOW - timedelta(minutes=1), raised_at=NOW)
    AlertFactory(center=uralsk, escalation_level=2, status="resolved", disposition="real", raised_at=NOW)
    AlertFactory(center=uralsk, raised_at=NOW)

    board = board_of(supervisor_uralsk, "uralsk")

    assert ([alert.pk for alert in board.escalations], board.escalation_count) == ([second.pk, first.pk], 2)


def test_units_are_counted_by_status_in_each_center_zeros_too(supervisor_uralsk, operator_uralsk, patrol):
    supervisor_uralsk.centers.add(center("syrym"))
    # Given in Uralsk two units available, one off duty, one en route and one on scene, and one out of service
    make_unit("U-1")
    make_unit("U-2")
    make_unit("U-3", status="off_duty")
    en_route, on_scene = make_unit("U-4"), make_unit("U-5", crew=[patrol])
    sent([en_route, on_scene], by=operator_uralsk)
    arrived(on_scene, by=patrol)
    retired = make_unit("U-6")
    Unit.objects.filter(pk=retired.pk).update(is_active=False)
    # and in Syrym one unit available
    make_unit("S-1", center_code="syrym")

    board = wallboard(user=supervisor_uralsk, now=NOW)

    counts = {item.center.code: [(row.status, row.label, row.count) for row in item.units] for item in board.centers}
    assert counts == {
        "syrym": [
            ("available", "Available", 1),
            ("en_route", "En route", 0),
            ("on_scene", "On scene", 0),
            ("off_duty", "Off duty", 0),
        ],
        "uralsk": [
            ("available", "Available", 2),
            ("en_route", "En route", 1),
            ("on_scene", "On scene", 1),
            ("off_duty", "Off duty", 1),
        ],
    }


def test_a_center_without_units_shows_every_status_at_zero(supervisor_uralsk):
    board = board_of(supervisor_uralsk, "uralsk")

    assert [(row.status, row.count) for row in board.units] == [
        ("available", 0),
        ("en_route", 0),
        ("on_scene", 0),
        ("off_duty", 0),
    ]
    assert board.busy_units == []


def test_the_units_out_are_listed_with_their_alert_in_the_readers_language_and_since_when(
    supervisor_uralsk, operator_uralsk, patrol
):
    # Given a unit available and one off duty (not out), one sent to a panic and one on scene of a demo alert
    make_unit("U-1")
    make_unit("U-2", status="off_duty")
    to_panic, to_vehicle = make_unit("U-3"), make_unit("U-4", crew=[patrol])
    panic = sent([to_panic], by=operator_uralsk, severity=1, title="Panic button")
    vehicle = sent(
        [to_vehicle],
        by=operator_uralsk,
        source="demo",
        kind="wanted_vehicle",
        severity=2,
        title=phrase("Wanted vehicle seen: %(plate)s", plate="123 ABC 07"),
        payload={"title": phrase("Wanted vehicle seen: %(plate)s", plate="123 ABC 07")},
    )
    arrived(to_vehicle, by=patrol)

    # When a supervisor reading Kazakh looks at the board
    with translation.override("kk"):
        out = board_of(supervisor_uralsk, "uralsk").busy_units

    # Then the two out are listed, en route first, with their alert worded in Kazakh and since their last change
    assert [(u.call_sign, u.status, u.label, u.since) for u in out] == [
        ("U-3", "en_route", "Жолда", status_changed_at(to_panic)),
        ("U-4", "on_scene", "Оқиға орнында", status_changed_at(to_vehicle)),
    ]
    assert [(u.alert.pk, u.alert.severity, u.alert.title) for u in out if u.alert] == [
        (panic.pk, 1, "Panic button"),
        (vehicle.pk, 2, "Іздеудегі көлік анықталды: 123 ABC 07"),
    ]
    assert status_changed_at(to_vehicle) > status_changed_at(to_panic)


def test_a_unit_sent_to_another_centers_alert_is_listed_without_naming_that_alert():
    """An operator of two centers may send a Syrym unit to an Uralsk alert: Syrym's board shows the unit
    out, never the Uralsk alert's title (the object's name) its supervisor's scope does not cover."""
    both = UserFactory(role="operator", centers=["uralsk", "syrym"])
    syrym_supervisor = UserFactory(role="supervisor", centers=["syrym"])
    unit = make_unit("S-9", center_code="syrym")
    sent([unit], by=both, title="Panic: School No. 5 of Uralsk")

    (syrym,) = wallboard(user=syrym_supervisor, now=NOW).centers

    assert [(item.call_sign, item.status, item.alert) for item in syrym.busy_units] == [("S-9", "en_route", None)]


def test_a_supervisor_of_one_center_sees_only_that_centers_units(operator_uralsk, operator_syrym):
    syrym_supervisor = UserFactory(role="supervisor", centers=["syrym"])
    theirs = make_unit("U-1")
    make_unit("U-2", status="off_duty")
    sent([theirs], by=operator_uralsk)
    mine = make_unit("S-1", center_code="syrym")
    sent([mine], by=operator_syrym, code="syrym")

    (syrym,) = wallboard(user=syrym_supervisor, now=NOW).centers

    assert [(row.status, row.count) for row in syrym.units] == [
        ("available", 0),
        ("en_route", 1),
        ("on_scene", 0),
        ("off_duty", 0),
    ]
    assert [unit.call_sign for unit in syrym.busy_units] == ["S-1"]


def test_a_supervisor_of_one_center_sees_only_that_center(operator_syrym):
    syrym_supervisor = UserFactory(role="supervisor", centers=["syrym"])
    AlertFactory(center=center("uralsk"), raised_at=NOW, escalation_level=1)
    mine = AlertFactory(center=center("syrym"), district=None, raised_at=NOW, escalation_level=1)
    UserFactory(username="uralsk_operator", centers=["uralsk"])

    board = wallboard(user=syrym_supervisor, now=NOW)

    assert [item.center.code for item in board.centers] == ["syrym"]
    (syrym,) = board.centers
    assert (syrym.open_count, [alert.pk for alert in syrym.escalations]) == (1, [mine.pk])
    assert sorted(o.username for o in syrym.operators) == sorted([operator_syrym.username, syrym_supervisor.username])


def test_an_administrator_sees_every_center(administrator):
    assert len(wallboard(user=administrator, now=NOW).centers) == center("uralsk").__class__.objects.count()


@pytest.mark.parametrize("role", ["operator", "district_officer", "analyst"])
def test_only_supervisors_and_administrators_may_see_the_board(role):
    user = UserFactory(role=role, centers=["uralsk"])
    with pytest.raises(NotAllowed):
        wallboard(user=user, now=NOW)
    client = Client()
    client.force_login(user)
    assert client.get("/wallboard/").status_code == 403


def test_the_board_takes_the_same_queries_however_much_there_is(
    django_assert_num_queries, supervisor_uralsk, operator_uralsk, patrol
):
    def build():
        with django_assert_num_queries(14):
            return wallboard(user=supervisor_uralsk, now=NOW)

    build()
    for number in range(5):
        operator = UserFactory(centers=["uralsk", "syrym"])
        LivePresence.objects.create(user=operator, channel_name=f"x{number}", connected_at=NOW, seen_at=NOW)
        acknowledged(by=operator, raised_at=NOW - timedelta(minutes=number), after=5, escalation_level=1)
        AlertFactory(center=center("uralsk"), raised_at=NOW, severity=1 + number % 4)
        for code in ("uralsk", "syrym"):
            make_unit(f"{code}-{number}", center_code=code, status=("available", "off_duty")[number % 2])
            out = make_unit(f"{code}-out-{number}", center_code=code, crew=[patrol])
            sent([out], by=operator, code=code)
            if number % 2:
                arrived(out, by=patrol)
    supervisor_uralsk.centers.add(center("syrym"))
    board = build()
    assert [len(item.busy_units) for item in board.centers] == [5, 5]


def test_the_page_and_its_board_part(supervisor_uralsk, operator_uralsk):
    AlertFactory(center=center("uralsk"), title="Panic at School No. 5", escalation_level=1)
    client = Client()
    client.force_login(supervisor_uralsk)

    page = client.get("/wallboard/")
    part = client.get("/wallboard/", {"part": "board"})

    assert page.status_code == part.status_code == 200
    assert b'id="wallboard"' in page.content and b"wallboard.js" in page.content
    assert b'id="wallboard"' not in part.content
    assert "Panic at School No. 5" in part.content.decode()
    assert f'data-username="{operator_uralsk.username}"' in part.content.decode()


def test_the_board_part_shows_the_units_in_the_readers_language(supervisor_uralsk, operator_uralsk):
    make_unit("U-1")
    out = make_unit("U-2")
    sent([out], by=operator_uralsk, title="Panic at School No. 5")
    supervisor_uralsk.language = "kk"
    supervisor_uralsk.save(update_fields=["language"])
    client = Client()
    client.force_login(supervisor_uralsk)

    part = client.get("/wallboard/", {"part": "board"}).content.decode()

    assert "Күйі бойынша жасақтар" in part and "Шыққан жасақтар" in part
    for status, count in [("available", 1), ("en_route", 1), ("on_scene", 0), ("off_duty", 0)]:
        assert f'data-status="{status}" data-count="{count}"' in part
    assert 'data-unit="U-2" data-status="en_route"' in part and "Жолда" in part
    assert "Panic at School No. 5" in part
