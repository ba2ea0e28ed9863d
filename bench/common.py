"""What the benchmarks share: pointing Django at the bench's PostgreSQL and Redis, a free port, peak memory."""

import os
import secrets
import socket
import subprocess
from pathlib import Path


def set_up_django(run: str) -> str:
    """Default to the local PostgreSQL database `opscenter_bench` (created when missing) and Redis, under a
    channel-layer prefix of this run; set Django up and migrate. Returns the prefix."""
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opscenter_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The benches measure throughput from a few credentials: per-credential throttling would cap them.
    os.environ.setdefault("DEVICE_THROTTLE_RATE", "1000000/second")
    os.environ.setdefault("PARTNER_THROTTLE_RATE", "1000000/second")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    os.environ["CHANNEL_LAYER_PREFIX"] = f"bench-{run}-{secrets.token_hex(4)}"
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], capture_output=True, check=False)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return os.environ["CHANNEL_LAYER_PREFIX"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_rss_mb(pid: int) -> float | None:
    """The process's resident-memory high-water mark (VmHWM), or None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
