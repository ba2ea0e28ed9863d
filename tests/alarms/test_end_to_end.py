"""A panic pressed at a school reaches an operator's screen: real socket, receiver, database, ACK,
then the P1 alert on the operator's websocket through the Redis channel layer."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from alarms.models import AlarmEvent
from opscenter.asgi import application
from tests.alarms.frames import build_frame
from tests.alarms.running import RunningReceiver
from tests.channel_layers import redis_channel_layers

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def redis_layer(settings):
    settings.CHANNEL_LAYERS = redis_channel_layers()
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def test_a_contact_id_panic_reaches_the_operators_websocket(redis_layer, panel, operator_uralsk):
    receiver = await asyncio.to_thread(RunningReceiver)
    cookie = await database_sync_to_async(session_cookie)(operator_uralsk)
    socket = WebsocketCommunicator(
        application, "/ws/alerts/", headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)]
    )
    try:
        assert (await socket.connect())[0]
        assert (await socket.receive_json_from(timeout=5))["alerts"] == []

        reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
        writer.write(build_frame(data="1120 01 015", sequence="0101"))
        await writer.drain()
        response = await asyncio.wait_for(reader.readuntil(b"\r"), timeout=10)
        writer.close()

        assert response[9:-1] == b'"ACK"0101R1L0#1234[]'
        message = await socket.receive_json_from(timeout=10)
        alert = message["alert"]
        assert (alert["severity"], alert["kind"], alert["center"], alert["status"]) == (1, "panic", "uralsk", "new")
        assert alert["payload"]["object"]["name"] == "School No. 5"
        assert await database_sync_to_async(AlarmEvent.objects.filter(alert_id=alert["id"]).count)() == 1
    finally:
        await socket.disconnect()
        await asyncio.to_thread(receiver.stop)
        await database_sync_to_async(connections.close_all)()
