"""The SIA DC-09 receiver: TCP and UDP on asyncio, one frame at a time per connection, database work in
a thread pool so that no connection, slow or hostile, holds up another.

Frames from all connections go into one queue; a few batchers each take whatever has queued up and hand
it to `frames_receive`, which commits the lot in one transaction before any ACK is sent. Under light load
a batch is one frame; under heavy load batches grow and the commit is paid once per batch. If the
database fails, the frames get no answer at all and the panels repeat them: an alarm is never
acknowledged and then lost.
"""

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.db import close_old_connections

from alarms import dc09
from alarms.services import Incoming, Received, frames_receive

logger = logging.getLogger(__name__)

IDLE_TIMEOUT_SECONDS = 300  # panels keep connections open between frames; a silent socket is closed
BATCH_MAX_FRAMES = 64


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


class Receiver:
    def __init__(self, *, host: str, port: int, workers: int = 4, reuse_port: bool = False) -> None:
        self.host, self.port, self.reuse_port = host, port, reuse_port
        self.workers = workers
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sia")
        self.tcp_server: asyncio.AbstractServer | None = None
        self.udp_transport: asyncio.DatagramTransport | None = None
        self.queue: asyncio.Queue[tuple[Incoming, asyncio.Future]] | None = None
        self.batchers: list[asyncio.Task] = []

    async def _batcher(self) -> None:
        assert self.queue is not None
        # sync_to_async, not run_in_executor: the worker thread then publishes live changes on this loop.
        handle = sync_to_async(_handle, thread_sensitive=False, executor=self.executor)
        while True:
            batch = [await self.queue.get()]
            while len(batch) < BATCH_MAX_FRAMES and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                results = await handle([incoming for incoming, _future in batch])
            except Exception:  # never let the batcher die
                logger.exception("Batch handling failed")
                results = [None] * len(batch)
            for (_incoming, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def handle_frame(self, raw: bytes, transport: str, peer: str) -> bytes | None:
        assert self.queue is not None, "start() the receiver first"
        future = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((Incoming(raw, transport, peer), future))
        received = await future
        if received is None:
            return None
        if received.outcome != "ack":
            logger.info("%s from %s: %s", received.outcome.upper(), peer, received.reason)
        return received.response

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = "{}:{}".format(*writer.get_extra_info("peername")[:2])
        buffer = bytearray()
        try:
            while True:
                chunk = await asyncio.wait_for(reader.read(4096), timeout=IDLE_TIMEOUT_SECONDS)
                if not chunk:
                    break
                buffer += chunk
                for raw in dc09.split_frames(buffer):
                    response = await self.handle_frame(raw, "tcp", peer)
                    if response:
                        writer.write(response)
                        await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        except Exception:
            logger.exception("TCP connection from %s failed", peer)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def start(self) -> None:
        self.queue = asyncio.Queue()
        self.batchers = [asyncio.create_task(self._batcher()) for _ in range(self.workers)]
        # reuse_port: several receiver processes share the port, the kernel spreads connections over them.
        self.tcp_server = await asyncio.start_server(
            self._serve_tcp, self.host, self.port, reuse_port=self.reuse_port or None
        )
        self.port = self.tcp_server.sockets[0].getsockname()[1]  # the real one when asked for port 0
        loop = asyncio.get_running_loop()
        self.udp_transport, _protocol = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self), local_addr=(self.host, self.port), reuse_port=self.reuse_port or None
        )
        logger.info("SIA DC-09 receiver listening on %s:%s (TCP and UDP)", self.host, self.port)

    async def stop(self) -> None:
        if self.tcp_server is not None:
            self.tcp_server.close()
            await self.tcp_server.wait_closed()
        if self.udp_transport is not None:
            self.udp_transport.close()
        for batcher in self.batchers:
            batcher.cancel()
        await asyncio.gather(*self.batchers, return_exceptions=True)
        self.executor.shutdown(wait=True)

    async def serve_forever(self) -> None:
        await self.start()
        try:
            await asyncio.Event().wait()
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
        task = asyncio.get_running_loop().create_task(self._answer(data, address))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _answer(self, data: bytes, address) -> None:
        peer = "{}:{}".format(*address[:2])
        for raw in dc09.split_frames(bytearray(data)):
            response = await self.receiver.handle_frame(raw, "udp", peer)
            if response and self.transport is not None:
                self.transport.sendto(response, address)
