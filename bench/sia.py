"""Frames per second and frame-to-ACK latency of the SIA DC-09 receiver on PostgreSQL, against pysiaalarm's
own receiver (which ACKs before its handler runs and stores nothing) under the same load in the same run.

Many simulated panels, each on its own TCP connection, send Contact ID frames on a steady schedule
(mostly periodic tests, some panics and restores), one outstanding frame per panel as real panels do.
Latency runs from the frame's scheduled send time to its ACK, so a receiver falling behind shows.
After the run, the events in the database are counted against the ACKs: an ACK means stored. Alerts
are raised after the ACKs: the run reports how long after its frame's receipt each panic's alert was
raised, and that no alarm event was left without its alert.

    .venv/bin/python bench/sia.py                          # 500 frames/s from 50 panels for 10 s
    .venv/bin/python bench/sia.py --seconds 3 --rate 100   # quick
"""

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import free_port, peak_rss_mb, set_up_django  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ACCOUNT_PREFIX = "BE"
AIM_RATE, AIM_P99_MS = 500.0, 50.0

PYSIAALARM_SERVER = """
import asyncio, sys
from pysiaalarm import SIAAccount
from pysiaalarm.aio import SIAClient

async def handler(event):
    pass

async def main(port, accounts):
    client = SIAClient("127.0.0.1", port, [SIAAccount(a) for a in accounts], handler)
    await client.async_start()
    print("ready", flush=True)
    await asyncio.Event().wait()

asyncio.run(main(int(sys.argv[1]), sys.argv[2].split(",")))
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=AIM_RATE, help="frames per second, all panels (default 500)")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each run (default 10)")
    parser.add_argument(
        "--warmup-seconds",
        type=float,
        default=2.0,
        help="paced traffic first for this long, not counted (both receivers; default 2)",
    )
    parser.add_argument("--panels", type=int, default=50, help="panels, one TCP connection each (default 50)")
    parser.add_argument("--processes", type=int, default=2, help="receiver processes sharing the port (default 2)")
    parser.add_argument(
        "--workers", type=int, default=None, help="batchers per receiver process (default: the receiver's)"
    )
    parser.add_argument("--panic-share", type=float, default=0.05, help="share of frames that are panics")
    parser.add_argument(
        "--flat-out-seconds",
        type=float,
        default=10.0,
        help="then each panel sends as soon as its last frame is ACKed, for this long (0: skip; default 10)",
    )
    parser.add_argument("--json", action="store_true", help="also write the figures to bench/results/")
    return parser.parse_args()


def prepare_panels(count: int) -> list[str]:
    from alarms.models import AlarmPanel
    from alarms.services import panel_create
    from opscenter.models import District

    clean_up()
    district = District.objects.get(code="uralsk")
    accounts = [f"{ACCOUNT_PREFIX}{n:04X}" for n in range(count)]
    for account in accounts:
        panel_create(account=account, object_name=f"Bench school {account}", object_kind="school", district=district,
                     latitude=51.23, longitude=51.37, supervision_seconds=3600)  # fmt: skip
    assert AlarmPanel.objects.filter(account__startswith=ACCOUNT_PREFIX).count() == count
    return accounts


def clean_up() -> None:
    from alarms.models import AlarmEvent, AlarmPanel, ProtectedObject, ReceivedFrame
    from opscenter.models import Alert, AlertEvent

    panels = AlarmPanel.objects.filter(account__startswith=ACCOUNT_PREFIX)
    alert_pks = list(AlarmEvent.objects.filter(panel__in=panels, alert__isnull=False).values_list("alert", flat=True))
    keys = [f"alarms:{pk}:{kind}" for pk in panels.values_list("pk", flat=True) for kind in ("silent", "panic")]
    alert_pks += list(Alert.objects.filter(dedup_key__in=keys).values_list("pk", flat=True))
    AlarmEvent.objects.filter(panel__in=panels).delete()
    ReceivedFrame.objects.filter(account__startswith=ACCOUNT_PREFIX).delete()
    AlertEvent.objects.filter(alert__in=alert_pks).delete()
    Alert.objects.filter(pk__in=alert_pks).delete()
    objects = list(panels.values_list("protected_object", flat=True))
    panels.delete()
    ProtectedObject.objects.filter(pk__in=objects).delete()


def start(command: list[str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        command, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{command[1]} did not start: {process.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{command} never listened on {port}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


async def panel(port: int, account: str, times: list[float], panic_share: float, rng: random.Random) -> list[dict]:
    """One panel: send each frame at its time (or as soon as the previous one is ACKed), await the ACK."""
    from alarms.dc09 import panel_frame

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    records, panicking = [], False
    for number, due in enumerate(times, start=1):
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if panicking:
            data, kind, panicking = "3120 01 001", "restore", False
        elif rng.random() < panic_share:
            data, kind, panicking = "1120 01 001", "panic", True
        else:
            data, kind = "1602 00 000", "test"
        frame = panel_frame(sequence=f"{number % 10000:04d}", account=account, data=data, timestamp=datetime.now(UTC))
        writer.write(frame)
        await writer.drain()
        try:
            response = await asyncio.wait_for(reader.readuntil(b"\r"), timeout=5)
        except (TimeoutError, asyncio.IncompleteReadError):
            records.append({"kind": kind, "due": due, "latency_ms": None})
            continue
        acked = b'"ACK"' in response
        records.append({"kind": kind, "due": due, "latency_ms": (time.perf_counter() - due) * 1000 if acked else None})
    writer.close()
    return records


async def flat_out_panel(port: int, account: str, until: float, panic_share: float, rng: random.Random) -> int:
    """One panel sending its next frame the moment the last is ACKed, until `until`: ACKs received."""
    from alarms.dc09 import panel_frame

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    acked, number, panicking = 0, 0, False
    while time.perf_counter() < until:
        number += 1
        if panicking:
            data, panicking = "3120 01 001", False
        elif rng.random() < panic_share:
            data, panicking = "1120 01 001", True
        else:
            data = "1602 00 000"
        frame = panel_frame(sequence=f"{number % 10000:04d}", account=account, data=data, timestamp=datetime.now(UTC))
        writer.write(frame)
        await writer.drain()
        try:
            response = await asyncio.wait_for(reader.readuntil(b"\r"), timeout=5)
        except (TimeoutError, asyncio.IncompleteReadError):
            continue
        acked += b'"ACK"' in response
    writer.close()
    return acked


async def flat_out(port: int, accounts: list[str], args: argparse.Namespace) -> tuple[float, int]:
    """The highest rate the panels reach when each waits only for its ACK (one frame outstanding each)."""
    rng = random.Random(11)
    began = time.perf_counter()
    until = began + args.flat_out_seconds
    jobs = [flat_out_panel(port, a, until, args.panic_share, random.Random(rng.random())) for a in accounts]
    acked = sum(await asyncio.gather(*jobs))
    return round(acked / (time.perf_counter() - began), 1), acked


async def load(port: int, accounts: list[str], args: argparse.Namespace) -> dict:
    per_panel = args.rate / len(accounts)
    count = max(1, int(per_panel * (args.warmup_seconds + args.seconds)))
    start_at = time.perf_counter() + 0.5
    counted_from = start_at + args.warmup_seconds
    rng = random.Random(7)  # the same mix of frames for both receivers
    jobs = []
    for index, account in enumerate(accounts):
        offset = index / args.rate  # panels spread over the first interval, not all at once
        times = [start_at + offset + n / per_panel for n in range(count)]
        jobs.append(panel(port, account, times, args.panic_share, random.Random(rng.random())))
    results = await asyncio.gather(*jobs)
    elapsed = time.perf_counter() - counted_from  # the counted frames' schedule began there
    records = [record for panel_records in results for record in panel_records if record["due"] >= counted_from]
    latencies = sorted(r["latency_ms"] for r in records if r["latency_ms"] is not None)
    return {
        "counted": (datetime.now(UTC) - timedelta(seconds=time.perf_counter() - counted_from), datetime.now(UTC)),
        "frames": len(records),
        "acked": len(latencies),
        "unanswered": len(records) - len(latencies),
        "panics": sum(1 for r in records if r["kind"] == "panic"),
        "frames_per_second": round(len(latencies) / elapsed, 1),
        **percentiles(latencies),
    }


def percentiles(values: list[float]) -> dict:
    def at(share: float):
        return round(values[min(len(values) - 1, int(share * len(values)))], 2) if values else None

    return {
        "p50_ms": at(0.50),
        "p90_ms": at(0.90),
        "p99_ms": at(0.99),
        "max_ms": round(values[-1], 2) if values else None,
    }


def run(label: str, command: list[str], port: int, accounts: list[str], args: argparse.Namespace) -> dict:
    process = start(command, port)
    try:
        figures = asyncio.run(load(port, accounts, args))
        if args.flat_out_seconds:
            rate, acked = asyncio.run(flat_out(port, accounts, args))
            figures["flat_out_frames_per_second"], figures["flat_out_acked"] = rate, acked
        figures["peak_rss_mb"] = peak_rss_mb(process.pid)
    finally:
        stop(process)
    figures["receiver"] = label
    return figures


def stored_events(accounts: list[str]) -> int:
    from alarms.models import ReceivedFrame

    return ReceivedFrame.objects.filter(account__in=accounts, response="ack").count()


def alerts_after_receipt(accounts: list[str], counted: tuple[datetime, datetime]) -> dict:
    """From the database: how long after its frame was received each panic and restore of the counted run
    reached its alert (raised, repeated or updated: the alert's timeline entry for it), and the alarm
    events still waiting for their alert once the receiver has stopped."""
    from alarms.models import AlarmEvent
    from opscenter.models import AlertEvent

    events = AlarmEvent.objects.filter(panel__account__in=accounts, event_class__in=("alarm", "restore"))
    received: dict[int, list[datetime]] = {}
    for alert_pk, received_at in events.filter(alert__isnull=False).order_by("pk").values_list("alert", "received_at"):
        received.setdefault(alert_pk, []).append(received_at)
    settled: dict[int, list[datetime]] = {}
    for alert_pk, at in (
        AlertEvent.objects.filter(alert__in=received, action__in=("raised", "repeated", "updated"))
        .order_by("at", "pk")
        .values_list("alert", "at")
    ):
        settled.setdefault(alert_pk, []).append(at)
    # Each event settles once, in the order received, and is the only cause of its timeline entry.
    delays = sorted(
        (at - got).total_seconds() * 1000
        for alert_pk, times in received.items()
        for got, at in zip(times, settled.get(alert_pk, []), strict=False)
        if counted[0] <= got <= counted[1]
    )
    return {
        "events_settled": len(delays),
        "alert_delay": percentiles(delays),
        "alarm_events_without_alert": events.filter(alert__isnull=True, event_class="alarm").count(),
        "events_pending": events.filter(alert_pending=True).count(),
    }


def main() -> None:
    args = parse_args()
    set_up_django("sia")
    accounts = prepare_panels(args.panels)
    ours_port, theirs_port = free_port(), free_port()
    python = sys.executable
    ours = run("opscenter (ACK after commit)", [python, "manage.py", "run_sia_receiver", "--host", "127.0.0.1",
               "--port", str(ours_port), "--processes", str(args.processes),
               *(["--workers", str(args.workers)] if args.workers else [])], ours_port, accounts, args)  # fmt: skip
    ours["stored_acked_frames"] = stored_events(accounts)
    ours["alerts"] = alerts_after_receipt(accounts, ours.pop("counted"))
    baseline = run("pysiaalarm (ACK before handler, stores nothing)", [python, "-c", PYSIAALARM_SERVER, str(theirs_port),
                   ",".join(accounts)], theirs_port, accounts, args)  # fmt: skip
    baseline.pop("counted")
    result = {
        "asked_rate": args.rate, "seconds": args.seconds, "warmup_seconds": args.warmup_seconds, "panels": args.panels,
        "opscenter": ours, "baseline": baseline,
        "ratio_p50": _ratio(ours["p50_ms"], baseline["p50_ms"]), "ratio_p99": _ratio(ours["p99_ms"], baseline["p99_ms"]),
        "ratio_throughput": _ratio(ours["frames_per_second"], baseline["frames_per_second"]),
        "bench_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "python": platform.python_version(), "database": os.environ["DATABASE_URL"].rsplit("@", 1)[-1],
    }  # fmt: skip
    clean_up()
    report(result)
    if args.json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"sia-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        path.write_text(json.dumps(result, indent=2))
        print(f"written {path.relative_to(ROOT)}")


def _ratio(a, b):
    return round(a / b, 2) if a and b else None


def report(result: dict) -> None:
    print(
        f"SIA DC-09 receiver: {result['panels']} panels, {result['asked_rate']:.0f} frames/s asked for {result['seconds']:.0f} s after {result['warmup_seconds']:g} s of warm-up"
    )
    header = f"{'receiver':52} {'frames/s':>9} {'acked':>7} {'lost':>5} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'peak MB':>8}"
    print(header)
    for row in (result["opscenter"], result["baseline"]):
        print(f"{row['receiver']:52} {row['frames_per_second']:>9} {row['acked']:>7} {row['unanswered']:>5} "
              f"{row['p50_ms']!s:>8} {row['p90_ms']!s:>8} {row['p99_ms']!s:>8} {row['max_ms']!s:>8} {row['peak_rss_mb'] or 0:>8.1f}")  # fmt: skip
    ours = result["opscenter"]
    print(
        f"ratio opscenter/baseline: p50 {result['ratio_p50']}, p99 {result['ratio_p99']}, throughput {result['ratio_throughput']}"
    )
    acks = ours["acked"] + ours.get("flat_out_acked", 0)
    print(f"ACKed frames stored: {ours['stored_acked_frames']} of {acks} ACKs; panics sent (paced): {ours['panics']}")
    alerts, delay = ours["alerts"], ours["alerts"]["alert_delay"]
    print(
        f"panics and restores in their alerts after the ACK: {alerts['events_settled']}, after their frame's receipt p50 "
        f"{delay['p50_ms']} ms, p99 {delay['p99_ms']} ms, max {delay['max_ms']} ms; alarm events without an alert "
        f"{alerts['alarm_events_without_alert']}, still pending {alerts['events_pending']}"
    )
    if "flat_out_frames_per_second" in ours:
        print(
            f"flat out, {result['panels']} panels each waiting for its ACK: opscenter "
            f"{ours['flat_out_frames_per_second']} frames/s, pysiaalarm {result['baseline']['flat_out_frames_per_second']} frames/s"
        )
    met = ours["frames_per_second"] >= AIM_RATE * 0.98 and ours["p99_ms"] is not None and ours["p99_ms"] < AIM_P99_MS
    print(f"aim ({AIM_RATE:.0f} frames/s, p99 < {AIM_P99_MS:.0f} ms): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
