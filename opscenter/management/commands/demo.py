"""The live demo in one process: Daphne serving the platform, with escalation and simulated traffic
running as asyncio tasks inside Daphne's event loop.

The background work calls the synchronous services through `sync_to_async`, so that their after-commit
publishes (`async_to_sync` inside) run on Daphne's loop and reach the in-memory channel layer that the
websocket consumers listen on. Production runs the same work in Celery beat and worker instead.
"""

import asyncio
import logging
import os
import random
import threading
from collections.abc import Callable

from asgiref.sync import sync_to_async
from daphne.endpoints import build_endpoint_description_strings
from daphne.server import Server
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.db.migrations.executor import MigrationExecutor

from opscenter import demo
from opscenter.models import User
from opscenter.services import live
from opscenter.services.alerts import alerts_escalate_overdue
from opscenter.services.audit_chain import audit_seal

logger = logging.getLogger("opscenter.demo")

ESCALATION_EVERY_SECONDS = 5.0
AUDIT_SEAL_EVERY_SECONDS = 60.0  # as beat does (settings.CELERY_BEAT_SCHEDULE["seal-audit"])


class Command(BaseCommand):
    help = "Run the live demo: Daphne, escalation and simulated alerts, all in this one process."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("DEMO_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8000")))
        parser.add_argument(
            "--no-simulate", action="store_false", dest="simulate", help="Serve and escalate, raise no alerts."
        )
        parser.add_argument(
            "--every", type=float, default=6.0, help="Mean seconds between two rounds of simulated traffic."
        )
        parser.add_argument("--seed", type=int, default=None, help="Seed of the simulator, for a repeatable run.")

    def handle(self, *args, **options) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not migrated: run `python manage.py migrate` first (bin/demo does).")
        connection.close()  # the server's threads open their own
        from opscenter.asgi import application

        self.options = options
        self.tasks: list[asyncio.Task] = []
        self.threads: list[threading.Thread] = []
        self.stop = threading.Event()
        server = Server(
            application=application,
            endpoints=build_endpoint_description_strings(host=options["host"], port=options["port"]),
            signal_handlers=True,
            ready_callable=self._ready,
        )
        server.run()
        self.stdout.write("Demo stopped.")

    def _ready(self) -> None:
        """Called by Daphne once it listens, just before its event loop starts."""
        from twisted.internet import reactor

        loop = asyncio.get_event_loop()
        self.tasks.append(loop.create_task(_every(ESCALATION_EVERY_SECONDS, _escalate, "escalation")))
        self.tasks.append(loop.create_task(_every(AUDIT_SEAL_EVERY_SECONDS, audit_seal, "audit seal")))
        if self.options["simulate"]:
            self.tasks.append(loop.create_task(_simulate(self.options["every"], self.options["seed"])))
            live.serve_in_memory_on(loop)
            for name, run in demo.registered_backgrounds().items():
                thread = threading.Thread(
                    target=_background, args=(name, run, self.stop), name=f"demo-{name}", daemon=True
                )
                thread.start()
                self.threads.append(thread)
        # twisted types the reactor by its zope interface, whose methods are declared without self
        reactor.addSystemEventTrigger("before", "shutdown", self._cancel_tasks)  # type: ignore[arg-type]
        self._print_welcome()

    def _cancel_tasks(self) -> None:
        for task in self.tasks:
            task.cancel()
        self.stop.set()
        live.serve_in_memory_on(None)  # the threads' last publishes must not wait on this very loop
        for thread in self.threads:
            thread.join(timeout=10)

    def _print_welcome(self) -> None:
        host = self.options["host"]
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        if ":" in shown_host:
            shown_host = f"[{shown_host.strip('[]')}]"
        url = f"http://{shown_host}:{self.options['port']}/"
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS(f"Opscenter demo: {url}"))
        write(f"  admin {url}admin/   API {url}api/v1/alerts/   docs {url}api/v1/docs/")
        write("Logins (username, password, role, scope):")
        for line in demo.demo_user_lines():
            write(line)
        if not User.objects.filter(username=demo.DEMO_USERS[0].username).exists():
            write(self.style.WARNING("The demo users do not exist yet: run `python manage.py demo_setup`."))
        simulated = f"on, every ~{self.options['every']:.0f} s" if self.options["simulate"] else "off"
        write(f"Simulated alerts: {simulated}. Escalation: every {ESCALATION_EVERY_SECONDS:.0f} s.")
        if not settings.REDIS_URL:
            write("Embedded default: live updates reach screens served by this process only. Ctrl-C stops.")
        write("")
        close_old_connections()


def _fresh_connection(function: Callable[[], object]) -> Callable[[], object]:
    """Run `function` as a request would: with a usable database connection, closed if it went stale."""

    def run() -> object:
        close_old_connections()
        try:
            return function()
        finally:
            close_old_connections()

    return run


async def _call(function: Callable[[], object]) -> object:
    # thread_sensitive: the services' after-commit publishes then hop back onto Daphne's loop.
    return await sync_to_async(_fresh_connection(function), thread_sensitive=True)()


async def _every(seconds: float, function: Callable[[], object], name: str) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await _call(function)
        except Exception:
            logger.exception("Demo %s round failed", name)


def _background(name: str, run: Callable[[threading.Event], object], stop: threading.Event) -> None:
    """A registered background (the video worker) in its thread; one that fails is logged, not retried."""
    try:
        run(stop)
    except Exception:
        logger.exception("Demo background %s failed", name)
    finally:
        close_old_connections()


def _escalate() -> int:
    count = alerts_escalate_overdue()
    if count:
        logger.info("Escalated %d alert(s)", count)
    return count


async def _simulate(every: float, seed: int | None) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(1.0)
    try:
        await _call(lambda: demo.warm_up(rng))
    except Exception:
        logger.exception("Demo warm-up failed")
    while True:
        await asyncio.sleep(every * rng.uniform(0.5, 1.5))
        try:
            await _call(lambda: demo.run_simulators(rng))
        except Exception:
            logger.exception("Demo simulation round failed")
