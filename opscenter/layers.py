"""Sending to the channel layer without dropping anything silently.

Every message sent to a group is numbered: `group` and `seq` (1, 2, 3 ... per group, kept in Redis so
that every process numbers alike), so a console that sees a number missing knows it missed something
and resyncs over REST. `cursors` tells a socket where each of its groups stands before its snapshot.

`Publisher` sends from a thread of its own, over a bounded set of connections (channels_redis opens a
new one per concurrent send: unbounded, a burst ran redis-py's pool out, "Too many connections", and
the messages were only logged). What is queued is sent in rounds: each round sends, per group, all its
queued messages in one Redis script, a few groups at a time, and retries a failed send with backoff. A
message it finally gives up on is logged as an error; its number is then missing, and the consoles resync.
"""

import asyncio
import atexit
import collections
import concurrent.futures
import logging
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

from channels_redis import core

logger = logging.getLogger(__name__)

# Per group: drop channels gone past group_expiry; per channel: drop expired messages, add each message
# unless the channel is full, with increasing scores so they are received in order. Returns how many
# (channel, message) pairs did not fit.
_GROUP_SEND_MANY = """
local n = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local expiry = tonumber(ARGV[3])
local k = #KEYS
local over = 0
for i = 1, k do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, now - expiry)
    local capacity = tonumber(ARGV[3 + i])
    local count = redis.call('ZCOUNT', KEYS[i], '-inf', '+inf')
    for j = 1, n do
        if count < capacity then
            redis.call('ZADD', KEYS[i], now + j * 0.000001, ARGV[3 + k + (j - 1) * k + i])
            count = count + 1
        else
            over = over + 1
        end
    end
    redis.call('EXPIRE', KEYS[i], expiry)
end
return over
"""


# Put back what an interrupted receive left in the backup, then take up to ARGV[1] messages at once,
# keeping them in the backup until they are buffered in the process (channels_redis's own guarantee).
_RECEIVE_MANY = """
local backed_up = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = #backed_up, 1, -2 do
    redis.call('ZADD', KEYS[1], backed_up[i], backed_up[i - 1])
end
redis.call('DEL', KEYS[2])
local taken = redis.call('ZPOPMIN', KEYS[1], tonumber(ARGV[1]))
for i = 1, #taken, 2 do
    redis.call('ZADD', KEYS[2], taken[i + 1], taken[i])
end
return taken
"""


class RedisChannelLayer(core.RedisChannelLayer):
    """channels_redis's layer, but a process's sockets receive what is waiting for them in batches:
    channels_redis takes one message per three or four round trips, which held a web process to about
    200 messages a second on a busy host while 1,000 alerts a second were published."""

    receive_batch = 200

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._received: dict[str, collections.deque] = collections.defaultdict(collections.deque)

    async def receive_single(self, channel):
        if "!" not in channel:  # a plain channel, shared between processes: as channels_redis does
            return await super().receive_single(channel)
        waiting = self._received[channel]
        if not waiting:
            assert self.require_valid_channel_name(channel, receive=True), "Channel name invalid"
            channel_key = self.prefix + channel
            backup = self._backup_channel_name(channel_key)
            connection = self.connection(self.consistent_hash(channel))
            await self.receive_clean_locks.acquire(channel_key)
            try:
                taken = await connection.eval(_RECEIVE_MANY, 2, channel_key, backup, self.receive_batch)
                for content in taken[::2]:
                    waiting.append(self._unpack(channel, content))
                if taken:
                    await connection.delete(backup)  # buffered: a duplicate, at worst, if cut off here
            finally:
                self.receive_clean_locks.release(channel_key)
            if not waiting:  # nothing yet: wait for one, blocking, as channels_redis does
                return await super().receive_single(channel)
        return waiting.popleft()

    def _unpack(self, channel: str, content: bytes):
        message = self.deserialize(content)
        if "__asgi_channel__" in message:
            return message.pop("__asgi_channel__"), message
        return channel, message


def _is_redis(layer) -> bool:
    return isinstance(layer, core.RedisChannelLayer)


def _sequence_key(layer: core.RedisChannelLayer, group: str) -> str:
    return f"{layer.prefix}:seq:{group}"


_local_sequences: collections.Counter[tuple[int, str]] = collections.Counter()
_local_lock = threading.Lock()


async def number(layer, group: str, count: int) -> int:
    """Reserve `count` numbers of `group`'s sequence; returns the first."""
    if _is_redis(layer):
        connection = layer.connection(layer.consistent_hash(group))
        last = await connection.incrby(_sequence_key(layer, group), count)
    else:  # the in-memory layer lives in one process: so do its numbers
        with _local_lock:
            _local_sequences[(id(layer), group)] += count
            last = _local_sequences[(id(layer), group)]
    return last - count + 1


async def cursors(layer, groups) -> dict[str, int]:
    """The last number sent to each of `groups` (0 before the first)."""
    result = {}
    for group in groups:
        if _is_redis(layer):
            connection = layer.connection(layer.consistent_hash(group))
            result[group] = int(await connection.get(_sequence_key(layer, group)) or 0)
        else:
            with _local_lock:
                result[group] = _local_sequences[(id(layer), group)]
    return result


async def group_send_many(layer, group: str, messages: list[dict]) -> int:
    """Send `messages` (numbered already) to `group` in order; returns how many deliveries did not fit
    a full channel (those consoles see the gap)."""
    if not _is_redis(layer):
        for message in messages:
            await layer.group_send(group, message)
        return 0
    connection = layer.connection(layer.consistent_hash(group))
    key = layer._group_key(group)
    await connection.zremrangebyscore(key, min=0, max=int(time.time()) - layer.group_expiry)
    channels = [name.decode("utf8") for name in await connection.zrange(key, 0, -1)]
    if not channels:
        return 0
    # channels_redis's own mapping: which Redis holds each channel, the message each channel key gets
    # (naming the channels of a process that share it) and its capacity.
    by_connection: dict[int, list[bytes]] = {}
    payloads: dict[bytes, list[bytes]] = collections.defaultdict(list)
    capacities: dict[bytes, int] = {}
    for message in messages:
        connection_keys, key_messages, key_capacities = layer._map_channel_keys_to_connection(channels, message)
        by_connection = connection_keys
        capacities = key_capacities
        for channel_key, payload in key_messages.items():
            payloads[channel_key].append(payload)
    over = 0
    for index, channel_keys in by_connection.items():
        args: list[Any] = [len(messages), repr(time.time()), layer.expiry]
        args += [capacities[channel_key] for channel_key in channel_keys]
        for position in range(len(messages)):
            args += [payloads[channel_key][position] for channel_key in channel_keys]
        over += await layer.connection(index).eval(_GROUP_SEND_MANY, len(channel_keys), *channel_keys, *args)
    return over


class Publisher:
    """Sends numbered messages to groups from a daemon thread's event loop (one per process), in the
    order submitted per group; `submit` never blocks and never raises."""

    def __init__(self, layer, *, concurrency: int, batch: int, attempts: int, backoff: float) -> None:
        self.layer, self.concurrency, self.batch = layer, concurrency, batch
        self.attempts, self.backoff = attempts, backoff
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.queue: collections.deque = collections.deque()
        self.ready = asyncio.Event()
        self.dropped = 0
        threading.Thread(target=self._run_forever, name="live-publisher", daemon=True).start()

    def _run_forever(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._drain())

    def submit(self, groups: list[str], message: Mapping[str, Any]) -> None:
        self.queue.append((groups, message))  # deque.append is thread-safe
        self.loop.call_soon_threadsafe(self.ready.set)

    def flush(self, timeout: float) -> bool:
        """Wait until everything submitted before the call was sent (or given up); False on timeout."""
        done: concurrent.futures.Future = concurrent.futures.Future()
        self.queue.append((None, done))
        self.loop.call_soon_threadsafe(self.ready.set)
        try:
            done.result(timeout)
        except concurrent.futures.TimeoutError:
            return False
        return True

    async def _drain(self) -> None:
        limit = asyncio.Semaphore(self.concurrency)
        while True:
            await self.ready.wait()
            self.ready.clear()
            while self.queue:
                by_group: dict[str, list[dict]] = {}
                flushed: list[concurrent.futures.Future] = []
                taken = 0
                while self.queue and taken < self.batch:
                    groups, message = self.queue.popleft()
                    if groups is None:
                        flushed.append(message)
                        break  # everything before the flush marker goes in this round
                    taken += 1
                    for group in groups:
                        by_group.setdefault(group, []).append(message)
                await asyncio.gather(*(self._deliver(limit, group, messages) for group, messages in by_group.items()))
                for future in flushed:
                    future.set_result(None)

    async def _deliver(self, limit: asyncio.Semaphore, group: str, messages: list[dict]) -> None:
        async with limit:
            numbered: list[dict] | None = None
            for attempt in range(self.attempts):
                try:
                    if numbered is None:  # numbered once: a retry sends the same numbers
                        first = await number(self.layer, group, len(messages))
                        numbered = [{**m, "group": group, "seq": first + i} for i, m in enumerate(messages)]
                    over = await group_send_many(self.layer, group, numbered)
                    if over:
                        logger.warning("Live feed: %s deliveries to full channels of %s were dropped", over, group)
                    return
                except Exception as error:
                    if attempt + 1 == self.attempts:
                        self.dropped += len(messages)
                        logger.error(
                            "Live feed: gave up sending %s message(s) to %s after %s attempts; consoles resync "
                            "on the gap in its numbers",
                            len(messages), group, self.attempts, exc_info=error,
                        )  # fmt: skip
                        return
                    await asyncio.sleep(min(self.backoff * 2**attempt, 2.0))


_publisher: Publisher | None = None
_publisher_lock = threading.Lock()


def publisher(layer, **options) -> Publisher:
    """The process's publisher for `layer` (a new one after a fork, or for another layer in tests)."""
    global _publisher
    with _publisher_lock:
        if _publisher is None or _publisher.pid != os.getpid() or _publisher.layer is not layer:
            _publisher = Publisher(layer, **options)
        return _publisher


@atexit.register
def _flush_at_exit() -> None:
    if _publisher is not None and _publisher.pid == os.getpid():
        _publisher.flush(timeout=5)
