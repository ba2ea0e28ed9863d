"""Units on the live feed (the contract of tests/opscenter/test_live_contract.py, for units): nothing before
commit nor after a rollback; a console hears a unit exactly when REST lists it to the same user, and its
snapshot plus the unit messages it heard is a fresh snapshot; a unit's tablet hears its own unit only,
as its tablet sees it; through the in-memory layer and the Redis channel layer."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

from opscenter.asgi import application
from opscenter.models import Assignment
from opscenter.services import live
from opscenter.services.alerts import alert_dispatch, alert_raise
from opscenter.services.units import assignment_accept, assignment_arrive, assignment_clear, unit_status_set
from tests.factories import UserFactory, district, make_unit
from tests.opscenter.test_alert_feed import (  # noqa: F401  (fixtures)
    _close_the_sync_threads_connection,
    channel_layer,
    connect,
    session_cookie,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("channel_layer"),
]


class RolledBack(Exception):
    pass


async def tablet(user) -> WebsocketCommunicator:
    cookie = await sync_to_async(session_cookie)(user)
    return WebsocketCommunicator(
        application, "/ws/tablet/", headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)]
    )


async def opened(socket: WebsocketCommunicator) -> dict:
    assert (await socket.connect())[0]
    return await socket.receive_json_from(timeout=5)


def raise_and_dispatch(*, actor, units, code="uralsk"):
    alert = alert_raise(
        source="test", kind="panic", severity=1, title="Panic button", district=district(code),
        latitude=51.23, longitude=51.37, address="пр. Достык, 12", payload={"caution": "Duress", "secret": "x"},
    )  # fmt: skip
    return alert_dispatch(alert=alert, actor=actor, units=units)


def rest_units(user) -> dict[int, dict]:
    client = Client()
    client.force_login(user)
    return {row["id"]: row for row in client.get("/api/v1/units/").json()["results"]}


async def test_a_unit_change_is_not_published_before_commit_nor_after_a_rollback(operator_uralsk):
    unit = await sync_to_async(make_unit)("Беркут-1", status="off_duty")
    socket = await connect(operator_uralsk)
    snapshot = await opened(socket)
    assert [row["call_sign"] for row in snapshot["units"]] == ["Беркут-1"]

    def inside() -> bool:
        with transaction.atomic():
            unit_status_set(unit=unit, status="available", actor=operator_uralsk)
            live.flush()
            return async_to_sync(socket.receive_nothing)(0.5)

    def rolled_back() -> None:
        try:
            with transaction.atomic():
                unit_status_set(unit=unit, status="off_duty", actor=operator_uralsk)
                raise RolledBack
        except RolledBack:
            pass
        live.flush()

    quiet_before_commit = await sync_to_async(inside)()
    after_commit = await socket.receive_json_from(timeout=5)
    await sync_to_async(rolled_back)()

    assert quiet_before_commit
    assert (after_commit["type"], after_commit["unit"]["id"], after_commit["unit"]["status"]) == (
        "unit", unit.pk, "available",
    )  # fmt: skip
    assert after_commit["group"] in {f"alerts.center.{unit.center_id}", "alerts.all"}
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_a_console_hears_the_units_of_its_scope_exactly_as_rest_lists_them(operator_uralsk, operator_syrym):
    # Given a unit in each center, and a console open in each
    patrol = await sync_to_async(UserFactory)(username="patrol_1", role="patrol")
    ours = await sync_to_async(make_unit)("Беркут-1", crew=[patrol], district_code="uralsk")
    theirs = await sync_to_async(make_unit)("Жайык-1", center_code="syrym")
    uralsk, syrym = await connect(operator_uralsk), await connect(operator_syrym)
    states = {}
    for person, socket in ((operator_uralsk, uralsk), (operator_syrym, syrym)):
        snapshot = await opened(socket)
        states[person.pk] = {row["id"]: row for row in snapshot["units"]}
    assert (set(states[operator_uralsk.pk]), set(states[operator_syrym.pk])) == ({ours.pk}, {theirs.pk})

    # When the Uralsk unit is sent, accepts, arrives and clears
    def work() -> None:
        raise_and_dispatch(actor=operator_uralsk, units=[ours])
        assignment = Assignment.objects.get(unit=ours)
        for step in (assignment_accept, assignment_arrive, assignment_clear):
            step(assignment=assignment, actor=patrol)
        live.flush()  # everything sent before the request for a fresh snapshot
        for pk in (operator_uralsk.pk, operator_syrym.pk):
            live._send([live.user_control_group(pk)], {"type": "user.changed"})  # then a fresh snapshot
        live.flush()

    await sync_to_async(work)()

    # Then each console's snapshot plus the unit messages it heard is its fresh snapshot, which is REST's
    heard: dict[int, list[tuple[str, str | None]]] = {}
    for person, socket in ((operator_uralsk, uralsk), (operator_syrym, syrym)):
        state, fresh = states[person.pk], None
        heard[person.pk] = []
        while fresh is None:
            message = await socket.receive_json_from(timeout=5)
            if message["type"] == "snapshot":
                fresh = {row["id"]: row for row in message["units"]}
            elif message["type"] == "unit":
                unit = message["unit"]
                if unit["updated_at"] >= state.get(unit["id"], {}).get("updated_at", ""):
                    state[unit["id"]] = unit
                assignment = unit["assignment"]
                step = (unit["status"], assignment["status"] if assignment else None)
                if not heard[person.pk] or heard[person.pk][-1] != step:
                    heard[person.pk].append(step)
        assert state == fresh == await sync_to_async(rest_units)(person)
        await socket.disconnect()
    assert heard[operator_uralsk.pk] == [
        ("en_route", "dispatched"), ("en_route", "accepted"), ("on_scene", "arrived"), ("available", None),
    ]  # fmt: skip
    assert heard[operator_syrym.pk] == []


async def test_a_tablet_hears_its_own_unit_only_and_nothing_of_the_alert_but_title_place_and_caution(
    operator_uralsk, operator_syrym
):
    # Given the crews of a Uralsk and a Syrym unit with their tablets open
    ours_crew = await sync_to_async(UserFactory)(username="patrol_u", role="patrol")
    theirs_crew = await sync_to_async(UserFactory)(username="patrol_s", role="patrol")
    ours = await sync_to_async(make_unit)("Беркут-1", crew=[ours_crew])
    await sync_to_async(make_unit)("Жайык-1", center_code="syrym", crew=[theirs_crew])
    ours_tablet, theirs_tablet = await tablet(ours_crew), await tablet(theirs_crew)
    first = await opened(ours_tablet)
    other_first = await opened(theirs_tablet)
    assert first["type"] == "tablet.snapshot"
    assert [(u["call_sign"], u["assignment"]) for u in first["units"]] == [("Беркут-1", None)]
    assert [u["call_sign"] for u in other_first["units"]] == ["Жайык-1"]

    # When an operator sends the Uralsk unit to an alert
    alert = await sync_to_async(raise_and_dispatch)(actor=operator_uralsk, units=[ours])

    # Then its tablet hears the assignment, with the alert's title, place and caution and nothing else
    message = await ours_tablet.receive_json_from(timeout=5)
    assert (message["type"], message["group"]) == ("tablet", f"units.unit.{ours.pk}")
    task = message["unit"]["assignment"]
    assert task["status"] == "dispatched"
    assert set(task["alert"]) == {
        "id", "severity", "severity_label", "title", "address", "latitude", "longitude", "geo_uri", "caution",
        "words",
    }  # fmt: skip
    assert set(task["alert"]["words"]["kk"]) == {"title", "address", "caution"}
    assert (task["alert"]["id"], task["alert"]["caution"], task["alert"]["geo_uri"]) == (
        alert.pk,
        "Duress",
        "geo:51.23,51.37",
    )
    # and the other center's tablet hears nothing
    assert await theirs_tablet.receive_nothing(timeout=0.5)
    for socket in (ours_tablet, theirs_tablet):
        await socket.disconnect()


async def test_a_tablet_of_someone_in_no_crew_is_refused_and_one_follows_its_crew_at_once(operator_uralsk):
    patrol = await sync_to_async(UserFactory)(username="patrol_new", role="patrol")
    refused = await tablet(patrol)
    assert (await refused.connect())[0]
    assert (await refused.receive_output(timeout=5))["code"] == 4403

    unit = await sync_to_async(make_unit)("Беркут-1")
    other = await sync_to_async(make_unit)("Беркут-2", crew=[patrol])
    socket = await tablet(patrol)
    assert [u["call_sign"] for u in (await opened(socket))["units"]] == ["Беркут-2"]

    from opscenter.services.units import unit_crew_set

    await sync_to_async(unit_crew_set)(unit=unit, crew=[patrol], actor=operator_uralsk)

    fresh = await socket.receive_json_from(timeout=5)
    while fresh["type"] != "tablet.snapshot":
        fresh = await socket.receive_json_from(timeout=5)
    assert sorted(u["call_sign"] for u in fresh["units"]) == ["Беркут-1", "Беркут-2"]
    assert other.pk in {u["id"] for u in fresh["units"]}
    await socket.disconnect()
