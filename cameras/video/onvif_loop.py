"""The ONVIF events of a camera the worker holds the lease of: one `OnvifLoop` thread per camera keeps a
PullPoint subscription (cameras.onvif), stores what the camera says as events (cameras.services.pushed)
and keeps the camera's health (cameras.services.health); stopping it unsubscribes.

A thread per camera, each running an event loop of its own, rather than one event loop in one thread
for every ONVIF camera of the worker:
- Django's ORM refuses to run inside a running event loop. Here the loop runs only while the thread
  waits on the camera (`asyncio.Runner.run`), and the events are stored between two waits, in the
  thread, synchronously, as a CameraLoop stores its own: no `sync_to_async`, no executor that every
  camera's writes would queue in.
- One camera's slow answers, slow writes or failure never hold another's, as with the stream loops.
- Its life is its camera's lease, exactly as a CameraLoop's: VideoWorker starts and stops both alike
  (a camera may have both, the detect stream's and this one).
The price is a thread per ONVIF camera, nearly always asleep in a long poll; a worker carries at most its
capacity of cameras either way.

Liveness: a pull that succeeds, even empty, is the camera answering. For a camera without a detect
stream that is its health: answering again is "up" and resolves its "camera down"; unreachable or
refusing our credentials past its grace is "camera down", as a dead stream is. A camera with a detect
stream is up or down by its stream only (its CameraLoop's); its ONVIF answers only keep its last
contact, so the two loops never contradict each other over `stream_up`. Failures are retried with the
stream's doubling backoff (settings.VIDEO_RECONNECT_SECONDS); refused credentials wait the longest at
once, since only a person can fix them.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Coroutine
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import close_old_connections, connection

from cameras.models import Camera, EventOrigin
from cameras.onvif import OnvifError, OnvifEventSource, OnvifNotification
from cameras.services.health import (
    camera_answers_again,
    camera_contact_seen,
    camera_stream_lost,
    worker_events_interrupted,
)
from cameras.services.pushed import onvif_notification_store

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A long poll's wait: an idle camera answers this often, which is how we know it is there.
PULL_WAIT_SECONDS = 5.0
CONTACT_EVERY_SECONDS = 5.0  # last_contact_at is written at most this often
STOP_CHECK_SECONDS = 0.25  # how soon a wait on the camera notices that the loop is told to stop


class _Stopped(Exception):
    """The loop was told to stop while it waited on the camera."""


class OnvifLoop(threading.Thread):
    """One camera's ONVIF events: subscribe, pull, store, until told to stop; then unsubscribe."""

    def __init__(self, camera: Camera, *, wait_s: float = PULL_WAIT_SECONDS, timeout_s: float = 10.0):
        super().__init__(name=f"onvif-{camera.pk}", daemon=True)
        self.camera = camera
        self.stop = threading.Event()
        self.wait_s = wait_s
        # Whether its answers are its health: only when no detect stream says it (see the module's doc).
        self.liveness = not camera.detect_stream
        self.source = OnvifEventSource(
            host=camera.onvif_host,
            port=camera.onvif_port,
            username=camera.onvif_username,
            password=camera.onvif_password,
            timeout_s=timeout_s,
        )
        self.backoff = 0.0  # the wait before the next attempt after a failure
        self.failures = 0  # attempts failed since the camera last answered
        self._error = ""  # the last failure, logged when it changes rather than at every attempt

    def run(self) -> None:
        try:
            with asyncio.Runner() as runner:
                try:
                    self._run(runner)
                finally:
                    # Bounded by the source's timeout and never raising: the camera frees its pull point
                    # now rather than when the subscription runs out.
                    runner.run(self.source.close())
        except Exception:
            logger.exception("camera %s: its ONVIF loop failed", self.camera.pk)
        finally:
            connection.close()

    def _run(self, runner: asyncio.Runner) -> None:
        camera = self.camera
        close_old_connections()
        worker_events_interrupted(camera=camera, at=datetime.now(UTC), origin=EventOrigin.ONVIF)
        backoff_min, backoff_max = settings.VIDEO_RECONNECT_SECONDS
        self.backoff = backoff_min
        answered = time.time()  # a camera that never answers is down after its grace from now
        failing = False
        subscribed = False
        next_contact = 0.0
        while not self.stop.is_set():
            try:
                if not subscribed:
                    self._wait(runner, self.source.start())
                    subscribed = True
                notifications = self._wait(runner, self.source.pull(wait_s=self.wait_s))
            except _Stopped:
                break
            except OnvifError as error:
                subscribed = False
                failing = True
                self._failed(error, since=answered)
                if error.credentials:
                    self.backoff = backoff_max
                self.failures += 1
                self.stop.wait(self.backoff)
                self.backoff = min(self.backoff * 2, backoff_max)
                continue
            now_s = time.time()
            answered, self.backoff = now_s, backoff_min
            at = datetime.fromtimestamp(now_s, UTC)
            close_old_connections()
            if self.liveness and (failing or camera.stream_up is not True):
                camera_answers_again(camera=camera, at=at)
                next_contact = now_s + CONTACT_EVERY_SECONDS
            elif failing or now_s >= next_contact:
                camera_contact_seen(camera=camera, at=at)
                next_contact = now_s + CONTACT_EVERY_SECONDS
            if failing:
                logger.info("camera %s: %s answers again", camera.pk, self.source)
                failing, self.failures, self._error = False, 0, ""
            self._store(notifications, received_at=at)

    def _store(self, notifications: list[OnvifNotification], *, received_at: datetime) -> None:
        for notification in notifications:
            onvif_notification_store(camera=self.camera, notification=notification, received_at=received_at)

    def _failed(self, error: OnvifError, *, since: float) -> None:
        message = str(error)
        if message != self._error:
            self._error = message
            if error.credentials:
                logger.error(
                    "camera %s: %s; check its ONVIF user and password, retrying every %g s",
                    self.camera.pk,
                    message,
                    settings.VIDEO_RECONNECT_SECONDS[1],
                )
            else:
                logger.warning("camera %s: %s", self.camera.pk, message)
        if not self.liveness:
            return
        close_old_connections()
        down = time.time() - since >= self.camera.down_grace_seconds
        camera_stream_lost(camera=self.camera, since=datetime.fromtimestamp(since, UTC), error=message, down=down)

    def _wait(self, runner: asyncio.Runner, work: Coroutine[Any, Any, T]) -> T:
        return runner.run(self._unless_stopped(work))

    async def _unless_stopped(self, work: Coroutine[Any, Any, T]) -> T:
        """The work's result, unless the loop is told to stop first: then the work is cancelled (a long
        poll need not run out) and _Stopped raised."""
        task = asyncio.create_task(work)
        while not self.stop.is_set():
            done, _pending = await asyncio.wait({task}, timeout=STOP_CHECK_SECONDS)
            if done:
                return task.result()
        task.cancel()
        with suppress(asyncio.CancelledError, OnvifError):
            await task
        raise _Stopped
