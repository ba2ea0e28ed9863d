"""Patrol units: status transitions, nearest-first ordering, several units sent to one alert, assignments
worked from the tablet, the tablet's scope, and the cost of the consoles' unit list."""

import pytest
from rest_framework.test import APIClient

from opscenter.errors import AssignmentMovedOn, InvalidTransition, NotAllowed, UnitUnavailable
from opscenter.models import (
    AlertEvent,
    Assignment,
    AssignmentStatus,
    AuditEntry,
    Unit,
    UnitStatusChange,
)
from opscenter.selectors import unit_list
from opscenter.services.alerts import alert_dispatch, alert_raise, alert_resolve
from opscenter.services.units import assignment_accept, assignment_arrive, assignment_clear, unit_status_set
from tests.factories import UserFactory, district, make_unit

pytestmark = pytest.mark.django_db

# The Uralsk center's alert in the middle of the city; units at about 1, 3 and 8 km.
SCENE = (51.2300, 51.3700)
NEAR = (51.2390, 51.3700)  # ~1.0 km north
MIDDLE = (51.2570, 51.3700)  # ~3.0 km
FAR = (51.3020, 51.3700)  # ~8.0 km


def raise_at(code: str = "uralsk", place=SCENE, **fields):
    return alert_raise(
        source="test", kind="panic", severity=1, title="Panic button", district=district(code),
        latitude=place[0], longitude=place[1], address="пр. Достык, 12", **fields,
    )  # fmt: skip


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.fixture
def patrol(db):
    return UserFactory(username="patrol_7", role="patrol", first_name="Асхат", last_name="Серик")


# ---- status transitions


@pytest.mark.parametrize(
    "start, wanted, allowed",
    [
        ("off_duty", "available", True),
        ("available", "off_duty", True),
        ("available", "available", True),  # already so: harmless, nothing recorded
        ("off_duty", "off_duty", True),
        ("available", "en_route", False),  # en route and on scene follow the assignments
        ("available", "on_scene", False),
        ("off_duty", "on_scene", False),
    ],
)
def test_going_on_and_off_duty_by_hand(operator_uralsk, start, wanted, allowed):
    unit = make_unit("Беркут-1", status=start)

    if allowed:
        unit = unit_status_set(unit=unit, status=wanted, actor=operator_uralsk)
        assert unit.status == wanted
    else:
        with pytest.raises(InvalidTransition):
            unit_status_set(unit=unit, status=wanted, actor=operator_uralsk)
        unit.refresh_from_db()
        assert unit.status == start
    changes = list(UnitStatusChange.objects.filter(unit=unit).values_list("status_from", "status", "actor_label"))
    assert changes == ([(start, wanted, "op_uralsk")] if allowed and start != wanted else [])


@pytest.mark.parametrize(
    "steps, unit_status, assignment_status",
    [
        ([], "en_route", "dispatched"),
        (["accept"], "en_route", "accepted"),
        (["accept", "arrive"], "on_scene", "arrived"),
        (["arrive"], "on_scene", "arrived"),  # arriving accepts too
        (["accept", "arrive", "clear"], "available", "cleared"),
        (["accept", "clear"], "available", "cleared"),  # called off on the way
        (["accept", "accept"], "en_route", "accepted"),  # a retried request
        (["accept", "arrive", "arrive"], "on_scene", "arrived"),
        (["accept", "arrive", "clear", "clear"], "available", "cleared"),
    ],
)
def test_an_assignment_moves_its_unit_through_its_statuses(
    operator_uralsk, patrol, steps, unit_status, assignment_status
):
    unit = make_unit("Беркут-1", at=NEAR, crew=[patrol])
    alert = alert_dispatch(alert=raise_at(), actor=operator_uralsk, units=[unit])
    assignment = Assignment.objects.get(alert=alert)
    step = {"accept": assignment_accept, "arrive": assignment_arrive, "clear": assignment_clear}

    for name in steps:
        step[name](assignment=assignment, actor=patrol)

    unit.refresh_from_db()
    assignment.refresh_from_db()
    assert (unit.status, assignment.status) == (unit_status, assignment_status)
    assert (assignment.accepted_at is not None) == (bool(steps) and assignment_status != "dispatched")
    history = list(UnitStatusChange.objects.filter(unit=unit).values_list("status_from", "status"))
    expected = [("available", "en_route")]
    if unit_status in ("on_scene",) or "arrive" in steps:
        expected.append(("en_route", "on_scene"))
    if unit_status == "available":
        expected.append((expected[-1][1], "available"))
    assert history == expected


@pytest.mark.parametrize(
    "steps, refused",
    [
        (["arrive"], "accept"),  # further along already
        (["clear"], "accept"),
        (["clear"], "arrive"),
    ],
)
def test_a_step_on_an_assignment_that_moved_on_is_refused(operator_uralsk, patrol, steps, refused):
    unit = make_unit("Беркут-1", crew=[patrol])
    alert_dispatch(alert=raise_at(), actor=operator_uralsk, units=[unit])
    assignment = Assignment.objects.get(unit=unit)
    step = {"accept": assignment_accept, "arrive": assignment_arrive, "clear": assignment_clear}
    for name in steps:
        step[name](assignment=assignment, actor=patrol)

    with pytest.raises(AssignmentMovedOn):
        step[refused](assignment=assignment, actor=patrol)


def test_a_unit_on_an_assignment_cannot_go_off_duty(operator_uralsk):
    unit = make_unit("Беркут-1")
    alert_dispatch(alert=raise_at(), actor=operator_uralsk, units=[unit])

    with pytest.raises(UnitUnavailable):
        unit_status_set(unit=unit, status="off_duty", actor=operator_uralsk)


def test_only_the_crew_works_an_assignment_and_only_dispatchers_call_a_unit_back(operator_uralsk, patrol):
    unit = make_unit("Беркут-1", crew=[patrol])
    stranger = UserFactory(username="patrol_8", role="patrol")
    analyst = UserFactory(role="analyst", centers=["uralsk"])
    alert_dispatch(alert=raise_at(), actor=operator_uralsk, units=[unit])
    assignment = Assignment.objects.get(unit=unit)

    for person in (stranger, operator_uralsk):
        with pytest.raises(NotAllowed):
            assignment_accept(assignment=assignment, actor=person)
    with pytest.raises(NotAllowed):
        assignment_clear(assignment=assignment, actor=analyst)
    assignment_clear(assignment=assignment, actor=operator_uralsk)  # called back from the console

    assignment.refresh_from_db()
    assert (assignment.status, assignment.cleared_by) == ("cleared", operator_uralsk)


# ---- nearest first


def test_the_picker_lists_available_units_nearest_first_then_the_busy_then_those_off_duty(operator_uralsk):
    far = make_unit("Беркут-3", at=FAR)
    near = make_unit("Беркут-1", at=NEAR)
    middle = make_unit("Беркут-2", at=MIDDLE)
    nowhere = make_unit("Беркут-4")  # no position yet
    busy = make_unit("Беркут-5", at=SCENE)
    resting = make_unit("Беркут-6", at=SCENE, status="off_duty")
    make_unit("Жайык-1", center_code="syrym", at=SCENE)  # another center's: not listed
    alert_dispatch(alert=raise_at(place=FAR), actor=operator_uralsk, units=[busy])

    rows = unit_list(user=operator_uralsk, near=SCENE)

    assert [(unit.call_sign, unit.status) for unit, _distance in rows] == [
        (near.call_sign, "available"),
        (middle.call_sign, "available"),
        (far.call_sign, "available"),
        (nowhere.call_sign, "available"),
        (busy.call_sign, "en_route"),
        (resting.call_sign, "off_duty"),
    ]
    distances = [None if d is None else round(d / 100) * 100 for _unit, d in rows]
    assert distances == [1000, 3000, 8000, None, 0, 0]


def test_the_unit_list_api_shows_distance_and_status_for_an_alert(operator_uralsk):
    alert = raise_at()
    make_unit("Беркут-2", at=MIDDLE)
    make_unit("Беркут-1", at=NEAR)

    response = api(operator_uralsk).get("/api/v1/units/", {"alert": alert.pk})

    assert response.status_code == 200
    rows = [(row["call_sign"], row["status"], row["distance_m"]) for row in response.json()["results"]]
    assert [(name, status) for name, status, _d in rows] == [("Беркут-1", "available"), ("Беркут-2", "available")]
    assert [round(d, -2) for _n, _s, d in rows] == [1000, 3000]


def test_the_unit_list_does_not_tell_of_another_centers_alert(operator_syrym):
    alert = raise_at("uralsk")
    assert api(operator_syrym).get("/api/v1/units/", {"alert": alert.pk}).status_code == 404


# The user's centers, their districts, the units (with center and district), their crews, their open
# assignments (with the alert): the same five for two units or twelve, busy or not.
UNIT_LIST_QUERIES = 5


def test_the_unit_list_costs_a_fixed_number_of_queries(operator_uralsk, django_assert_num_queries):
    client = api(operator_uralsk)
    crew = [UserFactory(role="patrol") for _ in range(3)]
    for number in range(2):
        make_unit(f"Беркут-{number}", at=NEAR, crew=crew[:2])
    with django_assert_num_queries(UNIT_LIST_QUERIES):
        assert client.get("/api/v1/units/").json()["count"] == 2
    units = [make_unit(f"Сункар-{number}", at=MIDDLE, district_code="uralsk", crew=crew) for number in range(10)]
    alert_dispatch(alert=raise_at(), actor=operator_uralsk, units=units[:4])
    with django_assert_num_queries(UNIT_LIST_QUERIES):
        results = client.get("/api/v1/units/").json()["results"]
    assert len(results) == 12
    assert sum(1 for row in results if row["assignment"]) == 4


# ---- several units to one alert


def test_several_units_are_sent_to_one_alert_each_with_its_own_assignment(operator_uralsk):
    first, second, third = (make_unit(f"Беркут-{n}", at=NEAR) for n in (1, 2, 3))
    alert = raise_at()

    alert = alert_dispatch(alert=alert, actor=operator_uralsk, units=[first, second])
    alert = alert_dispatch(alert=alert, actor=operator_uralsk, units=[third])  # one more, later

    assert (alert.status, alert.dispatch_unit) == ("dispatched", "Беркут-1, Беркут-2, Беркут-3")
    assignments = Assignment.objects.filter(alert=alert).order_by("unit__call_sign")
    assert [(a.unit.call_sign, a.status, a.dispatched_by) for a in assignments] == [
        ("Беркут-1", "dispatched", operator_uralsk),
        ("Беркут-2", "dispatched", operator_uralsk),
        ("Беркут-3", "dispatched", operator_uralsk),
    ]
    assert [round(a.distance_m, -2) for a in assignments] == [1000, 1000, 1000]
    assert set(Unit.objects.values_list("status", flat=True)) == {"en_route"}
    dispatched = alert.events.filter(action="dispatched").order_by("pk")
    assert [event.data["units"] for event in dispatched] == [["Беркут-1", "Беркут-2"], ["Беркут-3"]]
    assert AuditEntry.objects.filter(action="alert.dispatch", object_id=str(alert.pk)).count() == 2


def test_a_dispatch_with_one_unit_not_available_sends_none(operator_uralsk):
    free = make_unit("Беркут-1")
    resting = make_unit("Беркут-2", status="off_duty")
    alert = raise_at()

    with pytest.raises(UnitUnavailable) as refused:
        alert_dispatch(alert=alert, actor=operator_uralsk, units=[free, resting])

    assert refused.value.current == {"unit": resting.pk, "call_sign": "Беркут-2", "status": "off_duty"}
    alert.refresh_from_db()
    free.refresh_from_db()
    assert (alert.status, free.status, Assignment.objects.count()) == ("new", "available", 0)


def test_a_unit_busy_elsewhere_cannot_be_sent_and_the_api_says_why(operator_uralsk):
    unit = make_unit("Беркут-1")
    alert_dispatch(alert=raise_at(), actor=operator_uralsk, units=[unit])
    other = raise_at(place=NEAR)

    response = api(operator_uralsk).post(f"/api/v1/alerts/{other.pk}/dispatch/", {"units": [unit.pk]}, format="json")

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["current"]["status"]) == ("unit_unavailable", "en_route")


def test_a_unit_of_another_center_cannot_be_sent(operator_uralsk):
    stranger = make_unit("Жайык-1", center_code="syrym")
    alert = raise_at()

    response = api(operator_uralsk).post(
        f"/api/v1/alerts/{alert.pk}/dispatch/", {"units": [stranger.pk]}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["units"]
    assert Assignment.objects.count() == 0


def test_resolving_the_alert_frees_its_units(operator_uralsk, patrol):
    first, second = make_unit("Беркут-1", crew=[patrol]), make_unit("Беркут-2")
    alert = alert_dispatch(alert=raise_at(), actor=operator_uralsk, units=[first, second])
    assignment_arrive(assignment=Assignment.objects.get(unit=first), actor=patrol)

    alert_resolve(alert=alert, actor=operator_uralsk, disposition="real")

    assert set(Unit.objects.values_list("status", flat=True)) == {"available"}
    assert set(Assignment.objects.values_list("status", "cleared_by")) == {("cleared", operator_uralsk.pk)}
    actions = list(alert.events.order_by("pk").values_list("action", flat=True))
    assert actions == ["raised", "dispatched", "unit_arrived", "unit_cleared", "unit_cleared", "resolved"]


def test_the_alerts_timeline_names_each_units_step(operator_uralsk, patrol):
    unit = make_unit("Беркут-1", crew=[patrol])
    alert = alert_dispatch(alert=raise_at(), actor=operator_uralsk, units=[unit])
    assignment = Assignment.objects.get(unit=unit)
    for step in (assignment_accept, assignment_arrive, assignment_clear):
        step(assignment=assignment, actor=patrol)

    events = AlertEvent.objects.filter(alert=alert, action__startswith="unit_").order_by("pk")
    assert [(e.action, e.actor, e.data["unit"]) for e in events] == [
        ("unit_accepted", patrol, "Беркут-1"),
        ("unit_arrived", patrol, "Беркут-1"),
        ("unit_cleared", patrol, "Беркут-1"),
    ]
    assignment.refresh_from_db()
    assert assignment.dispatched_at <= assignment.accepted_at <= assignment.arrived_at <= assignment.cleared_at


# ---- the tablet


def test_the_tablet_shows_its_units_assignment_with_only_the_title_place_and_caution(operator_uralsk, patrol):
    unit = make_unit("Беркут-1", crew=[patrol])
    alert = raise_at(payload={"caution": "Duress code", "object": {"name": "School 12", "notes": "guard: Иванов"}})
    alert_dispatch(alert=alert, actor=operator_uralsk, units=[unit])

    body = api(patrol).get("/api/v1/tablet/").json()

    assert len(body["units"]) == 1
    task = body["units"][0]["assignment"]
    assert (body["units"][0]["call_sign"], body["units"][0]["status"], task["status"]) == (
        "Беркут-1", "en_route", "dispatched",
    )  # fmt: skip
    assert task["alert"] == {
        "id": alert.pk,
        "severity": 1,
        "severity_label": "P1 critical",
        "title": "Panic button",
        "address": "пр. Достык, 12",
        "latitude": SCENE[0],
        "longitude": SCENE[1],
        "geo_uri": f"geo:{SCENE[0]},{SCENE[1]}",
        "caution": "Duress code",
        "words": {
            language: {"title": "Panic button", "address": "пр. Достык, 12", "caution": "Duress code"}
            for language in ("ru", "kk", "en")
        },
    }


def test_the_tablet_works_its_assignment_through_the_api(operator_uralsk, patrol):
    unit = make_unit("Беркут-1", crew=[patrol])
    alert_dispatch(alert=raise_at(), actor=operator_uralsk, units=[unit])
    assignment = Assignment.objects.get(unit=unit)
    client = api(patrol)

    statuses = []
    for step in ("accept", "arrive", "clear"):
        response = client.post(f"/api/v1/tablet/assignments/{assignment.pk}/{step}/")
        assert response.status_code == 200, response.content
        body = response.json()
        statuses.append((body["status"], body["assignment"]["status"] if body["assignment"] else None))

    assert statuses == [("en_route", "accepted"), ("on_scene", "arrived"), ("available", None)]


def test_a_unit_of_another_center_sees_nothing_of_this_centers_assignment(operator_uralsk, patrol):
    ours = make_unit("Беркут-1", crew=[patrol])
    theirs_crew = UserFactory(username="patrol_syrym", role="patrol")
    make_unit("Жайык-1", center_code="syrym", crew=[theirs_crew])
    alert_dispatch(alert=raise_at(), actor=operator_uralsk, units=[ours])
    assignment = Assignment.objects.get(unit=ours)
    client = api(theirs_crew)

    tablet = client.get("/api/v1/tablet/").json()
    assert [(u["call_sign"], u["assignment"]) for u in tablet["units"]] == [("Жайык-1", None)]
    for step in ("accept", "arrive", "clear"):
        assert client.post(f"/api/v1/tablet/assignments/{assignment.pk}/{step}/").status_code == 404
    # nor anything of the consoles': a patrol has no scope of its own
    assert client.get("/api/v1/alerts/").json()["count"] == 0
    assert client.get("/api/v1/units/").json()["count"] == 0
    assert client.get(f"/api/v1/alerts/{assignment.alert_id}/").status_code == 404
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DISPATCHED


def test_a_crew_member_whose_role_may_not_work_a_unit_sees_no_tablet(operator_uralsk):
    unit = make_unit("Беркут-1", crew=[operator_uralsk])  # an operator put in a crew by mistake
    alert_dispatch(alert=raise_at(), actor=operator_uralsk, units=[unit])
    assert api(operator_uralsk).get("/api/v1/tablet/").json() == {"units": []}


def test_the_crew_puts_its_unit_on_and_off_duty(patrol):
    unit = make_unit("Беркут-1", crew=[patrol], status="off_duty")
    client = api(patrol)

    on = client.post(f"/api/v1/units/{unit.pk}/status/", {"status": "available"}, format="json")
    other = make_unit("Беркут-2", status="off_duty")
    refused = client.post(f"/api/v1/units/{other.pk}/status/", {"status": "available"}, format="json")

    assert (on.status_code, on.json()["status"]) == (200, "available")
    assert refused.status_code == 404


def test_a_patrol_officer_lands_on_the_tablet_and_a_district_officer_keeps_the_console(patrol, officer_terekti):
    from django.test import Client

    make_unit("Теректі-1", district_code="terekti", kind="district_officer", crew=[officer_terekti])
    patrol_client, officer_client = Client(), Client()
    patrol_client.force_login(patrol)
    officer_client.force_login(officer_terekti)

    landing = patrol_client.get("/")
    page = patrol_client.get("/tablet/")
    console = officer_client.get("/")

    assert (landing.status_code, landing["Location"]) == (302, "/tablet/")
    assert page.status_code == 200
    assert b'data-socket-path="/ws/tablet/"' in page.content
    assert console.status_code == 200
    assert b'href="/tablet/"' in console.content  # in a crew: the tablet is one click away


def test_a_patrol_officers_top_bar_offers_only_what_they_can_use(patrol, officer_terekti):
    from django.test import Client

    patrol_client, officer_client = Client(), Client()
    patrol_client.force_login(patrol)
    officer_client.force_login(officer_terekti)

    tablet = patrol_client.get("/tablet/").content.decode()
    console = officer_client.get("/").content.decode()

    sections = tablet[tablet.index('<nav class="sections"') : tablet.index("</nav>")]
    assert 'href="/tablet/"' in sections
    for other in ('href="/"', 'href="/appeals/', 'href="/bracelets/'):
        assert other not in sections  # no scope: those pages would show a patrol nothing
    sections = console[console.index('<nav class="sections"') : console.index("</nav>")]
    assert 'href="/"' in sections and 'href="/appeals/' in sections
