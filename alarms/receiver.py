"""The SIA DC-09 receiver: TCP and UDP on asyncio, one frame at a time per connection, database work in
a thread pool so that no connection, slow or hostile, holds up another.

Frames are checked (delimiters, length, CRC, header) on the event loop as they arrive; what is no frame
never reaches the database: it is counted per source address in memory and written as one tally row
per address every few seconds (`RefusedInput`). Sound frames go into a bounded queue where frames of
known accounts go before noise (unknown accounts); a few batchers each take whatever has queued up and
hand it to `frames_receive`, which commits the lot in one transaction before any ACK is sent. If the
database fails, the frames get no answer at all and the panels repeat them: an alarm is never
acknowledged and then lost.

Alerts are raised after the ACKs, not before: an alarm's event is committed marked `alert_pending`, the
ACKs go out, and the batch hands its panels to the process's alerter, which raises their alerts
(`events_alert`) while the batchers go on taking frames; panels that came due while it was busy are
settled together in its next transaction. A panic costs the other panels no more than a link test does,
holds no panel's lock while its alert is raised, and its alert never waits behind other panels' frames.
A receiver that dies in between leaves the mark; the sweep (at start, then every few seconds here, and
from beat) raises what was left, exactly once.

Hostile peers are bounded everywhere: connections in total (below the file-descriptor limit, so a new
panel is always accepted or refused, never left hanging) and per address; a frame must complete within
`SIA_FRAME_SECONDS` of its first byte; a connection is closed after `SIA_MAX_BAD_FRAMES` bad frames;
UDP datagrams in flight and queued frames are capped, and beyond the caps input is dropped unanswered.
"""

import asyncio
import contextlib
import logging
import os
import resource
import signal
import threading
import time
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from alarms import dc09
from alarms.selectors import accounts_receiving
from alarms.services import (
    Incoming,
    Received,
    Refusal,
    events_alert,
    frames_receive,
    peer_address,
    refusals_record,
    sample_text,
)

logger = logging.getLogger(__name__)

IDLE_TIMEOUT_SECONDS = 300  # panels keep connections open between frames; a silent socket is closed
BATCH_MAX_FRAMES = 64
STOP_SECONDS = 5  # how long a stopping receiver lets its batches finish
ACCOUNTS_REFRESH_SECONDS = 30
FD_RESERVE = 64  # descriptors kept for the database, Redis, logs and the listening sockets
MAX_TALLIED_ADDRESSES = 10_000  # a spoofed UDP flood may come from everywhere: the rest share one tally
OTHERS = "(other addresses)"


def _handle(batch: list[Incoming]) -> list[Received | None]:
    close_old_connections()  # drop a connection the database has closed (it reconnects on use)
    try:
        return list(frames_receive(batch))
    except Exception:
        if len(batch) == 1:
            logger.exception("Frame from %s not handled; no answer, the panel will repeat it", batch[0].peer)
            return [None]
        # One bad frame must not hold up the others: each on its own.
        logger.exception("A batch of %d frames failed; handling them one by one", len(batch))
        return [result for incoming in batch for result in _handle([incoming])]
    finally:
        close_old_connections()  # as at the end of a request: keeps only healthy persistent connections


def _alert(panels: set[int] | None, received_before: datetime | None = None) -> int:
    close_old_connections()
    try:
        return events_alert(panels=panels, received_before=received_before)
    finally:
        close_old_connections()


def _connect(barrier: threading.Barrier) -> None:
    """Open this worker thread's database connection, waiting at the barrier so that each call of a batch
    runs in a thread of its own."""
    barrier.wait(timeout=30)
    connection.ensure_connection()


def _disconnect(barrier: threading.Barrier) -> None:
    barrier.wait(timeout=10)
    connection.close()


def _in_thread(function):
    def run(*args):
        close_old_connections()
        try:
            return function(*args)
        finally:
            close_old_connections()

    return run


class FrameQueue:
    """Frames waiting for a batcher: those of known accounts first, noise (unknown accounts) after; each
    kind bounded, and a frame beyond the bound is refused at once (it gets no answer; a panel repeats)."""

    def __init__(self, *, known_max: int, noise_max: int) -> None:
        self.known: deque = deque()
        self.noise: deque = deque()
        self.known_max, self.noise_max = known_max, noise_max
        self.ready = asyncio.Event()
        self.closed = False  # stopping: nothing more is taken, what is queued is still handed out

    def close(self) -> None:
        self.closed = True
        self.ready.set()

    def __len__(self) -> int:
        return len(self.known) + len(self.noise)

    def put(self, item, *, known: bool) -> bool:
        queue, bound = (self.known, self.known_max) if known else (self.noise, self.noise_max)
        if self.closed or len(queue) >= bound:
            return False
        queue.append(item)
        self.ready.set()
        return True

    async def get_batch(self, limit: int) -> list:
        """What has queued up, at most `limit`; waits for some, or returns [] once closed and empty."""
        while not self:
            if self.closed:
                return []
            self.ready.clear()
            await self.ready.wait()
        batch: list = []
        for queue in (self.known, self.noise):
            while queue and len(batch) < limit:
                batch.append(queue.popleft())
        return batch


@dataclass
class _Tally:
    transport: str
    reasons: Counter
    sample: bytes
    account: str
    at: datetime


class Receiver:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        workers: int = 1,
        reuse_port: bool = False,
        max_connections: int | None = None,
        max_connections_per_peer: int | None = None,
        max_bad_frames: int | None = None,
        frame_seconds: float | None = None,
        udp_max_in_flight: int | None = None,
        queue_max: int | None = None,
        queue_noise_max: int | None = None,
        refusal_flush_seconds: float | None = None,
    ) -> None:
        self.host, self.port, self.reuse_port = host, port, reuse_port
        self.workers = workers
        self.max_connections = max_connections or settings.SIA_MAX_CONNECTIONS
        self.max_connections_per_peer = max_connections_per_peer or settings.SIA_MAX_CONNECTIONS_PER_PEER
        self.max_bad_frames = max_bad_frames or settings.SIA_MAX_BAD_FRAMES
        self.frame_seconds = frame_seconds or settings.SIA_FRAME_SECONDS
        self.udp_max_in_flight = udp_max_in_flight or settings.SIA_UDP_MAX_IN_FLIGHT
        self.queue_max = queue_max or settings.SIA_QUEUE_MAX
        self.queue_noise_max = queue_noise_max or settings.SIA_QUEUE_NOISE_MAX
        self.refusal_flush_seconds = refusal_flush_seconds or settings.SIA_REFUSAL_FLUSH_SECONDS
        self.executor = ThreadPoolExecutor(max_workers=workers + 2, thread_name_prefix="sia")
        self.tcp_server: asyncio.AbstractServer | None = None
        self.udp_transport: asyncio.DatagramTransport | None = None
        self.udp_protocol: _UdpProtocol | None = None
        self.queue: FrameQueue | None = None
        self.batchers: list[asyncio.Task] = []
        self.alerter: asyncio.Task | None = None
        self.tasks: list[asyncio.Task] = []  # the housekeeper
        self.known_accounts: frozenset[str] = frozenset()
        self.connections: Counter[str] = Counter()
        self.tallies: dict[str, _Tally] = {}
        self.dropped = 0  # frames and datagrams dropped over a bound, since the start
        self.alerts_due: set[int] = set()  # panels whose committed events wait for the alerter
        self.alerts_ready: asyncio.Event | None = None
        self.alerts_closing = False  # the batchers are done: the alerter ends once nothing is due

    # --- refusals: counted in memory, written as one row per address now and then ---

    def refuse(self, peer: str, transport: str, reason: str, raw: bytes = b"", account: str = "") -> None:
        address = peer_address(peer)
        if address not in self.tallies and len(self.tallies) >= MAX_TALLIED_ADDRESSES:
            address = OTHERS
        tally = self.tallies.get(address)
        if tally is None:
            tally = self.tallies[address] = _Tally(transport, Counter(), b"", "", timezone.now())
        tally.reasons[reason] += 1
        tally.transport, tally.sample, tally.at = transport, raw[:200], timezone.now()
        tally.account = account or tally.account

    async def flush_refusals(self) -> None:
        tallies, self.tallies = self.tallies, {}
        refusals = [
            Refusal(
                address=address[:64],
                transport=tally.transport,
                reason=reason[:200],
                sample=sample_text(tally.sample),
                at=tally.at,
                account=tally.account[:16],
                count=count,
            )
            for address, tally in tallies.items()
            for reason, count in tally.reasons.items()
        ]
        if refusals:
            try:
                await sync_to_async(_in_thread(refusals_record), thread_sensitive=False, executor=self.executor)(
                    refusals
                )
            except Exception:
                logger.exception("Could not record %d refusals", len(refusals))

    async def _in_every_thread(self, function) -> list:
        threads = self.workers + 2  # the executor's size: batchers, the alerter, the housekeeper
        barrier = threading.Barrier(threads)
        calls = [asyncio.wrap_future(self.executor.submit(function, barrier)) for _ in range(threads)]
        return await asyncio.gather(*calls, return_exceptions=True)

    async def connect(self) -> None:
        """Every worker thread opens its database connection before the first panel is heard: the first
        frames after a start do not wait for connections. A database that is down is no reason not to
        listen (each frame then connects, or goes unanswered and is repeated)."""
        for outcome in await self._in_every_thread(_connect):
            if isinstance(outcome, Exception):
                logger.warning("A worker could not connect to the database at start: %s", outcome)
                break

    async def refresh_accounts(self) -> None:
        try:
            accounts = await sync_to_async(
                _in_thread(accounts_receiving), thread_sensitive=False, executor=self.executor
            )()
        except Exception:
            logger.exception("Could not read the panels' accounts; keeping the last ones")
            return
        self.known_accounts = frozenset(accounts)

    async def sweep_alerts(self, *, received_before: datetime | None = None) -> None:
        """Raise the alerts of events committed without them (this receiver or another died before it
        raised them): all of them, or those pending since before `received_before`."""
        try:
            settled = await sync_to_async(_alert, thread_sensitive=False, executor=self.executor)(None, received_before)
        except Exception:
            logger.exception("The sweep of pending alarm alerts failed; trying again later")
            return
        if settled:
            logger.warning("Raised the alerts of %d events committed without them", settled)

    async def _housekeeper(self) -> None:
        last_refresh = time.monotonic()
        await self.sweep_alerts()  # what a receiver that died left behind
        while True:
            await asyncio.sleep(self.refusal_flush_seconds)
            await self.flush_refusals()
            # Not what a batcher is raising right now: only what has been pending past the delay.
            await self.sweep_alerts(
                received_before=timezone.now() - timedelta(seconds=settings.SIA_ALERT_SWEEP_AFTER_SECONDS)
            )
            if self.dropped:
                logger.warning("%d frames or datagrams dropped over the receiver's bounds so far", self.dropped)
            if time.monotonic() - last_refresh >= ACCOUNTS_REFRESH_SECONDS:
                await self.refresh_accounts()
                last_refresh = time.monotonic()

    # --- frames ---

    async def _batcher(self) -> None:
        assert self.queue is not None
        # sync_to_async, not run_in_executor: the worker thread then publishes live changes on this loop.
        handle = sync_to_async(_handle, thread_sensitive=False, executor=self.executor)
        while batch := await self.queue.get_batch(BATCH_MAX_FRAMES):
            try:
                results = await handle([incoming for incoming, _future in batch])
            except Exception:  # never let the batcher die
                logger.exception("Batch handling failed")
                results = [None] * len(batch)
            for (_incoming, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
            due = {result.alert_panel for result in results if result is not None and result.alert_panel is not None}
            if due:
                assert self.alerts_ready is not None
                self.alerts_due |= due
                self.alerts_ready.set()

    async def _alerter(self) -> None:
        """Raise the alerts of the panels the batchers committed events for, all that are due at once."""
        assert self.alerts_ready is not None
        # sync_to_async, not run_in_executor: the worker thread then publishes live changes on this loop.
        alert = sync_to_async(_alert, thread_sensitive=False, executor=self.executor)
        while True:
            await self.alerts_ready.wait()
            self.alerts_ready.clear()
            due, self.alerts_due = self.alerts_due, set()
            if due:
                try:
                    await alert(due)
                except Exception:  # the events stay pending: the sweep raises their alerts
                    logger.exception("Raising the alerts of %d panels failed; the sweep will", len(due))
            if self.alerts_closing and not self.alerts_due:
                return

    def check(self, raw: bytes, transport: str, peer: str) -> dc09.Frame | None:
        """The frame read from `raw`, or None (counted as refused) when it is none."""
        try:
            return dc09.parse_frame(raw)
        except dc09.FrameError as error:
            self.refuse(peer, transport, str(error), raw)
            return None

    async def handle_frame(
        self, raw: bytes, transport: str, peer: str, frame: dc09.Frame | None = None
    ) -> bytes | None:
        assert self.queue is not None, "start() the receiver first"
        if frame is None:
            frame = self.check(raw, transport, peer)
            if frame is None:
                return None
        future = asyncio.get_running_loop().create_future()
        known = (frame.account or "") in self.known_accounts
        if not self.queue.put((Incoming(raw, transport, peer, frame), future), known=known):
            self.dropped += 1
            self.refuse(peer, transport, "dropped: the receiver's queue is full", raw, frame.account or "")
            return None
        received = await future
        if received is None:
            return None
        if received.outcome != "ack":
            logger.info("%s from %s: %s", received.outcome.upper(), peer, received.reason)
        return received.response

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = "{}:{}".format(*writer.get_extra_info("peername")[:2])
        address = peer_address(peer)
        if sum(self.connections.values()) >= self.max_connections:
            self.refuse(peer, "tcp", "connection refused: too many connections")
            return await self._close(writer)
        if self.connections[address] >= self.max_connections_per_peer:
            self.refuse(peer, "tcp", "connection refused: too many connections from this address")
            return await self._close(writer)
        self.connections[address] += 1
        splitter, bad, frame_started = dc09.Splitter(), 0, None
        try:
            while True:
                now = time.monotonic()
                timeout: float = IDLE_TIMEOUT_SECONDS
                if frame_started is not None:
                    timeout = frame_started + self.frame_seconds - now
                    if timeout <= 0:
                        reason = f"frame not completed within {self.frame_seconds:g} s"
                        self.refuse(peer, "tcp", reason, bytes(splitter.buffer))
                        break
                try:
                    chunk = await asyncio.wait_for(reader.read(4096), timeout=timeout)
                except TimeoutError:
                    if frame_started is None:
                        break  # idle: a panel reconnects when it has something to say
                    continue  # the frame's own deadline is checked above
                if not chunk:
                    break
                discarded = splitter.discarded
                raws = splitter.feed(chunk)
                if splitter.discarded > discarded:
                    bad += splitter.discarded - discarded
                    self.refuse(peer, "tcp", "bytes outside any frame", chunk)
                for raw in raws:
                    if bad >= self.max_bad_frames:
                        break  # the rest of a hostile read is not even looked at
                    frame = self.check(raw, "tcp", peer)
                    if frame is None:
                        bad += 1
                        continue
                    response = await self.handle_frame(raw, "tcp", peer, frame)
                    if response:
                        writer.write(response)
                        await writer.drain()
                if bad >= self.max_bad_frames:
                    self.refuse(peer, "tcp", f"connection closed after {bad} bad frames")
                    break
                if not splitter.pending:
                    frame_started = None
                elif raws or frame_started is None:
                    frame_started = now  # a new frame began in this read (bytes that never complete one keep the old)
        except (TimeoutError, ConnectionError):
            pass
        except Exception:
            logger.exception("TCP connection from %s failed", peer)
        finally:
            self.connections[address] -= 1
            if self.connections[address] <= 0:
                del self.connections[address]
            await self._close(writer)

    @staticmethod
    async def _close(writer: asyncio.StreamWriter) -> None:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()

    async def start(self) -> None:
        # Never run into the descriptor limit: there, accept() fails and the kernel completes handshakes
        # nobody answers. Below it, a panel over the cap is accepted and closed, and tries again.
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY:
            in_use = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0
            self.max_connections = max(1, min(self.max_connections, soft - in_use - FD_RESERVE))
        self.queue = FrameQueue(known_max=self.queue_max, noise_max=self.queue_noise_max)
        await self.connect()
        await self.refresh_accounts()
        self.alerts_ready = asyncio.Event()
        self.batchers = [asyncio.create_task(self._batcher()) for _ in range(self.workers)]
        self.alerter = asyncio.create_task(self._alerter())
        self.tasks = [asyncio.create_task(self._housekeeper())]
        # reuse_port: several receiver processes share the port, the kernel spreads connections over them.
        self.tcp_server = await asyncio.start_server(
            self._serve_tcp, self.host, self.port, reuse_port=self.reuse_port or None
        )
        self.port = self.tcp_server.sockets[0].getsockname()[1]  # the real one when asked for port 0
        loop = asyncio.get_running_loop()
        self.udp_transport, self.udp_protocol = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self), local_addr=(self.host, self.port), reuse_port=self.reuse_port or None
        )
        logger.info(
            "SIA DC-09 receiver listening on %s:%s (TCP and UDP), at most %d connections",
            self.host,
            self.port,
            self.max_connections,
        )

    async def stop(self) -> None:
        if self.tcp_server is not None:
            self.tcp_server.close()
            await self.tcp_server.wait_closed()
        # Batches in hand are committed and answered, what is queued too; then the batchers end. Only
        # past the bound are they cancelled: their frames then go unanswered (the panels repeat) and the
        # sweep raises what they committed.
        if self.queue is not None:
            self.queue.close()
        if self.batchers:
            _done, late = await asyncio.wait(self.batchers, timeout=STOP_SECONDS)
            for task in late:
                task.cancel()
        # Then the alerter raises what is due and ends (cancelled, a call it had not yet handed to its thread
        # would be lost until the sweep).
        if self.alerter is not None and self.alerts_ready is not None:
            self.alerts_closing = True
            self.alerts_ready.set()
            _done, late = await asyncio.wait([self.alerter], timeout=STOP_SECONDS)
            for task in late:
                task.cancel()
        if self.udp_transport is not None:  # after the batchers: their UDP answers still go out
            self.udp_transport.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(
            *self.batchers, *([self.alerter] if self.alerter else []), *self.tasks, return_exceptions=True
        )
        if self.alerts_due:  # ACKed, committed, and not yet raised: raise them before going (else the sweep will)
            due, self.alerts_due = self.alerts_due, set()
            try:
                await sync_to_async(_alert, thread_sensitive=False, executor=self.executor)(due)
            except Exception:
                logger.exception("Raising the alerts of %d panels at stop failed; the sweep will", len(due))
        await self.flush_refusals()
        await self._in_every_thread(_disconnect)  # the connections are the threads' own: closed with them
        # Not on the loop: a worker thread may still be publishing an alert through this very loop.
        await asyncio.get_running_loop().run_in_executor(None, self.executor.shutdown, True)

    async def serve_forever(self) -> None:
        """Serve until SIGTERM or SIGINT, then stop in order (`stop`): what was taken is answered, what
        was answered gets its alert."""
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        await self.start()
        try:
            await stopping.wait()
        finally:
            await self.stop()


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.transport: asyncio.DatagramTransport | None = None
        self.tasks: set[asyncio.Task] = set()

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, address) -> None:
        # Checked here, on the loop: garbage never becomes a task, and tasks in flight are bounded.
        peer = "{}:{}".format(*address[:2])
        splitter = dc09.Splitter()
        raws = splitter.feed(data)
        if splitter.discarded or (splitter.pending and not raws):
            self.receiver.refuse(peer, "udp", "bytes outside any frame", data)
        frames = [(raw, frame) for raw in raws if (frame := self.receiver.check(raw, "udp", peer)) is not None]
        if not frames:
            return
        if len(self.tasks) >= self.receiver.udp_max_in_flight:
            self.receiver.dropped += 1
            self.receiver.refuse(peer, "udp", "dropped: too many datagrams in flight", data)
            return
        task = asyncio.get_running_loop().create_task(self._answer(frames, address, peer))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _answer(self, frames, address, peer: str) -> None:
        for raw, frame in frames:
            response = await self.receiver.handle_frame(raw, "udp", peer, frame)
            if response and self.transport is not None:
                self.transport.sendto(response, address)
