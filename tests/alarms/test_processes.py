"""`run_sia_receiver --processes N` as production runs it, in a process of its own: children die with the
parent (no orphan keeps the port), a dead child is restarted and logged; `sia_probe` asks it for an
answer; received frames have a retention period."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from alarms.models import ReceivedFrame, RefusedInput
from alarms.services import frame_receive, frames_purge
from alarms.tasks import purge_frames
from tests.alarms.frames import build_frame

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def eventually(condition, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("never happened")


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def free(port: int) -> bool:
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the receiver has it
        try:
            again.bind(("127.0.0.1", port))
            again.listen()
        except OSError:
            return False
        return True


@pytest.fixture
def supervisor(tmp_path):
    port = free_port()
    log = (tmp_path / "receiver.log").open("w+")
    env = {**os.environ, "SECRET_KEY": "x", "LOG_LEVEL": "INFO", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_sia_receiver",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--processes",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        eventually(lambda: len(children_of(process.pid)) == 2 and listening(port))
        yield process, port, log
    finally:
        for pid in [*children_of(process.pid), process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(10)
        log.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG and /proc are Linux's")
def test_a_dead_child_is_restarted_and_logged(supervisor):
    process, port, log = supervisor
    first, second = children_of(process.pid)

    os.kill(first, signal.SIGKILL)

    now = eventually(lambda: (c := children_of(process.pid)) and len(c) == 2 and first not in c and c)
    assert second in now

    def logged() -> bool:
        log.seek(0)
        return f"Receiver process {first} exited (code -9); restarted as" in log.read()

    eventually(logged)
    assert listening(port)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG and /proc are Linux's")
def test_children_die_with_their_parent_and_free_the_port(supervisor):
    process, port, _log = supervisor
    children = children_of(process.pid)

    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)

    eventually(lambda: not any(alive(child) for child in children))
    eventually(lambda: free(port))  # nobody holds it any more (the kernel may take a moment with the probes)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_probe_gets_an_answer_from_a_running_receiver_and_fails_without_one(panel):
    from tests.alarms.running import RunningReceiver

    running = RunningReceiver()
    try:
        out = StringIO()
        call_command("sia_probe", "--port", str(running.port), stdout=out)
        assert out.getvalue().strip() == f"127.0.0.1:{running.port} answered DUH"
    finally:
        running.stop()
    with pytest.raises(CommandError, match="no answer"):
        call_command("sia_probe", "--port", str(free_port()), "--timeout", "1")


def test_the_probe_refuses_a_port_that_only_accepts():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(CommandError, match="no answer"):
            call_command("sia_probe", "--port", str(silent.getsockname()[1]), "--timeout", "1")


@pytest.mark.django_db
def test_frames_without_an_event_and_stale_tallies_are_purged_after_the_retention(panel, settings):
    settings.SIA_FRAME_RETENTION_DAYS = 30
    now = timezone.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    for moment, sequence in ((old, "0001"), (recent, "0002")):
        frame_receive(
            raw=build_frame(data="1602 00 000", sequence=sequence, timestamp=None),
            transport="tcp",
            peer="192.0.2.1:1",
            now=moment,
        )
    frame_receive(
        raw=build_frame(data="1120 01 015", sequence="0003", timestamp=None),
        transport="tcp",
        peer="192.0.2.1:1",
        now=old,
    )
    frame_receive(raw=b"\n\r" * 20, transport="udp", peer="198.51.100.9:5", now=old)

    assert frames_purge(now=now) == 2  # the old link test and the old tally

    assert sorted(ReceivedFrame.objects.values_list("sequence", flat=True)) == ["0002", "0003"]  # 0003 has an event
    assert RefusedInput.objects.count() == 0
    assert purge_frames() == 0
