"""Incidents on the live feed: published after commit only; a socket hears of an incident exactly when
REST shows it to the same user, and of its alerts' links through the alerts' own messages."""

import pytest
from channels.db import database_sync_to_async as sync_to_async
from django.db import transaction
from django.test import Client

from opscenter.models import Incident
from opscenter.services import live
from opscenter.services.incidents import incident_create, incident_link, incident_resolve
from tests.opscenter.test_alert_feed import (  # noqa: F401  (fixtures)
    _close_the_sync_threads_connection,
    channel_layer,
    raise_in,
)
from tests.opscenter.test_live_contract import RolledBack, opened

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("channel_layer"),
]


async def drain(socket) -> list[dict]:
    messages = []
    while not await socket.receive_nothing(timeout=0.5):
        messages.append(await socket.receive_json_from(timeout=5))
    return messages


def rest_incidents(user) -> dict[int, dict]:
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/incidents/", HTTP_ACCEPT_LANGUAGE="en")  # labels in the services' language
    return {incident["id"]: incident for incident in response.json()["results"]}


async def test_an_incident_is_published_after_commit_and_never_after_a_rollback(operator_uralsk, administrator):
    def raise_two():
        return raise_in("uralsk"), raise_in("uralsk")

    first, second = await sync_to_async(raise_two)()
    socket = await opened(operator_uralsk)

    def create_and_roll_back() -> None:
        try:
            with transaction.atomic():
                incident_create(actor=administrator, alerts=[first, second])
                raise RolledBack
        except RolledBack:
            pass
        live.flush()

    await sync_to_async(create_and_roll_back)()
    assert await socket.receive_nothing(timeout=0.5)

    incident = await sync_to_async(lambda: incident_create(actor=administrator, alerts=[first, second]))()
    await sync_to_async(live.flush)()
    messages = await drain(socket)

    assert [(m["type"], m["alert"]["id"], m["alert"]["incident"]) for m in messages if m["type"] == "alert"] == [
        ("alert", first.pk, incident.pk),
        ("alert", second.pk, incident.pk),
    ]
    (told,) = [m["incident"] for m in messages if m["type"] == "incident"]
    assert told == (await sync_to_async(rest_incidents)(operator_uralsk))[incident.pk]
    assert (told["status"], told["center"], told["created_by"]) == ("open", "uralsk", administrator.username)
    await socket.disconnect()


async def test_a_socket_hears_of_an_incident_exactly_when_rest_shows_it(
    operator_uralsk, operator_syrym, officer_terekti, administrator
):
    city, terekti = await sync_to_async(lambda: (raise_in("uralsk"), raise_in("terekti")))()
    sockets = {user.pk: await opened(user) for user in (operator_uralsk, operator_syrym, officer_terekti)}

    def work() -> Incident:
        incident = incident_create(actor=administrator, alerts=[city])
        incident_link(incident=incident, actor=administrator, alerts=[terekti])
        incident = incident_resolve(incident=incident, actor=administrator, disposition="duplicate")
        live.flush()
        return incident

    incident = await sync_to_async(work)()

    for user in (operator_uralsk, operator_syrym, officer_terekti):
        messages = await drain(sockets[user.pk])
        told = [m["incident"] for m in messages if m["type"] == "incident"]
        shown = await sync_to_async(rest_incidents)(user)
        if shown:
            assert told[-1] == shown[incident.pk]
            assert told[-1]["status"] == "resolved" and told[-1]["disposition"] == "duplicate"
        else:
            assert told == []
        alerts = {m["alert"]["id"]: m["alert"] for m in messages if m["type"] == "alert"}
        assert all(alert["status"] == "resolved" and alert["incident"] == incident.pk for alert in alerts.values())
        await sockets[user.pk].disconnect()

    assert set(await sync_to_async(rest_incidents)(operator_uralsk)) == {incident.pk}
    assert await sync_to_async(rest_incidents)(operator_syrym) == {}
    assert set(await sync_to_async(rest_incidents)(officer_terekti)) == {incident.pk}  # it holds a Terekti alert
