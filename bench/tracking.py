"""Positions per second through the tracking intake on PostgreSQL via Daphne, with zone evaluation, against
storing the same positions with evaluation turned off (BRACELET_EVALUATE=0), in the same run.

Three loads, each run against Daphne with evaluation on, then again with it off:
- single: one client sending OsmAnd GET requests one after another (one keep-alive connection);
- parallel: --clients clients, each a bracelet on its own keep-alive connection, for --seconds;
- batch: --clients clients posting --batch-size buffered positions per request to the batch endpoint.
Latency is per request (p50/p99); a batch's latency is the whole batch's. Most fixes jitter around home
(within the zone's 60 m); one in 20 people walks out, and a few enter an exclusion zone (P1 alerts), so
evaluation does its real work, not only its fast path. `--servers` Daphne processes share one listening
socket (the way the web process scales out); the default is one per CPU.

    .venv/bin/python bench/tracking.py                       # 10 s per load
    .venv/bin/python bench/tracking.py --seconds 3 --json    # quick, figures to bench/results/
    DATABASE_POOL=True .venv/bin/python bench/tracking.py    # Daphne with pooled connections, as compose's web
"""

import argparse
import http.client
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import peak_rss_mb, set_up_django  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PREFIX = "BENCH-BR-"
HOME = (51.2300, 51.3700)
AIM_SINGLE, AIM_BATCH, AIM_EVALUATION_SHARE = 500.0, 2000.0, 0.2
# The servers' log (errors with their tracebacks), kept after the run.
SERVER_LOG = tempfile.NamedTemporaryFile(prefix="bench-tracking-daphne-", suffix=".log", delete=False)  # noqa: SIM115


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each load (default 10)")
    parser.add_argument("--clients", type=int, default=8, help="parallel clients (default 8)")
    parser.add_argument("--batch-size", type=int, default=100, help="positions per batch request (default 100)")
    parser.add_argument("--servers", type=int, default=os.cpu_count() or 1, help="Daphne processes (default: CPUs)")
    parser.add_argument("--people", type=int, default=200, help="bracelets, each worn by someone (default 200)")
    parser.add_argument("--json", action="store_true", help="also write the figures to bench/results/")
    return parser.parse_args()


def clean_up() -> None:
    from bracelets.models import Bracelet, BraceletAssignment, Position, SupervisedPerson, Violation
    from opscenter.models import Alert, AlertEvent, DeviceCredential

    people = SupervisedPerson.objects.filter(iin__startswith="99")
    alert_pks = list(Violation.objects.filter(person__in=people, alert__isnull=False).values_list("alert", flat=True))
    Position.objects.filter(bracelet__unique_id__startswith=PREFIX).delete()
    Violation.objects.filter(person__in=people).delete()
    AlertEvent.objects.filter(alert__in=alert_pks).delete()
    Alert.objects.filter(pk__in=alert_pks).delete()
    BraceletAssignment.objects.filter(bracelet__unique_id__startswith=PREFIX).delete()
    credentials = list(Bracelet.objects.filter(unique_id__startswith=PREFIX).values_list("credential", flat=True))
    Bracelet.objects.filter(unique_id__startswith=PREFIX).delete()
    DeviceCredential.objects.filter(pk__in=credentials).delete()
    people.delete()


def reset_between_runs() -> None:
    """Same starting point for both runs: no positions, violations or alerts, no last fix."""
    from bracelets.models import Bracelet, Position, SupervisedPerson, Violation
    from opscenter.models import Alert, AlertEvent

    people = SupervisedPerson.objects.filter(iin__startswith="99")
    alert_pks = list(Violation.objects.filter(person__in=people, alert__isnull=False).values_list("alert", flat=True))
    Position.objects.filter(bracelet__unique_id__startswith=PREFIX).delete()
    Violation.objects.filter(person__in=people).delete()
    AlertEvent.objects.filter(alert__in=alert_pks).delete()
    Alert.objects.filter(pk__in=alert_pks).delete()
    people.update(open_violations=[])
    Bracelet.objects.filter(unique_id__startswith=PREFIX).update(
        last_fix_at=None, last_contact_at=None, last_fix_received_at=None, battery=None
    )


def prepare(count: int) -> list[tuple[str, str]]:
    from bracelets.services.registry import bracelet_add, person_enrol, zone_create
    from opscenter.models import District

    clean_up()
    district = District.objects.get(code="uralsk")
    devices = []
    for index in range(count):
        unique_id = f"{PREFIX}{index:05d}"
        _bracelet, token = bracelet_add(unique_id=unique_id)
        person = person_enrol(unique_id=unique_id, iin=f"99{index:010d}", full_name=f"Bench person {index}",
                              district=district, home_latitude=HOME[0], home_longitude=HOME[1], home_radius_m=60,
                              measure="house_arrest")  # fmt: skip
        zone_create(person=person, kind="exclusion", name="Victim", latitude=HOME[0] + 0.02, longitude=HOME[1],
                    radius_m=150)  # fmt: skip
        devices.append((unique_id, token))
    return devices


class Fixes:
    """Each bracelet's fixes, strictly later one after another (ms timestamps), mostly home jitter."""

    def __init__(self, devices: list[tuple[str, str]], seed: int) -> None:
        self.rng = random.Random(seed)
        self.next_ms = {unique_id: int(time.time() * 1000) - 60_000 for unique_id, _token in devices}
        self.walkers = {unique_id for index, (unique_id, _t) in enumerate(devices) if index % 20 == 0}
        self.lock = threading.Lock()

    def fix(self, unique_id: str) -> dict:
        with self.lock:
            self.next_ms[unique_id] += 10
            at = self.next_ms[unique_id]
            roll = self.rng.random()
        latitude, longitude = HOME[0] + random.gauss(0, 0.00008), HOME[1] + random.gauss(0, 0.00012)
        if unique_id in self.walkers:
            latitude += 0.004  # about 450 m north: out of the home zone
        if roll < 0.0005:
            latitude = HOME[0] + 0.02  # in the exclusion zone
        return {"id": unique_id, "timestamp": at, "lat": round(latitude, 7), "lon": round(longitude, 7),
                "accuracy": 8, "speed": 0.5, "batt": 80}  # fmt: skip


def start_servers(count: int, evaluate: bool) -> tuple[list[subprocess.Popen], int, socket.socket]:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    env = {**os.environ, "DEBUG": "0", "BRACELET_EVALUATE": "1" if evaluate else "0", "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING"}  # fmt: skip
    daphne = str(Path(sys.executable).with_name("daphne"))
    processes = [
        subprocess.Popen(
            [daphne, "--fd", str(listener.fileno()), "opscenter.asgi:application"],
            cwd=ROOT,
            env=env,
            pass_fds=[listener.fileno()],
            stdout=SERVER_LOG,
            stderr=subprocess.STDOUT,
        )
        for _index in range(count)
    ]
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise SystemExit(f"daphne exited; see {SERVER_LOG.name}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return processes, port, listener
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("daphne did not answer /healthz")


def stop_servers(processes: list[subprocess.Popen], listener: socket.socket) -> list[float]:
    peaks = [peak_rss_mb(process.pid) for process in processes]
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    listener.close()
    return peaks


def client_loop(port, devices, fixes, until, latencies, counts, batch_size, errors) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    index = 0
    while time.monotonic() < until:
        unique_id, token = devices[index % len(devices)]
        index += 1
        started = time.perf_counter()
        if batch_size:
            body = json.dumps({"positions": [fixes.fix(unique_id) for _n in range(batch_size)]})
            connection.request("POST", "/api/v1/tracking/batch", body=body,
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
        else:
            connection.request("GET", "/api/v1/tracking/osmand?" + urlencode({**fixes.fix(unique_id), "key": token}))
        response = connection.getresponse()
        content = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            errors.append((response.status, content[:300].decode("utf-8", "replace")))
        else:
            counts.append(batch_size or 1)


def run_load(port, devices, fixes, *, clients: int, seconds: float, batch_size: int) -> dict:
    latencies, counts, errors = [], [], []
    until = time.monotonic() + seconds
    per_client = [devices[index::clients] for index in range(clients)]
    threads = [threading.Thread(target=client_loop, args=(port, per_client[n], fixes, until, latencies, counts,
                                                          batch_size, errors)) for n in range(clients)]  # fmt: skip
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(share: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000, 2) if latencies else None

    return {"requests": len(latencies), "positions": sum(counts), "errors": len(errors), "error_samples": errors[:3],
            "seconds": round(elapsed, 2),
            "positions_per_s": round(sum(counts) / elapsed, 1), "p50_ms": percentile(0.50),
            "p99_ms": percentile(0.99), "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None}  # fmt: skip


def stored_count() -> int:
    from bracelets.models import Position

    return Position.objects.filter(bracelet__unique_id__startswith=PREFIX).count()


def run_all(args, devices, evaluate: bool) -> dict:
    reset_between_runs()
    processes, port, listener = start_servers(args.servers, evaluate)
    fixes = Fixes(devices, seed=7)
    try:
        run_load(port, devices, fixes, clients=args.clients, seconds=1.0, batch_size=0)  # warm-up
        results = {
            "single": run_load(port, devices, fixes, clients=1, seconds=args.seconds, batch_size=0),
            "parallel": run_load(port, devices, fixes, clients=args.clients, seconds=args.seconds, batch_size=0),
            "batch": run_load(
                port, devices, fixes, clients=args.clients, seconds=args.seconds, batch_size=args.batch_size
            ),
        }
    finally:
        peaks = stop_servers(processes, listener)
    results["daphne_peak_rss_mb"] = [round(peak, 1) for peak in peaks]
    results["stored"] = stored_count()
    from bracelets.models import Violation

    results["violations"] = Violation.objects.filter(person__iin__startswith="99").count()
    return results


def service_cost(devices: list[tuple[str, str]], count: int) -> dict:
    """The evaluation service alone, in this process (no HTTP): microseconds per position, single reports
    and batches of 100, with evaluation on and off; less noisy than the end-to-end runs on a busy machine."""
    from django.test import override_settings

    from bracelets.models import Bracelet
    from bracelets.protocols import Report
    from bracelets.services.evaluation import reports_receive

    bracelets = list(Bracelet.objects.filter(unique_id__startswith=PREFIX).select_related("credential"))
    figures = {}
    for evaluate in (True, False, True, False):
        reset_between_runs()
        fixes = Fixes(devices, seed=11)
        with override_settings(BRACELET_EVALUATE=evaluate):
            for batch in (1, 100):
                started = time.perf_counter()
                done = 0
                while done < count:
                    bracelet = bracelets[done // batch % len(bracelets)]
                    reports = []
                    for _n in range(batch):
                        fix = fixes.fix(bracelet.unique_id)
                        reports.append(
                            Report(
                                device_id=fix["id"],
                                fix_time=datetime.fromtimestamp(fix["timestamp"] / 1000, UTC),
                                latitude=fix["lat"],
                                longitude=fix["lon"],
                                accuracy=8.0,
                                battery=80.0,
                            )
                        )
                    reports_receive(credential=bracelet.credential, reports=reports, source="bench")
                    done += batch
                key = f"{'with' if evaluate else 'without'}_evaluation_batch_{batch}_us_per_position"
                figures.setdefault(key, []).append(round((time.perf_counter() - started) / done * 1e6, 1))
    for batch in (1, 100):
        on = min(figures[f"with_evaluation_batch_{batch}_us_per_position"])
        off = min(figures[f"without_evaluation_batch_{batch}_us_per_position"])
        figures[f"evaluation_share_batch_{batch}"] = round(1 - off / on, 3)
    return figures


def main() -> None:
    args = parse_args()
    set_up_django("tracking")
    devices = prepare(args.people)
    with_evaluation = run_all(args, devices, evaluate=True)
    without = run_all(args, devices, evaluate=False)
    in_process = service_cost(devices, count=2000)
    clean_up()
    share = {}
    for load in ("single", "parallel", "batch"):
        on, off = with_evaluation[load]["positions_per_s"], without[load]["positions_per_s"]
        share[load] = round(1 - on / off, 3) if on and off else None
    figures = {
        "when": datetime.now(UTC).isoformat(),
        "arguments": vars(args),
        "with_evaluation": with_evaluation,
        "without_evaluation": without,
        "evaluation_share_of_time": share,
        "service_in_process": in_process,
        "aims": {
            "single_positions_per_s": AIM_SINGLE,
            "batch_positions_per_s": AIM_BATCH,
            "evaluation_share_below": AIM_EVALUATION_SHARE,
        },
        "met": {
            "single": with_evaluation["parallel"]["positions_per_s"] >= AIM_SINGLE,
            "batch": with_evaluation["batch"]["positions_per_s"] >= AIM_BATCH,
            "evaluation_share": all(value is not None and value < AIM_EVALUATION_SHARE for value in share.values()),
        },
        "bench_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "server_log": SERVER_LOG.name,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"tracking-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        path.write_text(json.dumps(figures, indent=2))
        print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
