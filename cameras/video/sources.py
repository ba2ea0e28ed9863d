"""A camera's detect stream through OpenCV's FFmpeg backend: RTSP (over TCP), HTTP MJPEG, or a file
(looped, at its own pace, for the demo's rendered streams). Opening and reading are bounded by timeouts,
so a dead camera costs a thread its timeout, never a hang."""

import os
import time

import cv2
import numpy as np

OPEN_TIMEOUT_MS = 5000
READ_TIMEOUT_MS = 5000

# RTSP over TCP: UDP loses packets, and so frames, on the mobile and radio links cameras hang off.
os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp")


class FrameSource:
    def __init__(self, url: str):
        self.url = url
        self.is_file = "://" not in url
        self.capture: cv2.VideoCapture | None = None
        self.file_fps = 0.0
        self.next_at = 0.0
        self.restarted = False  # a file just started again from its beginning (a new stream to the models)

    def open(self) -> bool:
        self.close()
        if self.is_file and not os.path.exists(self.url):
            return False
        capture = cv2.VideoCapture(
            self.url,
            cv2.CAP_FFMPEG,
            [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, OPEN_TIMEOUT_MS, cv2.CAP_PROP_READ_TIMEOUT_MSEC, READ_TIMEOUT_MS],
        )
        if not capture.isOpened():
            capture.release()
            return False
        self.capture = capture
        self.file_fps = (capture.get(cv2.CAP_PROP_FPS) or 25.0) if self.is_file else 0.0
        self.next_at = time.monotonic()
        return True

    def read(self) -> np.ndarray | None:
        """The next frame, or None when the stream broke (a file starts again from its beginning)."""
        if self.capture is None:
            return None
        ok, frame = self.capture.read()
        self.restarted = False
        if not ok and self.is_file:
            self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self.capture.read()
            self.restarted = ok
        if not ok:
            return None
        if self.is_file:  # a file plays at its own rate, as a camera would send it
            self.next_at += 1.0 / self.file_fps
            delay = self.next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                self.next_at = time.monotonic()
        return frame

    def close(self) -> None:
        if self.capture is not None:
            self.capture.release()
            self.capture = None
