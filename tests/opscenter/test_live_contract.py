"""The live feed's contract (as Zulip's test_events.py verifies its events):

- nothing is published before the transaction commits, nor after a rollback;
- for random users and alerts, a socket receives an alert exactly when the REST API shows it to the
  same user, and the snapshot plus the events it received equals a fresh snapshot;

through the in-memory layer and through the Redis channel layer (run with DATABASE_URL and REDIS_URL
for PostgreSQL and Redis)."""

import itertools
import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async as sync_to_async
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opscenter.errors import InvalidTransition
from opscenter.models import Alert, Incident, Role
from opscenter.services import live
from opscenter.services.alerts import alert_acknowledge, alert_raise, alert_relocate, alert_resolve
from opscenter.services.incidents import incident_create, incident_link, incident_resolve, incident_unlink
from tests.factories import UserFactory, center, district
from tests.opscenter.test_alert_feed import (  # noqa: F401  (fixtures)
    _close_the_sync_threads_connection,
    channel_layer,
    connect,
    raise_in,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("channel_layer"),
]

CENTERS = ["bayterek", "burlin", "syrym", "uralsk"]
DISTRICTS = {"akzhaik": "uralsk", "terekti": "uralsk", "uralsk": "uralsk", "karatobe": "syrym", "syrym": "syrym",
             "burlin": "burlin", "taskala": "bayterek"}  # fmt: skip
_names = itertools.count()


class RolledBack(Exception):
    pass


async def opened(user):
    socket = await connect(user)
    assert (await socket.connect())[0]
    snapshot = await socket.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    return socket


async def test_nothing_is_published_before_commit_nor_after_a_rollback(operator_uralsk):
    socket = await opened(operator_uralsk)

    def raise_and_look_inside_the_transaction() -> tuple[int, bool]:
        with transaction.atomic():
            alert = raise_in("uralsk")
            live.flush()
            return alert.pk, async_to_sync(socket.receive_nothing)(0.5)

    def raise_and_roll_back() -> None:
        try:
            with transaction.atomic():
                raise_in("uralsk")
                raise RolledBack
        except RolledBack:
            pass
        live.flush()

    committed_pk, quiet_before_commit = await sync_to_async(raise_and_look_inside_the_transaction)()
    after_commit = await socket.receive_json_from(timeout=5)
    await sync_to_async(raise_and_roll_back)()

    assert quiet_before_commit
    assert after_commit["alert"]["id"] == committed_pk
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


# ---- random users and alerts

scopes = st.fixed_dictionaries(
    {
        "role": st.sampled_from(
            [Role.OPERATOR, Role.SUPERVISOR, Role.DISTRICT_OFFICER, Role.ANALYST, Role.ADMINISTRATOR]
        ),
        "centers": st.lists(st.sampled_from(CENTERS), max_size=2, unique=True),
        "districts": st.lists(st.sampled_from(sorted(DISTRICTS)), max_size=2, unique=True),
    }
)
places = st.sampled_from([*(("district", code) for code in sorted(DISTRICTS)), *(("center", code) for code in CENTERS)])
steps = st.one_of(
    st.tuples(st.just("raise"), places),
    st.tuples(st.just("acknowledge"), st.integers(min_value=0)),
    st.tuples(st.just("resolve"), st.integers(min_value=0)),
    st.tuples(st.just("relocate"), st.integers(min_value=0), places),
    st.tuples(st.just("link"), st.integers(min_value=0), st.integers(min_value=0)),
    st.tuples(st.just("unlink"), st.integers(min_value=0)),
    st.tuples(st.just("resolve incident"), st.integers(min_value=0)),
)


def make_user(scope: dict):
    return UserFactory(
        username=f"contract{next(_names)}", role=scope["role"], centers=scope["centers"], districts=scope["districts"]
    )


def place(spec) -> dict:
    kind, code = spec
    return {"district": district(code)} if kind == "district" else {"center": center(code)}


def run_steps(plan: list, actor) -> list[int]:
    """Carry out the plan with the services; returns the alerts raised."""
    raised = []
    for step in plan:
        if step[0] == "raise":
            alert = alert_raise(
                source="test", kind="contract", severity=2, title=f"contract {len(raised)}", **place(step[1])
            )
            raised.append(alert)
        elif raised:
            alert = raised[step[1] % len(raised)]
            alert.refresh_from_db()
            if step[0] == "acknowledge" and alert.status == "new":
                alert_acknowledge(alert=alert, actor=actor)
            elif step[0] == "resolve" and alert.is_open:
                alert_resolve(alert=alert, actor=None, disposition="test")
            elif step[0] == "relocate":
                target = place(step[2])
                target_center = target.get("center") or target["district"].center
                alert_relocate(alert=alert, center=target_center, district=target.get("district"), actor=None)
            else:
                incident_step(step, alert, raised, actor)
    live.flush()
    return [alert.pk for alert in raised]


def incident_step(step, alert: Alert, raised: list[Alert], actor) -> None:
    """Link two alerts (into the first one's incident, or a new one), unlink one, resolve its incident;
    refusals (two centers, a resolved alert) change nothing and are part of the contract too."""
    try:
        if step[0] == "link":
            other = raised[step[2] % len(raised)]
            if alert.incident_id is not None:
                incident_link(incident=Incident(pk=alert.incident_id), actor=actor, alerts=[other])
            else:
                incident_create(actor=actor, alerts=[alert, other])
        elif step[0] == "unlink" and alert.incident_id is not None:
            incident_unlink(incident=Incident(pk=alert.incident_id), actor=actor, alert=alert)
        elif step[0] == "resolve incident" and alert.incident_id is not None:
            incident_resolve(incident=Incident(pk=alert.incident_id), actor=actor, disposition="duplicate")
    except InvalidTransition:
        pass


def rest_ids(user, among: list[int]) -> set[int]:
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/alerts/", {"limit": 2000})
    assert response.status_code == 200
    return {alert["id"] for alert in response.json()["results"]} & set(among)


def rest_open(user) -> dict[int, dict]:
    client = Client()
    client.force_login(user)
    return {
        alert["id"]: alert
        for alert in client.get("/api/v1/alerts/", {"status": "open", "limit": 2000}).json()["results"]
    }


def ask_for_a_fresh_snapshot(user_pks: list[int]) -> None:
    """Sent after everything the steps published (flushed): the socket answers with a fresh snapshot."""
    for pk in user_pks:
        live._send([live.user_control_group(pk)], {"type": "user.changed"})
    live.flush()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(users=st.lists(scopes, min_size=1, max_size=3), plan=st.lists(steps, min_size=1, max_size=6))
async def test_a_socket_receives_an_alert_exactly_when_rest_shows_it_and_its_events_make_a_fresh_snapshot(users, plan):
    # Given users of random roles and scopes, each with the dashboard open (or refused without scope)
    people = [await sync_to_async(make_user)(scope) for scope in users]
    actor = await sync_to_async(make_user)({"role": Role.ADMINISTRATOR, "centers": [], "districts": []})
    sockets, states = {}, {}
    for person in people:
        socket = await connect(person)
        assert (await socket.connect())[0]
        first = await socket.receive_output(timeout=5)
        if first["type"] == "websocket.close":
            assert first["code"] == 4403
            assert await sync_to_async(rest_open)(person) == {}
            continue
        snapshot = json.loads(first["text"])
        sockets[person.pk], states[person.pk] = socket, {alert["id"]: alert for alert in snapshot["alerts"]}

    # When the services raise, acknowledge, resolve and move alerts
    raised = await sync_to_async(run_steps)(plan, actor)
    await sync_to_async(ask_for_a_fresh_snapshot)(list(sockets))

    for person in people:
        if person.pk not in sockets:
            continue
        socket, state, received, fresh = sockets[person.pk], states[person.pk], {}, None
        while fresh is None:
            message = await socket.receive_json_from(timeout=5)
            if message["type"] == "snapshot":
                fresh = {alert["id"]: alert for alert in message["alerts"]}
            elif message["type"] == "alert":
                alert = message["alert"]
                received[alert["id"]] = "shown"
                if alert["status"] == "resolved":
                    state.pop(alert["id"], None)
                else:
                    state[alert["id"]] = alert
            elif message["type"] == "alert.removed":
                received[message["alert_id"]] = "removed"
                state.pop(message["alert_id"], None)

        # Then it received (last as shown) exactly the alerts REST shows the same user
        shown = {pk for pk, last in received.items() if last == "shown" and pk in raised}
        assert shown == await sync_to_async(rest_ids)(person, raised)
        # and its snapshot plus its events are the fresh snapshot, which is what REST shows open
        assert state == fresh
        assert fresh == await sync_to_async(rest_open)(person)
        await socket.disconnect()
