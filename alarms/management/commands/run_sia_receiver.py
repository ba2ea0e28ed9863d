"""Run the SIA DC-09 receiver (TCP and UDP) for the oblast's alarm panels."""

import asyncio
import contextlib
import multiprocessing
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alarms.receiver import Receiver


def _serve(host: str, port: int, workers: int, reuse_port: bool) -> None:
    receiver = Receiver(host=host, port=port, workers=workers, reuse_port=reuse_port)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(receiver.serve_forever())


class Command(BaseCommand):
    help = "Receive SIA DC-09 frames from alarm panels over TCP and UDP; ACK only what is committed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="0.0.0.0")  # noqa: S104 - panels connect from the network
        parser.add_argument("--port", type=int, default=12128)
        parser.add_argument(
            "--workers", type=int, default=4, help="Transactions at once (threads doing database work), per process."
        )
        parser.add_argument(
            "--processes", type=int, default=1, help="Receiver processes sharing the port (one per core, at most)."
        )

    def handle(self, *args, host: str, port: int, workers: int, processes: int, **options) -> None:
        if processes < 1 or (processes > 1 and port == 0):
            raise CommandError("--processes must be at least 1, and several processes need a fixed --port.")
        # Long-lived connections, one per worker thread. No health check before each frame (a round trip
        # per frame): after an outage the first frame fails unanswered, the broken connection is closed,
        # and the panel's repeat finds a new one.
        settings.DATABASES["default"]["CONN_MAX_AGE"] = None
        self.stdout.write(
            f"SIA DC-09 receiver on {host}:{port} (TCP and UDP), {processes} process(es); Ctrl-C stops it."
        )
        self.stdout.flush()
        reuse_port = processes > 1
        # Forked before any database connection or event loop exists, so the children share neither.
        children = [
            multiprocessing.Process(target=_serve, args=(host, port, workers, reuse_port), daemon=True)
            for _ in range(processes - 1)
        ]
        for child in children:
            child.start()
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        try:
            _serve(host, port, workers, reuse_port)
        finally:
            for child in children:
                child.terminate()
            for child in children:
                child.join(10)
