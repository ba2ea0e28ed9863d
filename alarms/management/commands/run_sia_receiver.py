"""Run the SIA DC-09 receiver (TCP and UDP) for the oblast's alarm panels.

With `--processes N` the command supervises N receiver processes sharing the port: each child asks the
kernel to kill it when the parent dies (prctl PR_SET_PDEATHSIG), so a killed parent leaves no orphan
holding the port; and a child that dies is logged and started again, so capacity never halves silently.
"""

import asyncio
import contextlib
import ctypes
import ctypes.util
import gc
import logging
import multiprocessing
import os
import resource
import signal
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from alarms.receiver import Receiver

logger = logging.getLogger("alarms.receiver")

PR_SET_PDEATHSIG = 1
RESTART_PAUSE_SECONDS = 1.0  # a child that dies at once (a port taken, say) is not restarted in a tight loop


def _raise_descriptor_limit() -> None:
    """Every panel's connection is a descriptor: take the hard limit the system grants (compose raises it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _die_with(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            logger.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _serve(host: str, port: int, workers: int, reuse_port: bool, parent_pid: int | None = None) -> None:
    if parent_pid is not None:
        _die_with(parent_pid)
        signal.signal(signal.SIGTERM, _interrupt)
    receiver = Receiver(host=host, port=port, workers=workers, reuse_port=reuse_port)
    # What start-up loaded (Django, the apps, the codes) lives as long as the process: out of the
    # collector's sight, a full collection no longer walks it while frames wait.
    gc.freeze()
    # Once it runs, the loop takes SIGTERM and SIGINT itself and stops in order (Receiver.serve_forever).
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(receiver.serve_forever())


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Receive SIA DC-09 frames from alarm panels over TCP and UDP; ACK only what is committed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="0.0.0.0")  # noqa: S104 - panels connect from the network
        parser.add_argument("--port", type=int, default=12128)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Batches in the database at once, per process (one batch takes all that queued meanwhile; "
            "bench/sia.py measured 1 faster than 2 or 4). Alerts are raised by a worker of their own.",
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
        if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
            # The same few statements run on these connections all day: bound on the server and prepared
            # after their second use, PostgreSQL plans each once (planning the alert lookup's joins cost
            # more than running it). No connection pooler sits between the receiver and the database.
            settings.DATABASES["default"].setdefault("OPTIONS", {}).update(
                {"server_side_binding": True, "prepare_threshold": 2}
            )
        _raise_descriptor_limit()
        self.stdout.write(
            f"SIA DC-09 receiver on {host}:{port} (TCP and UDP), {processes} process(es); Ctrl-C stops it."
        )
        self.stdout.flush()
        if processes == 1:
            signal.signal(signal.SIGTERM, _interrupt)
            _serve(host, port, workers, False)
            return
        self._supervise(host, port, workers, processes)

    def _supervise(self, host: str, port: int, workers: int, processes: int) -> None:
        # Forked with no database connection or event loop open, so the children share neither.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        parent_pid = os.getpid()

        def spawn() -> multiprocessing.process.BaseProcess:
            child = context.Process(target=_serve, args=(host, port, workers, True, parent_pid), daemon=True)
            child.start()
            return child

        children = [spawn() for _ in range(processes)]
        logger.info("Receiver processes started: %s", ", ".join(str(child.pid) for child in children))
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            while True:
                time.sleep(RESTART_PAUSE_SECONDS)
                for index, child in enumerate(children):
                    if child.is_alive():
                        continue
                    replacement = spawn()
                    logger.error(
                        "Receiver process %s exited (code %s); restarted as %s",
                        child.pid,
                        child.exitcode,
                        replacement.pid,
                    )
                    children[index] = replacement
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                child.terminate()
            for child in children:
                child.join(10)
