"""A real RTSP stream: Debian's ffmpeg sends a rendered clip over RTSP (ANNOUNCE/RECORD, RTP interleaved
on TCP) and the camera's loop reads it through cv2.VideoCapture, whose FFmpeg listens (`-rtsp_flags
listen`, the way drones' ground stations and push-only encoders deliver). The stream breaking is a
camera-down alert; ffmpeg sending again resolves it."""

import contextlib
import os
import signal
import socket
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from cameras.models import Camera, CameraEvent
from cameras.services.registry import camera_create
from cameras.video.worker import CameraLoop
from opscenter.models import Alert
from tests.cameras.test_worker import eventually, render_clip
from tests.factories import district


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def send(clip: Path, url: str) -> subprocess.Popen:
    """ffmpeg publishing the clip, looped at its own rate, until it is stopped; retried until the
    listener is up."""
    script = (
        "for i in $(seq 100); do "
        f"ffmpeg -nostdin -loglevel error -re -stream_loop -1 -i '{clip}' -c:v libx264 -preset ultrafast "
        f"-tune zerolatency -g 10 -pix_fmt yuv420p -f rtsp -rtsp_transport tcp '{url}' && break; sleep 0.2; done"
    )
    return subprocess.Popen(["bash", "-c", script], start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_loop_reads_a_real_rtsp_stream_and_its_breaking_is_a_camera_down(tmp_path, settings, monkeypatch):
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp|rtsp_flags;listen|listen_timeout;2")
    settings.VIDEO_RECONNECT_SECONDS = (0.1, 0.2)
    settings.VIDEO_LATEST_FRAME_SECONDS = 0.5
    url = f"rtsp://127.0.0.1:{free_port()}/street"
    clip = render_clip(tmp_path / "street.mp4", seconds=3)
    camera, _ = camera_create(name="Street", kind="fixed", district=district("uralsk"), detect_stream=url)
    Camera.objects.filter(pk=camera.pk).update(down_grace_seconds=2)
    camera.refresh_from_db()
    loop = CameraLoop(camera)
    sender = send(clip, url)
    loop.start()
    try:
        eventually(lambda: Camera.objects.get(pk=camera.pk).latest_frame_at is not None)
        camera.refresh_from_db()
        assert camera.stream_up is True
        frame = cv2.imdecode(np.frombuffer(camera.latest_frame.read(), np.uint8), cv2.IMREAD_COLOR)
        assert frame.shape == (180, 320, 3)  # the clip's own frames, decoded from RTP
        assert not Alert.objects.filter(kind="camera_down").exists()

        stop(sender)  # the stream breaks
        eventually(lambda: Alert.objects.filter(kind="camera_down", status="new").exists())
        assert Camera.objects.get(pk=camera.pk).stream_up is False

        sender = send(clip, url)  # and comes back
        eventually(lambda: Alert.objects.get(kind="camera_down").status == "resolved")
        assert Camera.objects.get(pk=camera.pk).stream_up is True
        assert CameraEvent.objects.filter(camera=camera, kind="camera_down").count() == 1
    finally:
        loop.stop.set()
        stop(sender)
        loop.join(15)
