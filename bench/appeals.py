"""Throughput and latency of filing appeals through the partner API on PostgreSQL: signed, idempotent
POST /api/v1/partner/appeals through Daphne, against an unsigned no-op POST (same body, same Daphne,
same clients) measured in the same run, and the replay of an Idempotency-Key.

Each of --clients threads keeps one HTTP/1.1 connection and sends its next request as soon as the last
is answered (a closed loop), for --seconds per phase. Every appeal is signed anew and carries its own
Idempotency-Key and partner_reference; the replay phase resends keys already used (same body, a fresh
signature) and must get the stored 201.

    .venv/bin/python bench/appeals.py                       # 4 clients, 10 s per phase
    .venv/bin/python bench/appeals.py --seconds 3           # quick
    DATABASE_POOL=True .venv/bin/python bench/appeals.py    # Daphne with pooled connections, as compose's web

It needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/opscenter_bench: create
it once with `createdb -h 127.0.0.1 -U postgres opscenter_bench`) and Redis (REDIS_URL, default
redis://127.0.0.1:6379/0; the cache holds the seen signatures). Run it on that database of its own:
it deletes its appeals afterwards, which leaves gaps in that database's registration numbers.
"""

import argparse
import http.client
import json
import math
import os
import platform
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CREATE_PATH = "/api/v1/partner/appeals"
NOOP_PATH = "/api/v1/partner/bench/noop"
PARTNER_CODE = "bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each phase (default 10)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--json", action="store_true", help="also write the figures to bench/results/")
    return parser.parse_args()


def set_up_django() -> None:
    """Point this process, and the Daphne it starts, at PostgreSQL and Redis, in production's shape."""
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opscenter_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("PARTNER_THROTTLE_RATE", "1000000/second")  # one partner at full speed
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    os.environ["APPEALS_BENCH_ENDPOINTS"] = "1"  # the no-op endpoint, in Daphne too
    sys.path[0] = str(ROOT)
    import django

    django.setup()


def prepare_partner():
    """Migrate; a bench partner with fresh credentials and no webhook (nothing goes to the outbox)."""
    from django.core.management import call_command

    from appeals.models import Partner
    from appeals.services.partners import partner_create, partner_rotate

    call_command("migrate", verbosity=0)
    clean_up()
    partner = Partner.objects.filter(code=PARTNER_CODE).first()
    if partner is None:
        partner, credentials = partner_create(code=PARTNER_CODE, name="Bench")
    else:
        Partner.objects.filter(pk=partner.pk).update(webhook_url="", is_active=True)
        credentials = partner_rotate(partner=partner, overlap_hours=0)
    return credentials


def clean_up() -> None:
    """Delete the bench partner's appeals and idempotency keys (their audit entries stay: append-only)."""
    from appeals.models import Appeal, IdempotencyKey

    Appeal.objects.filter(partner__code=PARTNER_CODE).delete()
    IdempotencyKey.objects.filter(partner__code=PARTNER_CODE).delete()


class Daphne:
    """The web process of production, started for the run on a free port."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = Path(tempfile.mkstemp(prefix="bench-appeals-daphne-", suffix=".log")[1])
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
        self.stop()
        raise SystemExit(f"Daphne did not answer /healthz; see {self.log}")

    def _status(self, field: str) -> int:
        lines = Path(f"/proc/{self.process.pid}/status").read_text().splitlines()
        return next(int(line.split()[1]) for line in lines if line.startswith(field))

    def rss_mib(self) -> float:
        return round(self._status("VmRSS:") / 1024, 1)

    def peak_mib(self) -> float:
        return round(self._status("VmHWM:") / 1024, 1)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        errors = sum(" ERROR " in line for line in self.log.read_text(errors="replace").splitlines())
        if not errors:
            self.log.unlink()
        return errors


def body_for(index: int) -> bytes:
    return json.dumps(
        {
            "category": "traffic_violation",
            "appeal_type": "report",
            "description": f"Автомобиль паркуется на тротуаре возле школы №5 каждое утро, мешает детям. Замер {index}.",
            "occurred_at": "2026-11-20T08:10:00+05:00",
            "location": {"lat": 51.2302, "lon": 51.3860, "address": "Уральск, пр. Достык 12"},
            "applicant": {"iin": "900115300013", "full_name": "Серикова Айгуль", "phone": "+77011234567"},
            "anonymous": False,
            "attachments": [],
            "partner_reference": f"bench-{index}",
        },
        ensure_ascii=False,
    ).encode()


def signed_headers(credentials, path: str, body: bytes, key: str) -> dict:
    from appeals.signing import request_signature

    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "X-Partner-Key": credentials.key_id,
        "X-Timestamp": timestamp,
        "X-Signature": request_signature(
            secret=credentials.secret, timestamp=timestamp, method="POST", path=path, body=body
        ),
        "Idempotency-Key": key,
    }


def run_phase(port: int, clients: int, seconds: float, make_request) -> dict:
    """make_request(client_index, sequence) -> (path, body, headers, expected status), or None to stop
    that client. A closed loop: each client sends its next request when the last is answered."""
    latencies: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    deadline_holder: list[float] = []

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        sequence = 0
        start_gate.wait()
        deadline = deadline_holder[0]
        while time.perf_counter() < deadline:
            request = make_request(index, sequence)
            if request is None:
                break
            path, body, headers, expected = request
            sequence += 1
            began = time.perf_counter()
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status, payload = type(error).__name__, b""
            elapsed = (time.perf_counter() - began) * 1000
            if status == expected:
                mine.append(elapsed)
            else:
                with lock:
                    key = f"{status} {payload[:80].decode(errors='replace')}"
                    failures[key] = failures.get(key, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline_holder.append(began + seconds)
    start_gate.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"requests": len(latencies), "throughput_per_s": round(len(latencies) / elapsed, 1),
            **percentiles(latencies), "failures": failures}  # fmt: skip


def percentiles(latencies_ms: list[float]) -> dict:
    ordered = sorted(latencies_ms)

    def rank(p: float):
        return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 2) if ordered else None

    return {"p50_ms": rank(50), "p90_ms": rank(90), "p99_ms": rank(99), "max_ms": rank(100)}


def environment() -> dict:
    from django.db import connection

    packages = {name: version(name) for name in ("Django", "djangorestframework", "daphne", "cryptography")}
    postgresql = f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    return {"python": platform.python_version(), **packages, "postgresql": postgresql, "cpus": os.cpu_count(),
            "load average": round(os.getloadavg()[0], 2)}  # fmt: skip


def main() -> None:
    args = parse_args()
    set_up_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The bench runs on PostgreSQL: set DATABASE_URL.")
    credentials = prepare_partner()
    connection.close()
    run_id = uuid.uuid4().hex[:8]
    created_keys: list[tuple[str, bytes]] = []
    keys_lock = threading.Lock()

    def noop(index: int, sequence: int):
        return NOOP_PATH, body_for(sequence), {"Content-Type": "application/json"}, 201

    def create(index: int, sequence: int):
        number = index * 10_000_000 + sequence
        body, key = body_for(number), f"{run_id}-{number}"
        with keys_lock:
            created_keys.append((key, body))
        return CREATE_PATH, body, signed_headers(credentials, CREATE_PATH, body, key), 201

    replayed = iter(range(10**9))

    def replay(index: int, sequence: int):
        # Each key once: a body sent twice within one second would carry the same signature, which is
        # refused as a replayed request (the phase starts over a second after the last create, too).
        with keys_lock:
            position = next(replayed)
            if position >= len(created_keys):
                return None
            key, body = created_keys[position]
        return CREATE_PATH, body, signed_headers(credentials, CREATE_PATH, body, key), 201

    daphne = Daphne()
    try:
        run_phase(daphne.port, args.clients, 1.0, noop)  # warm-up: imports, connections
        cpu = daphne.cpu_seconds()
        baseline = run_phase(daphne.port, args.clients, args.seconds, noop)
        baseline["daphne_cpu_ms_per_request"] = round(
            (daphne.cpu_seconds() - cpu) * 1000 / max(1, baseline["requests"]), 2
        )
        peak_after_baseline = daphne.peak_mib()
        cpu = daphne.cpu_seconds()
        appeals = run_phase(daphne.port, args.clients, args.seconds, create)
        appeals["daphne_cpu_ms_per_request"] = round(
            (daphne.cpu_seconds() - cpu) * 1000 / max(1, appeals["requests"]), 2
        )
        time.sleep(1.1)
        replays = run_phase(daphne.port, args.clients, min(args.seconds, 3.0), replay)
        peak = daphne.peak_mib()
        rss = daphne.rss_mib()
    finally:
        errors = daphne.stop()
    from appeals.models import Appeal

    stored = Appeal.objects.filter(partner__code=PARTNER_CODE).count()
    clean_up()
    ratio = {name: round(appeals[f"{name}_ms"] / baseline[f"{name}_ms"], 1)
             for name in ("p50", "p99") if appeals[f"{name}_ms"] and baseline[f"{name}_ms"]}  # fmt: skip
    ratio["throughput"] = (
        round(baseline["throughput_per_s"] / appeals["throughput_per_s"], 1) if appeals["throughput_per_s"] else None
    )
    result = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": args.seconds,
        "clients": args.clients,
        "body_bytes": len(body_for(0)),
        "noop": baseline,
        "appeals": appeals,
        "replays": replays,
        "appeals_stored": stored,
        "ratio": ratio,
        "daphne_memory_mib": {"peak": peak, "peak_after_noop": peak_after_baseline, "rss_at_end": rss},
        "bench_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "daphne_errors": errors,
        "environment": environment(),
    }
    report(result)
    if args.json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"appeals-{time.strftime('%Y%m%d-%H%M%S')}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(f"written to {path.relative_to(ROOT)}")


def report(result: dict) -> None:
    print(f"\nAppeals: {result['seconds']:g} s per phase, {result['clients']} clients, {result['body_bytes']} B bodies; "
          + ", ".join(f"{k} {v}" for k, v in result["environment"].items()))  # fmt: skip
    print(f"{'':24}{'signed appeal':>14}{'no-op':>10}{'ratio':>8}{'replay':>10}")
    for row in ("requests", "throughput_per_s", "p50_ms", "p90_ms", "p99_ms", "max_ms", "daphne_cpu_ms_per_request"):
        ratio = {"throughput_per_s": result["ratio"].get("throughput"), "p50_ms": result["ratio"].get("p50"),
                 "p99_ms": result["ratio"].get("p99")}.get(row, "")  # fmt: skip
        print(f"{row:24}{result['appeals'].get(row, '')!s:>14}{result['noop'].get(row, '')!s:>10}"
              f"{ratio if ratio is not None else '':>8}{result['replays'].get(row, '')!s:>10}")  # fmt: skip
    print(f"appeals stored: {result['appeals_stored']} (answered 201: {result['appeals']['requests']})")
    memory = result["daphne_memory_mib"]
    print(f"Daphne memory: peak {memory['peak']} MiB (after the no-op phase {memory['peak_after_noop']} MiB), "
          f"RSS at the end {memory['rss_at_end']} MiB; bench process peak {result['bench_peak_rss_mib']} MiB")  # fmt: skip
    for phase in ("noop", "appeals", "replays"):
        for failure, count in result[phase]["failures"].items():
            print(f"WARNING: {phase}: {count} x {failure}")
    if result["daphne_errors"]:
        print(f"WARNING: Daphne logged {result['daphne_errors']} error(s)")


if __name__ == "__main__":
    main()
