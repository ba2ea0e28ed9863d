"""Publishing never drops silently: every message is numbered per group; a burst goes out over a bounded
set of connections, in order; a failed send is retried with the same numbers; a send given up on is
logged as an error. Against the real Redis channel layer and the in-memory one."""

import asyncio
import logging
import threading

import pytest
from channels.layers import channel_layers, get_channel_layer
from redis.exceptions import ConnectionError as RedisConnectionError

from opscenter import layers
from opscenter.services import live
from tests.channel_layers import redis_channel_layers

BURST = 2000


@pytest.fixture(params=["memory", "redis"])
def layer(request, settings):
    if request.param == "redis":
        settings.CHANNEL_LAYERS = redis_channel_layers()
        settings.CHANNEL_LAYERS["default"]["CONFIG"]["capacity"] = BURST + 10
    else:
        settings.CHANNEL_LAYERS = {
            "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": BURST + 10}}
        }
    channel_layers.backends.clear()
    yield get_channel_layer()
    channel_layers.backends.clear()


def listen(layer, group: str) -> str:
    async def add() -> str:
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        return channel

    return asyncio.run(add()) if isinstance(layer, layers.RedisChannelLayer) else _on_publisher_loop(layer, add())


def _on_publisher_loop(layer, coroutine):
    """The in-memory layer's queues belong to the loop that uses them: the publisher's."""
    publisher = layers.publisher(layer, **live._publisher_options())
    return asyncio.run_coroutine_threadsafe(coroutine, publisher.loop).result(5)


def received(layer, channel: str, count: int) -> list[dict]:
    async def take() -> list[dict]:
        return [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(count)]

    return asyncio.run(take()) if isinstance(layer, layers.RedisChannelLayer) else _on_publisher_loop(layer, take())


def publish_from_threads(groups: list[str], count: int, threads: int = 4) -> None:
    """`count` messages published at once from several threads, as raisers under load do."""

    def share(first: int) -> None:
        for index in range(first, count, threads):
            live._send(groups, {"type": "alert.changed", "alert": {"id": index}})

    workers = [threading.Thread(target=share, args=(first,)) for first in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def test_a_burst_arrives_whole_numbered_without_gaps_over_a_bounded_set_of_connections(layer, settings):
    channel = listen(layer, "alerts.center.1")

    publish_from_threads(["alerts.center.1", "alerts.all"], BURST)
    assert live.flush(timeout=30)
    messages = received(layer, channel, BURST)

    assert [message["seq"] for message in messages] == list(range(1, BURST + 1))
    assert {message["group"] for message in messages} == {"alerts.center.1"}
    assert sorted(message["alert"]["id"] for message in messages) == list(range(BURST))
    if isinstance(layer, layers.RedisChannelLayer):
        publisher = layers.publisher(layer, **live._publisher_options())
        pool = layer._layers[publisher.loop]._connections[0].connection_pool
        assert len(pool._available_connections) + len(pool._in_use_connections) <= settings.LIVE_PUBLISH_CONCURRENCY


def test_the_numbers_go_on_from_where_the_cursor_stands(layer):
    channel = listen(layer, "alerts.district.7")
    live._send(["alerts.district.7"], {"type": "alert.changed", "alert": {"id": 1}})
    assert live.flush()
    before = _cursor(layer, "alerts.district.7")

    live._send(["alerts.district.7"], {"type": "alert.changed", "alert": {"id": 2}})
    assert live.flush()
    messages = received(layer, channel, 2)

    assert [message["seq"] for message in messages] == [before, before + 1]


def _cursor(layer, group: str) -> int:
    async def read() -> int:
        return (await layers.cursors(layer, [group]))[group]

    return asyncio.run(read()) if isinstance(layer, layers.RedisChannelLayer) else _on_publisher_loop(layer, read())


def test_a_failed_send_is_retried_with_the_same_numbers(layer, monkeypatch, settings):
    settings.LIVE_PUBLISH_BACKOFF_SECONDS = 0.01
    channel = listen(layer, "alerts.center.2")
    real, failures = layers.group_send_many, []

    async def flaky(layer, group, messages):
        if len(failures) < 2:
            failures.append([message["seq"] for message in messages])
            raise RedisConnectionError("Too many connections")
        return await real(layer, group, messages)

    monkeypatch.setattr(layers, "group_send_many", flaky)
    live._send(["alerts.center.2"], {"type": "alert.changed", "alert": {"id": 5}})
    assert live.flush()
    message = received(layer, channel, 1)[0]

    assert failures == [[message["seq"]], [message["seq"]]]
    assert message["alert"] == {"id": 5}


def test_a_send_given_up_on_is_logged_as_an_error(layer, monkeypatch, settings, caplog):
    settings.LIVE_PUBLISH_BACKOFF_SECONDS = 0.01
    settings.LIVE_PUBLISH_ATTEMPTS = 3
    channel_layers.backends.clear()  # a publisher with these settings
    layer = get_channel_layer()

    async def down(layer, group, messages):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(layers, "group_send_many", down)
    with caplog.at_level(logging.ERROR, logger="opscenter.layers"):
        live._send(["alerts.center.3"], {"type": "alert.changed", "alert": {"id": 6}})
        assert live.flush()

    assert "gave up sending 1 message(s) to alerts.center.3 after 3 attempts" in caplog.text
    assert layers.publisher(layer, **live._publisher_options()).dropped == 1


async def test_a_batched_receive_cut_off_after_redis_popped_loses_nothing():
    layer = layers.RedisChannelLayer(**redis_channel_layers()["default"]["CONFIG"])
    channel = await layer.new_channel()
    for index in range(3):
        await layer.send(channel, {"type": "test", "index": index})
    channel_key = layer.prefix + layer.non_local_name(channel)
    connection = layer.connection(layer.consistent_hash(layer.non_local_name(channel)))

    # Redis popped two into the backup, and the reply never reached the process
    await connection.eval(layers._RECEIVE_MANY, 2, channel_key, layer._backup_channel_name(channel_key), 2)
    received = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(3)]

    assert [message["index"] for message in received] == [0, 1, 2]
    assert await connection.exists(layer._backup_channel_name(channel_key)) == 0
    await layer.flush()
