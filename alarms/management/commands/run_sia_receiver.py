"""Run the SIA DC-09 receiver (TCP and UDP) for the oblast's alarm panels."""

import asyncio
import contextlib

from django.conf import settings
from django.core.management.base import BaseCommand

from alarms.receiver import Receiver


class Command(BaseCommand):
    help = "Receive SIA DC-09 frames from alarm panels over TCP and UDP; ACK only what is committed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="0.0.0.0")  # noqa: S104 - panels connect from the network
        parser.add_argument("--port", type=int, default=12128)
        parser.add_argument("--workers", type=int, default=16, help="Threads doing database work.")

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        # Long-lived, health-checked connections: one per worker thread, re-opened after an outage.
        settings.DATABASES["default"]["CONN_MAX_AGE"] = None
        settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        receiver = Receiver(host=host, port=port, workers=workers)
        self.stdout.write(f"SIA DC-09 receiver on {host}:{port} (TCP and UDP); Ctrl-C stops it.")
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(receiver.serve_forever())
