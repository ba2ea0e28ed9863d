"""Raise-to-websocket latency and throughput of the live alert feed through PostgreSQL, Redis and Daphne,
against a bare channels_redis group_send -> receive measured in the same run at the same rate.

Alerts are raised at a steady rate with the real service (opscenter.services.alerts.alert_raise), each
stamped in its payload with the time its call started, and timed on arrival at the websockets of an
operator of the Uralsk center connected to a Daphne started for the run. See bench/README.md.

    .venv/bin/python bench/alerts.py                         # 200 alerts/s for 10 s, one client
    .venv/bin/python bench/alerts.py --seconds 3 --rate 50   # quick
    .venv/bin/python bench/alerts.py --console 1000 10000    # the console's side: snapshot, first render, raise to screen
"""

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import platform
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOST_AFTER_SECONDS = 5.0
WARM_UP_ALERTS = 5
SOURCE = "bench"
AIM_P99_MS, AIM_RATE = 100.0, 200.0
RAISED_ON_SCREEN, RAISE_RATE = 50, 5.0  # --console: new P1s timed to the screen, one every 200 ms


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0, help="alerts raised per second (default 200)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to raise them (default 10)")
    parser.add_argument("--clients", type=int, default=1, help="websockets of the operator (default 1)")
    parser.add_argument("--raisers", type=int, default=1, help="threads raising on one schedule (default 1)")
    parser.add_argument("--json", action="store_true", help="also write the figures to bench/results/")
    parser.add_argument("--console", type=int, nargs="+", metavar="OPEN",
                        help="instead: with this many open alerts, the snapshot's bytes and parts and the time to "
                             "the dashboard's first render in Chromium, and raise-to-screen latency (e.g. --console 1000 10000)")  # fmt: skip
    return parser.parse_args()


def set_up_django() -> str:
    """Point this process, and the Daphne it starts, at PostgreSQL and at Redis under a prefix of the run."""
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opscenter_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DEBUG", "0")  # as in production; DEBUG would also keep every query in memory
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    os.environ["CHANNEL_LAYER_PREFIX"] = f"{os.environ.get('CHANNEL_LAYER_PREFIX', 'bench')}-{uuid.uuid4().hex[:8]}"
    sys.path[0] = str(ROOT)  # a script's path starts at bench/; the project is one up
    import django

    django.setup()
    return os.environ["CHANNEL_LAYER_PREFIX"]


def prepare_database():
    """Migrate, clear what an interrupted run left, log an operator of Uralsk in: (district, session)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command

    from opscenter.models import District, OperationsCenter, Role, User

    call_command("migrate", verbosity=0)
    close_bench_alerts()
    user, _created = User.objects.get_or_create(username="bench_operator", defaults={"role": Role.OPERATOR})
    user.centers.set([OperationsCenter.objects.get(code="uralsk")])
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return District.objects.select_related("center").get(code="uralsk"), session


class Daphne:
    """The web process of production, started for the run on a free port; its log is kept on errors."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = Path(tempfile.mkstemp(prefix="bench-daphne-", suffix=".log")[1])
        command = [str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1", "-p", str(self.port),
                   "opscenter.asgi:application"]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop(keep_log=True)
        raise SystemExit(f"Daphne did not answer /healthz; see {self.log}")

    def _proc(self, name: str) -> str:
        return Path(f"/proc/{self.process.pid}/{name}").read_text()

    def cpu_seconds(self) -> float:
        fields = self._proc("stat").rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_memory_kib(self) -> int:
        return next(int(line.split()[1]) for line in self._proc("status").splitlines() if line.startswith("VmHWM:"))

    def stop(self, *, keep_log: bool = False) -> int:
        """Stop it; return how many errors it logged (the log is removed when there were none)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        errors = sum(" ERROR " in line for line in self.log.read_text(errors="replace").splitlines())
        if not errors and not keep_log:
            self.log.unlink()
        return errors


def schedule(rate: float, count: int, *, start: int, first: int = 0, step: int = 1):
    """(index, seconds to wait) for indices first, first + step, ... due at start + index / rate: a fixed
    schedule, so a late call is followed at once by the next instead of shifting all later ones."""
    for index in range(first, count, step):
        yield index, max(0.0, (start + index * 1e9 / rate - time.perf_counter_ns()) / 1e9)


def percentiles(latencies_ms: list[float]) -> dict[str, float | None]:
    ordered = sorted(latencies_ms)

    def rank(p: float) -> float | None:  # nearest rank
        return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 2) if ordered else None

    return {"p50_ms": rank(50), "p90_ms": rank(90), "p99_ms": rank(99), "max_ms": rank(100)}


def figures(*, asked: float, stamps: list[int], arrivals: list[dict]) -> dict:
    """stamps: when each send started; arrivals: per receiver, key -> (its send stamp, received ns)."""
    pairs = [pair for arrived in arrivals for pair in arrived.values()]
    latencies = [(received - sent) / 1e6 for sent, received in pairs]
    start, last_start = min(stamps), max(stamps)
    last = max((received for _sent, received in pairs), default=last_start)
    return {
        "rate_asked": asked,
        "rate_achieved": round((len(stamps) - 1) / ((last_start - start) / 1e9), 1) if len(stamps) > 1 else asked,
        "sent": len(stamps),
        "received": len(pairs),
        "lost": len(stamps) * len(arrivals) - sum(latency <= LOST_AFTER_SECONDS * 1000 for latency in latencies),
        "throughput_per_s": round(len(pairs) / ((last - start) / 1e9), 1) if last > start else None,
        **percentiles(latencies),
    }


async def drain(arrivals: list[dict], keys: set) -> None:
    """Wait until every receiver has every key, or LOST_AFTER_SECONDS."""
    deadline = time.monotonic() + LOST_AFTER_SECONDS
    while time.monotonic() < deadline and any(keys - arrived.keys() for arrived in arrivals):
        await asyncio.sleep(0.01)


def baseline_message(district) -> dict:
    """What the service publishes for a bench alert, built from an alert never saved: the same size."""
    from django.utils import timezone

    from opscenter.models import Alert
    from opscenter.serializers import alert_as_dict

    now = timezone.now()
    alert = Alert(pk=10**6, source=SOURCE, kind="bench", severity=3, title="Bench alert 0000", center=district.center,
                  district=district, payload={"bench_sent": time.perf_counter_ns()}, raised_at=now, updated_at=now)  # fmt: skip
    return {"type": "alert.changed", "alert": alert_as_dict(alert)}


async def channel_layer_baseline(args: argparse.Namespace, message: dict) -> dict:
    """The floor: one group_send -> receive per message over the same Redis layer, paced alike."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    channel, group = await layer.new_channel(), f"bench.baseline.{uuid.uuid4().hex[:8]}"
    await layer.group_add(group, channel)
    arrived: dict = {}

    async def receive() -> None:
        while True:
            received = await layer.receive(channel)
            arrived.setdefault(received["index"], (received["bench_sent"], time.perf_counter_ns()))

    receiver = asyncio.create_task(receive())
    count, stamps = max(1, round(args.rate * args.seconds)), []
    for index, wait in schedule(args.rate, count, start=time.perf_counter_ns()):
        await asyncio.sleep(wait)
        stamps.append(time.perf_counter_ns())
        await layer.group_send(group, {**message, "index": index, "bench_sent": stamps[-1]})
    await drain([arrived], set(range(count)))
    receiver.cancel()
    await layer.group_discard(group, channel)
    return figures(asked=args.rate, stamps=stamps, arrivals=[arrived])


def raise_alerts(*, rate: float, count: int, district, title: str, raisers: int = 1) -> list[tuple[int, int, int]]:
    """Raise `count` alerts with the real service from `raisers` threads sharing one schedule:
    (alert pk, call start ns, call duration ns) each."""
    from django.db import connection

    from opscenter.services.alerts import alert_raise

    start = time.perf_counter_ns()

    def share(first: int) -> list[tuple[int, int, int]]:
        calls = []
        try:
            for index, wait in schedule(rate, count, start=start, first=first, step=raisers):
                time.sleep(wait)
                stamp = time.perf_counter_ns()
                alert = alert_raise(source=SOURCE, kind="bench", severity=3, title=f"{title} {index:04}",
                                    district=district, payload={"bench_sent": stamp})  # fmt: skip
                calls.append((alert.pk, stamp, time.perf_counter_ns() - stamp))
        finally:
            connection.close()
        return calls

    with ThreadPoolExecutor(max_workers=raisers) as pool:
        return [call for calls in pool.map(share, range(raisers)) for call in calls]


def receive_in_child(url: str, origin: str, cookie: str, clients: int, pipe) -> None:
    """The operator's browsers, in a process of their own: sharing the GIL with the raising would delay
    them. Connects, says "ready", then for each list of keys the parent sends waits for them (at most
    LOST_AFTER_SECONDS) and sends back (arrivals per websocket, websockets closed early, numbers skipped:
    the messages a console would have seen missing by their `seq` and resynced over REST for)."""
    asyncio.run(_receive(url, origin, cookie, clients, pipe))


async def _receive(url: str, origin: str, cookie: str, clients: int, pipe) -> None:
    from websockets.asyncio.client import connect

    websockets = [await connect(url, origin=origin, additional_headers={"Cookie": cookie}) for _ in range(clients)]
    for websocket in websockets:
        assert json.loads(await websocket.recv())["type"] == "snapshot"
    arrivals: list[dict] = [{} for _ in websockets]
    closed: list[str] = []
    skipped = [0]
    receivers = [
        asyncio.create_task(_arrivals(*pair, closed, skipped)) for pair in zip(websockets, arrivals, strict=True)
    ]
    pipe.send("ready")
    while (keys := await asyncio.to_thread(pipe.recv)) is not None:
        await drain(arrivals, set(keys))
        pipe.send((arrivals, closed, skipped[0]))
        for arrived in arrivals:
            arrived.clear()
    for receiver in receivers:
        receiver.cancel()
    for websocket in websockets:
        await websocket.close()


async def _arrivals(websocket, arrived: dict, closed: list, skipped: list) -> None:
    from websockets.exceptions import ConnectionClosed

    last_seq: dict[str, int] = {}
    try:
        async for raw in websocket:
            now = time.perf_counter_ns()  # CLOCK_MONOTONIC: the same clock as the raising process's stamps
            message = json.loads(raw)
            if message.get("type") == "snapshot":
                last_seq.update(message.get("cursors", {}))
            elif "seq" in message:
                last = last_seq.get(message["group"], message["seq"] - 1)
                skipped[0] += max(0, message["seq"] - last - 1)
                last_seq[message["group"]] = max(last, message["seq"])
            if message.get("type") == "alert" and "bench_sent" in message["alert"]["payload"]:
                arrived.setdefault(message["alert"]["id"], (message["alert"]["payload"]["bench_sent"], now))
    except ConnectionClosed:
        pass
    closed.append(f"a websocket was closed by the server: {websocket.close_code} {websocket.close_reason}")


def answer(pipe):
    if not pipe.poll(LOST_AFTER_SECONDS + 30):
        raise SystemExit("The websocket process did not answer.")
    try:
        return pipe.recv()
    except EOFError:
        raise SystemExit("The websocket process ended early (its error is above).") from None


def end_to_end(args: argparse.Namespace, daphne: Daphne, district, session) -> dict:
    from django.conf import settings

    context = multiprocessing.get_context("spawn")  # not fork: this process has threads and connections
    pipe, child_end = context.Pipe()
    address, cookie = f"127.0.0.1:{daphne.port}", f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    child = context.Process(target=receive_in_child,
                            args=(f"ws://{address}/ws/alerts/", f"http://{address}", cookie, args.clients, child_end))  # fmt: skip
    child.start()
    try:
        if answer(pipe) != "ready":
            raise SystemExit("The websockets did not connect.")
        warm_up = raise_alerts(rate=50, count=WARM_UP_ALERTS, district=district, title="Warm-up")
        pipe.send([key for key, _stamp, _duration in warm_up])
        arrivals, closed, _skipped = answer(pipe)
        if not all(arrivals):
            raise SystemExit(f"The warm-up alerts never reached the websocket ({closed or 'it is open'}).")
        cpu_before = {"bench": time.process_time(), "daphne": daphne.cpu_seconds()}
        calls = raise_alerts(rate=args.rate, count=max(1, round(args.rate * args.seconds)), district=district,
                             title="Bench alert", raisers=args.raisers)  # fmt: skip
        pipe.send([key for key, _stamp, _duration in calls])
        arrivals, closed, skipped = answer(pipe)
        cpu_used = {"bench": time.process_time(), "daphne": daphne.cpu_seconds()}
    finally:
        with contextlib.suppress(OSError):
            pipe.send(None)
        child.join(10)
        if child.is_alive():
            child.terminate()
    # From the service's return (its publish is the last thing it does) to the arrival: Redis, Daphne, websocket.
    returned = {key: stamp + duration for key, stamp, duration in calls}
    after_call = [
        (received - returned[key]) / 1e6 for arrived in arrivals for key, (_sent, received) in arrived.items()
    ]
    return {
        **figures(asked=args.rate, stamps=[stamp for _key, stamp, _duration in calls], arrivals=arrivals),
        "raise_call": percentiles([duration / 1e6 for _key, _stamp, duration in calls]),
        "after_call": percentiles(after_call),
        "cpu_ms_per_alert": {
            name: round((used - cpu_before[name]) * 1000 / len(calls), 2) for name, used in cpu_used.items()
        },
        "websockets_closed_early": closed,
        "numbers_skipped": skipped,
    }


def open_bench_alerts(count: int, district) -> None:
    """`count` open alerts of every severity in Uralsk, made at once (bulk_create: no publishing)."""
    from django.utils import timezone

    from opscenter.models import Alert

    now = timezone.now()
    Alert.objects.bulk_create(
        (
            Alert(source=SOURCE, kind="load", severity=1 + index % 4, title=f"Нагрузка {index}", center=district.center,
                  district=district, address=f"ул. Достык, {index}", latitude=51.0 + (index % 100) / 100,
                  longitude=51.0 + (index // 100) / 100, payload={"object": {"name": f"Школа № {index}"}},
                  raised_at=now, updated_at=now)
            for index in range(count)
        ),
        batch_size=2000,
    )  # fmt: skip


async def snapshot_figures(url: str, origin: str, cookie: str) -> dict:
    from websockets.asyncio.client import connect

    started = time.perf_counter()
    async with connect(url, origin=origin, additional_headers={"Cookie": cookie}, max_size=None) as websocket:
        sizes, alerts = [], 0
        while True:
            raw = await websocket.recv()
            sizes.append(len(raw.encode()) if isinstance(raw, str) else len(raw))
            message = json.loads(raw)
            alerts += len(message["alerts"])
            if message.get("last", True):
                break
    return {"alerts": alerts, "snapshot_bytes": sum(sizes), "parts": len(sizes), "largest_part_bytes": max(sizes),
            "snapshot_ms": round((time.perf_counter() - started) * 1000)}  # fmt: skip


def on_screen(base: str, session, count: int, district, *, raised: int, rate: float) -> tuple[int, dict]:
    """In the system's Chromium: the time from navigation to the dashboard live with the whole count shown,
    then the raise-to-screen latency of `raised` new P1s raised at `rate` per second with the real service,
    from the call's start to the frame whose count includes it (the count a screen shows; a new P1 sorts
    below the older ones, so its row is often out of the window)."""
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base}])
        page = context.new_page()
        page.goto(base + "/")
        page.wait_for_function(
            f"document.getElementById('dashboard').dataset.connection === 'live'"
            f" && document.getElementById('dashboard').dataset.count === '{count}'",
            timeout=120_000,
        )
        elapsed = page.evaluate("performance.now()")
        page.evaluate(
            """() => {
                const root = document.getElementById('dashboard');
                window.benchCounts = [];
                new MutationObserver(() => window.benchCounts.push([Date.now(), Number(root.dataset.count)]))
                    .observe(root, {attributes: true, attributeFilter: ['data-count']});
            }"""
        )
        with ThreadPoolExecutor(max_workers=1) as pool:  # the ORM stays off Playwright's thread
            stamps = pool.submit(raise_p1s, district=district, count=raised, rate=rate).result()
        page.wait_for_function(f"document.getElementById('dashboard').dataset.count === '{count + raised}'",
                               timeout=60_000)  # fmt: skip
        counts = page.evaluate("window.benchCounts")
        browser.close()
    latencies = []
    for index, stamp_ms in enumerate(stamps, start=1):
        shown_ms = next(at for at, shown in counts if shown >= count + index)
        latencies.append(shown_ms - stamp_ms)
    return round(elapsed), percentiles(latencies)


def raise_p1s(*, district, count: int, rate: float) -> list[float]:
    """Raise `count` P1s one after another on a fixed schedule: the wall-clock ms each call started."""
    from django.db import connection

    from opscenter.services.alerts import alert_raise

    stamps = []
    try:
        for index, wait in schedule(rate, count, start=time.perf_counter_ns()):
            time.sleep(wait)
            stamps.append(time.time_ns() / 1e6)
            alert_raise(source=SOURCE, kind="bench", severity=1, title=f"Bench P1 {index:03}", district=district)
    finally:
        connection.close()
    return stamps


def console(args: argparse.Namespace, district, session) -> None:
    from django.conf import settings

    daphne = Daphne()
    address, cookie = f"127.0.0.1:{daphne.port}", f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    rows = []
    try:
        for count in args.console:
            close_bench_alerts()
            open_bench_alerts(count, district)
            figures = asyncio.run(snapshot_figures(f"ws://{address}/ws/alerts/", f"http://{address}", cookie))
            # The operator's scope may hold other open alerts than the bench's: the snapshot says how many.
            figures["first_render_ms"], figures["raise_to_screen"] = on_screen(
                f"http://{address}", session, figures["alerts"], district, raised=RAISED_ON_SCREEN, rate=RAISE_RATE
            )
            rows.append({"open": count, **figures})
    finally:
        daphne.stop()
    print("\nThe console's side: " + ", ".join(f"{k} {v}" for k, v in environment().items()))
    print(f"{'bench':>7}{'open':>7}{'snapshot B':>12}{'parts':>7}{'largest B':>11}{'snapshot ms':>13}"
          f"{'first render ms':>17}   raise to screen ({RAISED_ON_SCREEN} P1s at {RAISE_RATE:g}/s)")  # fmt: skip
    for row in rows:
        screen = row["raise_to_screen"]
        print(f"{row['open']:>7}{row['alerts']:>7}{row['snapshot_bytes']:>12}{row['parts']:>7}{row['largest_part_bytes']:>11}"
              f"{row['snapshot_ms']:>13}{row['first_render_ms']:>17}   p50 {screen['p50_ms']} ms, p90 {screen['p90_ms']} ms,"
              f" p99 {screen['p99_ms']} ms, max {screen['max_ms']} ms")  # fmt: skip
    if args.json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"console-{time.strftime('%Y%m%d-%H%M%S')}.json"
        path.write_text(json.dumps({"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "rows": rows}, indent=2) + "\n")
        print(f"written to {path.relative_to(ROOT)}")


def close_bench_alerts() -> None:
    """Resolve the bench alerts left open, as tests, so that a run's snapshot starts empty. One UPDATE on
    purpose: resolving them through the service would publish thousands of changes, and deleting them
    would reach into every app whose models point at alerts."""
    from django.utils import timezone

    from opscenter.models import OPEN_STATUSES, Alert, AlertStatus, Disposition

    now = timezone.now()
    Alert.objects.filter(source=SOURCE, status__in=OPEN_STATUSES).update(
        status=AlertStatus.RESOLVED, disposition=Disposition.TEST, resolved_at=now, updated_at=now
    )


def clean_up(prefix: str, session) -> None:
    """Leave no bench alert open, no session and no Redis key of the run."""
    import redis
    from django.conf import settings

    close_bench_alerts()
    session.delete()
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


def environment() -> dict:
    from django.db import connection

    packages = {name: version(name) for name in ("Django", "channels", "channels_redis", "daphne", "redis")}
    postgresql = f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    return {"python": platform.python_version(), **packages, "postgresql": postgresql, "cpus": os.cpu_count(),
            "load average": round(os.getloadavg()[0], 2)}  # fmt: skip


def report(result: dict) -> None:
    end_to_end, baseline = result["end_to_end"], result["baseline"]
    print(f"\nAlert feed: {result['seconds']:g} s, {result['clients']} websocket(s), {result['raisers']} raiser(s), "
          f"{result['message_bytes']} B alerts; " + ", ".join(f"{k} {v}" for k, v in result["environment"].items()))  # fmt: skip
    print(f"{'':18}{'end-to-end':>12}{'baseline':>12}{'ratio':>8}")
    for row in ["rate_asked", "rate_achieved", "sent", "received", "lost", "throughput_per_s", *percentiles([])]:
        ratio = result["ratio"].get(row.removesuffix("_ms"), "")
        print(f"{row:18}{end_to_end[row]!s:>12}{baseline[row]!s:>12}{ratio!s:>8}")
    call, cpu, rss = end_to_end["raise_call"], end_to_end["cpu_ms_per_alert"], result["peak_rss_mib"]
    for label, spans in (("alert_raise call", call), ("arrival after its return", end_to_end["after_call"])):
        print(f"{label}: p50 {spans['p50_ms']} ms, p99 {spans['p99_ms']} ms, max {spans['max_ms']} ms")
    print(f"numbers skipped on the websockets (a console resyncs over REST): {end_to_end['numbers_skipped']}")
    print(f"CPU per alert: bench {cpu['bench']} ms, daphne {cpu['daphne']} ms")
    print(f"peak RSS: daphne {rss['daphne']} MiB, bench {rss['bench']} MiB")
    for problem in [*end_to_end["websockets_closed_early"], *result["daphne_errors"]]:
        print(f"WARNING: {problem}")
    print(f"aim, p99 < {AIM_P99_MS:g} ms at {AIM_RATE:g} alerts/s sustained, none lost: {result['aim']}")


def main() -> None:
    args = parse_args()
    prefix = set_up_django()
    district, session = prepare_database()
    if args.console:
        try:
            console(args, district, session)
        finally:
            clean_up(prefix, session)
        return
    message = baseline_message(district)
    try:
        baseline = asyncio.run(channel_layer_baseline(args, message))
        daphne = Daphne()
        try:
            end_to_end_result = end_to_end(args, daphne, district, session)
            daphne_peak_kib = daphne.peak_memory_kib()
        finally:
            daphne_errors = daphne.stop()
    finally:
        clean_up(prefix, session)
    ratio = {
        name: round(end_to_end_result[f"{name}_ms"] / baseline[f"{name}_ms"], 1)
        for name in ("p50", "p99")
        if end_to_end_result[f"{name}_ms"] and baseline[f"{name}_ms"]
    }
    sustained = end_to_end_result["rate_achieved"] >= 0.98 * args.rate
    met = sustained and not end_to_end_result["lost"] and (end_to_end_result["p99_ms"] or math.inf) < AIM_P99_MS
    result = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **{name: getattr(args, name) for name in ("seconds", "clients", "raisers")},
        "message_bytes": len(json.dumps(message["alert"])),
        "end_to_end": end_to_end_result,
        "baseline": baseline,
        "ratio": ratio,
        "rate_sustained": sustained,
        "peak_rss_mib": {
            "daphne": round(daphne_peak_kib / 1024, 1),
            "bench": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
        "daphne_errors": [f"Daphne logged {daphne_errors} error(s), see {daphne.log}"] if daphne_errors else [],
        "aim": ("met" if met else "missed") if args.rate >= AIM_RATE else f"not judged at {args.rate:g}/s",
        "environment": environment(),
    }
    report(result)
    if args.json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"alerts-{time.strftime('%Y%m%d-%H%M%S')}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
