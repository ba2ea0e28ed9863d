"""Presence for the wallboard: a live socket is recorded when it opens, touched at each recheck and
removed when it closes; a refused socket leaves nothing."""

import asyncio

import pytest
from channels.db import database_sync_to_async as sync_to_async

from opscenter.models import LivePresence
from tests.opscenter.test_alert_feed import (  # noqa: F401  (fixtures)
    _close_the_sync_threads_connection,
    channel_layer,
    connect,
    refused_with,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("channel_layer"),
]


def presences() -> list[tuple[str, bool]]:
    return [(row.user.username, row.seen_at >= row.connected_at) for row in LivePresence.objects.select_related("user")]


async def test_an_open_socket_is_present_until_it_closes(operator_uralsk):
    socket = await connect(operator_uralsk)
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from(timeout=5))["type"] == "snapshot"

    assert await sync_to_async(presences)() == [("op_uralsk", True)]

    await socket.disconnect()
    assert await sync_to_async(presences)() == []


async def test_a_recheck_touches_the_presence(operator_uralsk, settings):
    settings.LIVE_RECHECK_SECONDS = 0.2
    socket = await connect(operator_uralsk)
    assert (await socket.connect())[0]
    await socket.receive_json_from(timeout=5)
    first = await sync_to_async(lambda: LivePresence.objects.get().seen_at)()

    for _attempt in range(50):
        await asyncio.sleep(0.1)
        if await sync_to_async(lambda: LivePresence.objects.get().seen_at)() > first:
            break
    else:
        pytest.fail("the presence was never touched")
    await socket.disconnect()


async def test_a_refused_socket_is_not_present(db):
    assert await refused_with(await connect()) == 4401
    assert await sync_to_async(presences)() == []
