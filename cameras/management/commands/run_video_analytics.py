"""Analyse the cameras' detect streams and pull the events of ONVIF cameras: claims cameras by lease and
runs them until stopped (SIGTERM or Ctrl-C stop it in order, closing the ONVIF subscriptions and
releasing its leases). Run several, on several hosts, to carry more cameras."""

import signal
import threading

from django.core.management.base import BaseCommand

from cameras.video.worker import VideoWorker, worker_name


class Command(BaseCommand):
    help = "Run the video analytics of the cameras this process wins the lease of."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--max-cameras", type=int, default=50, help="The most cameras this process analyses")
        parser.add_argument("--name", default="", help="This worker's name in the leases (default host:pid)")

    def handle(self, *args, **options) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        worker = VideoWorker(name=options["name"] or worker_name(), capacity=options["max_cameras"])
        self.stdout.write(f"Video analytics {worker.name}: up to {worker.capacity} cameras.")
        worker.run(stop)
