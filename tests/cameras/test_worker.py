"""The worker on real streams: a camera's loop reading a clip through cv2.VideoCapture (FFmpeg), a dead
stream raising "camera down" and frames coming back resolving it, the latest frame stored; and two
worker processes sharing cameras evenly by lease (the second, started beside a first that took them all,
gets half), one killed with -9 and the other taking its cameras over."""

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from cameras.models import Camera, CameraEvent
from cameras.services.registry import camera_create
from cameras.video.worker import CameraLoop
from opscenter.models import Alert
from tests.factories import district

ROOT = Path(__file__).resolve().parents[2]


def eventually(condition, timeout: float = 30.0, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    raise AssertionError("condition not met in time")


def render_clip(path: Path, seconds: float = 2.0, fps: int = 10) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (320, 180))
    for index in range(int(seconds * fps)):
        frame = np.full((180, 320, 3), 120, np.uint8)
        cv2.rectangle(frame, (index * 8 % 300, 60), (index * 8 % 300 + 20, 120), (20, 20, 20), -1)
        writer.write(frame)
    writer.release()
    return path


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dead_stream_is_a_camera_down_alert_and_frames_coming_back_resolve_it(tmp_path, settings):
    settings.VIDEO_RECONNECT_SECONDS = (0.1, 0.2)
    settings.VIDEO_LATEST_FRAME_SECONDS = 0.5
    stream = tmp_path / "street.mp4"
    camera, _ = camera_create(name="Street", kind="fixed", district=district("uralsk"), detect_stream=str(stream))
    Camera.objects.filter(pk=camera.pk).update(down_grace_seconds=1)
    camera.refresh_from_db()
    loop = CameraLoop(camera)
    loop.start()
    try:
        eventually(lambda: Alert.objects.filter(source="cameras", kind="camera_down", status="new").exists())
        alert = Alert.objects.get(kind="camera_down")
        assert (alert.severity, alert.subject_id, alert.center.code) == (3, camera.pk, "uralsk")
        assert Camera.objects.get(pk=camera.pk).stream_up is False
        render_clip(tmp_path / "rendering.mp4").rename(stream)  # the stream comes back
        eventually(lambda: Alert.objects.get(pk=alert.pk).status == "resolved")
        alert.refresh_from_db()
        assert alert.disposition == "technical"
        eventually(lambda: Camera.objects.get(pk=camera.pk).latest_frame_at is not None)
        camera.refresh_from_db()
        assert camera.stream_up is True and camera.last_frame_at is not None
        assert camera.latest_frame.read().startswith(b"\xff\xd8")
        down = CameraEvent.objects.get(camera=camera, kind="camera_down")
        assert down.ended_at is not None
    finally:
        loop.stop.set()
        loop.join(10)
    assert CameraEvent.objects.filter(kind="camera_down").count() == 1  # once, however long it was down


def _manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )


def _leases(database: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as db:
        rows = db.execute(
            "SELECT lease_owner, COUNT(*) FROM cameras_camera WHERE lease_until > strftime('%Y-%m-%d %H:%M:%f', 'now') GROUP BY lease_owner"
        ).fetchall()
    return dict(rows)


def test_two_workers_share_the_cameras_evenly_and_one_takes_over_when_the_other_is_killed(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {**os.environ, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{database}", "VIDEO_LEASE_SECONDS": "3"}
    env.pop("REDIS_URL", None)
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    _manage(env, "migrate", "-v", "0")
    clip = render_clip(tmp_path / "clip.mp4")
    for index in range(4):
        _manage(
            env,
            "cameras_add",
            "--name",
            f"Cam {index}",
            "--kind",
            "fixed",
            "--district",
            "uralsk",
            "--stream",
            str(clip),
        )
    processes = {}
    try:
        for name in ("first", "second"):
            log = (tmp_path / f"{name}.log").open("w")
            processes[name] = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "run_video_analytics",
                    "--name",
                    name,
                    "--max-cameras",
                    "4",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            if name == "first":  # alone, it takes every camera; the second then gets its fair share
                eventually(lambda: _leases(database) == {"first": 4})
        eventually(lambda: _leases(database) == {"first": 2, "second": 2})
        os.kill(processes["first"].pid, signal.SIGKILL)
        processes["first"].wait(10)
        # Its leases run out after 3 s; the survivor's next heartbeat (every second) takes them.
        eventually(lambda: _leases(database) == {"second": 4}, timeout=15)
    finally:
        for process in processes.values():
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(15)
            if process.poll() is None:
                process.kill()
