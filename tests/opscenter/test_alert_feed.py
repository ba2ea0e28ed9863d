"""The websocket feed: refused without a session, scoped snapshot on connect, every change after,
through the in-memory layer and through the real Redis channel layer."""

import asyncio

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from opscenter.asgi import application
from opscenter.services.alerts import alert_acknowledge, alert_raise, alerts_escalate_overdue
from tests.channel_layers import redis_channel_layers
from tests.factories import UserFactory, district

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(params=["memory", "redis"])
def channel_layer(request, settings):
    if request.param == "redis":
        settings.CHANNEL_LAYERS = redis_channel_layers()
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield request.param
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
async def _close_the_sync_threads_connection():
    """The test's sync calls run in asgiref's shared thread; close its connection so the test
    database can be dropped at the end."""
    yield
    await sync_to_async(connections.close_all)()


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(user=None, path: str = "/ws/alerts/") -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost")]
    if user is not None:
        headers.append((b"cookie", await sync_to_async(session_cookie)(user)))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    return communicator


def raise_in(code, **fields):
    return alert_raise(source="test", kind="test", severity=1, title=code, district=district(code), **fields)


async def refused_with(communicator: WebsocketCommunicator) -> int:
    """The close code of a socket refused right after the handshake, with nothing sent before it."""
    assert (await communicator.connect())[0]
    output = await communicator.receive_output(timeout=5)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def test_an_unauthenticated_socket_is_refused(channel_layer):
    communicator = await connect()
    assert await refused_with(communicator) == 4401


async def test_a_socket_from_another_origin_is_refused(channel_layer, operator_uralsk):
    communicator = WebsocketCommunicator(
        application,
        "/ws/alerts/",
        headers=[
            (b"origin", b"http://evil.example"),
            (b"cookie", await sync_to_async(session_cookie)(operator_uralsk)),
        ],
    )
    connected, _code = await communicator.connect()
    assert connected is False


async def test_connect_sends_the_open_alerts_of_the_scope(channel_layer, operator_syrym):
    await sync_to_async(raise_in)("uralsk")
    syrym = await sync_to_async(raise_in)("syrym")

    communicator = await connect(operator_syrym)
    connected, _ = await communicator.connect()
    snapshot = await communicator.receive_json_from(timeout=5)

    assert connected
    assert snapshot["type"] == "snapshot"
    assert [alert["id"] for alert in snapshot["alerts"]] == [syrym.pk]
    await communicator.disconnect()


async def test_every_change_in_scope_is_pushed_and_nothing_else(channel_layer, operator_syrym, operator_uralsk):
    syrym_socket = await connect(operator_syrym)
    uralsk_socket = await connect(operator_uralsk)
    for socket in (syrym_socket, uralsk_socket):
        assert (await socket.connect())[0]
        assert (await socket.receive_json_from(timeout=5))["alerts"] == []

    alert = await sync_to_async(raise_in)("uralsk")
    raised = await uralsk_socket.receive_json_from(timeout=5)
    await sync_to_async(alert_acknowledge)(alert=alert, actor=operator_uralsk)
    acknowledged = await uralsk_socket.receive_json_from(timeout=5)

    assert (raised["type"], raised["alert"]["id"], raised["alert"]["status"]) == ("alert", alert.pk, "new")
    assert (acknowledged["alert"]["status"], acknowledged["alert"]["acknowledged_by"]) == (
        "acknowledged",
        operator_uralsk.username,
    )
    assert await syrym_socket.receive_nothing(timeout=0.5)
    await syrym_socket.disconnect()
    await uralsk_socket.disconnect()


async def test_a_district_officer_gets_their_districts_alerts(channel_layer, officer_terekti):
    socket = await connect(officer_terekti)
    assert (await socket.connect())[0]
    await socket.receive_json_from(timeout=5)

    await sync_to_async(raise_in)("uralsk")
    terekti = await sync_to_async(raise_in)("terekti")

    message = await socket.receive_json_from(timeout=5)
    assert message["alert"]["id"] == terekti.pk
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_supervisors_are_told_of_an_escalation(channel_layer, supervisor_uralsk, settings):
    settings.ALERT_ESCALATION_SECONDS = {1: 0.001, 2: 0, 3: 0, 4: 0}
    socket = await connect(supervisor_uralsk)
    assert (await socket.connect())[0]
    await socket.receive_json_from(timeout=5)
    alert = await sync_to_async(raise_in)("uralsk")
    await socket.receive_json_from(timeout=5)  # raised

    await sync_to_async(alerts_escalate_overdue)()

    messages = [await socket.receive_json_from(timeout=5) for _ in range(2)]
    by_type = {m["type"]: m for m in messages}
    assert by_type["alert"]["alert"]["escalation_level"] == 1
    assert by_type["alert.escalated"] == {
        "type": "alert.escalated",
        "alert_id": alert.pk,
        "level": 1,
        "title": "uralsk",
        "group": f"alerts.user.{supervisor_uralsk.pk}",
        "seq": by_type["alert.escalated"]["seq"],
    }
    await socket.disconnect()


async def test_ping_is_answered(channel_layer, operator_uralsk):
    socket = await connect(operator_uralsk)
    assert (await socket.connect())[0]
    await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await socket.disconnect()


async def test_a_deactivated_user_is_refused(channel_layer):
    user = await sync_to_async(UserFactory)(role="operator", centers=["uralsk"])
    cookie = await sync_to_async(session_cookie)(user)
    user.is_active = False
    await sync_to_async(user.save)()
    socket = WebsocketCommunicator(
        application, "/ws/alerts/", headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)]
    )
    assert await refused_with(socket) == 4401


async def test_an_idle_socket_stays_open_and_still_gets_the_next_alert(channel_layer, operator_uralsk):
    # redis-py 8's default 5 s read timeout used to close an idle consumer's Redis read, and the socket.
    socket = await connect(operator_uralsk)
    assert (await socket.connect())[0]
    await socket.receive_json_from(timeout=5)

    await asyncio.sleep(6.5)
    alert = await sync_to_async(raise_in)("uralsk")

    message = await socket.receive_json_from(timeout=5)
    assert message["alert"]["id"] == alert.pk
    await socket.disconnect()
