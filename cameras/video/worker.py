"""`run_video_analytics`: a process that claims cameras by lease (cameras.services.leases) and runs one
thread per camera: read the detect stream, analyse it at the profile's rate, turn findings into events,
keep the camera's health and its latest frame. OpenCV releases the GIL while it decodes and computes,
so one process carries many cameras; more processes on more hosts carry more. A camera whose events
are read over ONVIF has a second thread under the same lease (cameras.video.onvif_loop), or only that
one when it has no detect stream.

A stream that breaks is reopened with a doubling backoff; when it stays broken past the camera's grace
the camera is down (one event and its P3 alert, resolved by itself when frames return)."""

import logging
import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any

import cv2
from django.conf import settings
from django.db import close_old_connections, connection

from cameras.models import AnalyticsProfile, Camera, CameraEvent, EventOrigin, PushProtocol
from cameras.services import events as event_services
from cameras.services.health import (
    camera_frame_seen,
    camera_frames_arrived,
    camera_latest_frame_store,
    camera_stream_lost,
    worker_events_interrupted,
)
from cameras.services.leases import leases_claim, leases_release, leases_renew, worker_gone, worker_present
from cameras.services.plates import vehicle_passed
from cameras.video.analyser import AnalyserSettings, CameraAnalyser, Finding
from cameras.video.crowd import Perspective
from cameras.video.daynight import is_dark, is_grey
from cameras.video.motion import MotionSettings
from cameras.video.onvif_loop import OnvifLoop
from cameras.video.sources import FrameSource
from cameras.zones import zones_of

logger = logging.getLogger(__name__)

HEALTH_EVERY_SECONDS = 5.0  # last_frame_at is written at most this often
NIGHT_CHECK_SECONDS = 60.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{threading.get_native_id()}"


def analyser_settings(camera: Camera, profile: AnalyticsProfile) -> AnalyserSettings:
    perspective = camera.perspective or {}
    return AnalyserSettings(
        motion=MotionSettings(
            frame_height=profile.motion_frame_height,
            threshold=profile.motion_threshold,
            contour_area=profile.motion_contour_area,
            frame_alpha=profile.motion_frame_alpha,
            lightning_threshold=profile.lightning_threshold,
        ),
        fps=profile.analysis_fps,
        crowd=profile.crowd_detection,
        crowd_min_people=profile.crowd_min_people,
        crowd_seconds=profile.crowd_seconds,
        dumping=profile.dumping_detection,
        dumping_seconds=profile.dumping_seconds,
        lanes=profile.lane_incidents,
        lane_stop_seconds=profile.lane_stop_seconds,
        static_min_area=profile.static_min_area,
        plates=profile.plate_reading,
        zones=tuple(zones_of(camera.zones)),
        perspective=Perspective(top=perspective["top"], bottom=perspective["bottom"]) if perspective else None,
    )


class CameraLoop(threading.Thread):
    """One camera: stream → analyser → events, until told to stop."""

    def __init__(self, camera: Camera):
        super().__init__(name=f"camera-{camera.pk}", daemon=True)
        self.camera = camera
        self.stop = threading.Event()
        self.open_events: dict[tuple[str, str, int], CameraEvent] = {}

    def run(self) -> None:
        try:
            self._run()
        except Exception:
            logger.exception("camera %s: its loop failed", self.camera.pk)
        finally:
            connection.close()

    def _run(self) -> None:
        camera = self.camera
        now = datetime.now(UTC)
        worker_events_interrupted(camera=camera, at=now)
        source = FrameSource(camera.detect_stream)
        backoff_min, backoff_max = settings.VIDEO_RECONNECT_SECONDS
        backoff = backoff_min
        last_frame = time.time()  # a camera that never sends is down after its grace from now
        lost_since: float | None = None
        analyser: CameraAnalyser | None = None
        night = False
        next_analysis = next_health = next_latest = next_night = 0.0
        while not self.stop.is_set():
            if source.capture is None and not source.open():
                lost_since = lost_since or last_frame
                self._lost(lost_since, "cannot open the stream")
                self.stop.wait(backoff)
                backoff = min(backoff * 2, backoff_max)
                continue
            frame = source.read()
            now_s = time.time()
            if frame is None:
                source.close()
                lost_since = lost_since or last_frame
                self._lost(lost_since, "the stream broke")
                continue
            backoff = backoff_min
            last_frame = now_s
            if source.restarted and analyser is not None:
                # A looped file started again: what the models learnt of its end says nothing of its start.
                self._close_open(datetime.fromtimestamp(now_s, UTC))
                analyser, next_night = None, 0.0
            at = datetime.fromtimestamp(now_s, UTC)
            if lost_since is not None or camera.stream_up is not True:
                close_old_connections()
                camera_frames_arrived(camera=camera, at=at)
                lost_since = None
                next_health = now_s + HEALTH_EVERY_SECONDS
            elif now_s >= next_health:
                camera_frame_seen(camera=camera, at=at)
                next_health = now_s + HEALTH_EVERY_SECONDS
            if now_s >= next_latest:
                ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
                if ok:
                    camera_latest_frame_store(camera=camera, jpeg=jpeg.tobytes(), at=at)
                next_latest = now_s + settings.VIDEO_LATEST_FRAME_SECONDS
            if now_s >= next_night:
                next_night = now_s + NIGHT_CHECK_SECONDS
                dark = camera.night_profile is not None and (
                    is_grey(frame) or is_dark(at, camera.latitude, camera.longitude)
                )
                if analyser is None or dark != night:
                    night = dark
                    profile = camera.night_profile if night and camera.night_profile else camera.profile
                    analyser = CameraAnalyser(frame_shape=frame.shape[:2], settings=analyser_settings(camera, profile))
            assert analyser is not None
            if now_s < next_analysis:
                continue
            next_analysis = now_s + 1.0 / analyser.settings.fps
            for finding in analyser.analyse(frame, now_s):
                self._record(finding)
        source.close()

    def _close_open(self, at: datetime) -> None:
        close_old_connections()
        for event in self.open_events.values():
            event_services.event_close(event=event, ended_at=at)
        self.open_events.clear()

    def _lost(self, since: float, error: str) -> None:
        close_old_connections()
        down = time.time() - since >= self.camera.down_grace_seconds
        camera_stream_lost(camera=self.camera, since=datetime.fromtimestamp(since, UTC), error=error, down=down)

    def _record(self, finding: Finding) -> None:
        if finding.kind == "vehicle":  # reading its plate is heavy: the recognition queue does it
            try:
                vehicle_passed(camera=self.camera, finding=finding)
            except Exception:  # the broker away: this vehicle's plate is lost, the camera's loop is not
                logger.exception("camera %s: a passing vehicle could not be handed over for reading", self.camera.pk)
            return
        close_old_connections()
        key = (finding.kind, finding.zone, finding.key)
        at = datetime.fromtimestamp(finding.t, UTC)
        pictures = {kind: (jpeg, at) for kind, jpeg in finding.pictures.items() if jpeg}
        if finding.action == "start":
            event = event_services.event_open(
                camera=self.camera,
                kind=finding.kind,
                origin=EventOrigin.WORKER,
                started_at=at,
                zone=finding.zone,
                score=finding.score,
                box=list(finding.box) if finding.box else None,
                data=_plain(finding.data),
                pictures=pictures,
            )
            if event is not None:
                self.open_events[key] = event
        elif finding.action == "update" and key in self.open_events:
            event_services.event_update(event=self.open_events[key], score=finding.score, pictures=pictures)
        elif finding.action == "end" and key in self.open_events:
            event_services.event_close(event=self.open_events.pop(key), ended_at=at, pictures=pictures)


def _plain(value: Any) -> Any:
    """Findings hold NumPy numbers; JSON holds plain ones."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "item"):
        return value.item()
    return value


Loop = CameraLoop | OnvifLoop


def camera_loops(camera: Camera) -> dict[str, type[Loop]]:
    """The loops a camera runs, by name: its detect stream's, its ONVIF events', or both (the cameras
    leases_claim gives out have at least one)."""
    loops: dict[str, type[Loop]] = {}
    if camera.detect_stream:
        loops["stream"] = CameraLoop
    if camera.push_protocol == PushProtocol.ONVIF and camera.onvif_host:
        loops["onvif"] = OnvifLoop
    return loops


class VideoWorker:
    """Claims its fair share of the cameras (at most `capacity`), renews their leases every third of the
    lease time, starts and stops their loops as leases are won, lost and handed to other workers."""

    def __init__(self, *, name: str | None = None, capacity: int = 50):
        self.name = name or worker_name()
        self.capacity = capacity
        self.loops: dict[int, dict[str, Loop]] = {}  # camera → its loops by name

    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                self.tick()
                stop.wait(settings.VIDEO_LEASE_SECONDS / 3)
        finally:
            self.shutdown()

    def tick(self) -> None:
        close_old_connections()
        now = datetime.now(UTC)
        # A loop that failed is started again below: beside its camera's other loop, or with its camera
        # claimed again when it was the only one.
        failed: list[Camera] = []
        for pk, loops in list(self.loops.items()):
            for name, loop in list(loops.items()):
                if not loop.is_alive():
                    failed.append(loops.pop(name).camera)
            if not loops:
                del self.loops[pk]
        share, wanted = worker_present(owner=self.name, capacity=self.capacity, now=now)
        held = leases_renew(owner=self.name, camera_pks=list(self.loops), now=now)
        for pk in set(self.loops) - held:
            logger.info("camera %s: lease lost, letting it go", pk)
            for loop in self.loops.pop(pk).values():
                loop.stop.set()
        surplus = sorted(self.loops)[share:] if wanted else []
        if surplus:  # more than its share, and another worker wants some: the newest cameras go to it
            logger.info("cameras %s: more than this worker's share (%s), letting them go", surplus, share)
            for pk in surplus:
                for loop in self.loops.pop(pk).values():
                    loop.stop.set()
            leases_release(owner=self.name, camera_pks=surplus)
        for camera in failed:
            if camera.pk in self.loops:
                self._start(camera)
        # Up to its share while others want theirs; up to its capacity when nobody else takes them.
        limit = (share if wanted else self.capacity) - len(self.loops)
        for camera in leases_claim(owner=self.name, limit=limit, now=now, held=list(self.loops)):
            self._start(camera)

    def _start(self, camera: Camera) -> None:
        """Start the loops of the camera that are not running yet."""
        loops = self.loops.setdefault(camera.pk, {})
        for name, loop_class in camera_loops(camera).items():
            if name not in loops:
                logger.info("camera %s: %s loop for %s", camera.pk, name, camera.name)
                loops[name] = loop_class(camera)
                loops[name].start()
        if not loops:
            del self.loops[camera.pk]

    def shutdown(self) -> None:
        loops = [loop for by_name in self.loops.values() for loop in by_name.values()]
        for loop in loops:
            loop.stop.set()
        for loop in loops:
            loop.join(timeout=10)
        close_old_connections()
        leases_release(owner=self.name, camera_pks=list(self.loops))
        worker_gone(owner=self.name)
        self.loops.clear()
