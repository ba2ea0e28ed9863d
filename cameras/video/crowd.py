"""People counted per crowd zone: counts and density only, never an identity, never a face crop.

Where people are large enough in the image (a standing person at least `HOG_MIN_HEIGHT` px tall), OpenCV's
HOG people detector counts them on the regions that moved. Where they are smaller, the long-term
foreground's occupancy is divided by the area one person covers at that row, from the camera's
perspective (a standing person's height as a share of the image at its top and bottom rows).

A gathering is N people staying T seconds. Counts are smoothed (the median of the last few), it starts
when the smoothed count has held at N or more for T seconds, and ends only when it has stayed below
`END_SHARE` of N for `END_SECONDS`: it neither flickers nor repeats."""

from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

HOG_MIN_HEIGHT = 96  # px in the detect frame; the detector's window is 64 x 128
PERSON_AREA_SHARE = 0.3  # a standing person's silhouette covers about 0.3 h² (h its height)
END_SHARE = 0.7
END_SECONDS = 10.0
SMOOTHING = 5  # counts in the median


@dataclass(frozen=True)
class Perspective:
    top: float  # a person's height as a share of the image height, at the top row
    bottom: float  # at the bottom row

    def person_height(self, row: np.ndarray | float, height: int) -> np.ndarray | float:
        return (self.top + (self.bottom - self.top) * (np.asarray(row) / max(1, height - 1))) * height


class PeopleCounter:
    def __init__(self, *, frame_shape: tuple[int, int], work_shape: tuple[int, int], perspective: Perspective | None):
        self.height, self.width = frame_shape
        self.perspective = perspective
        self.hog: cv2.HOGDescriptor | None = None
        work_height, work_width = work_shape
        self.work_scale = work_width / self.width
        # People per foreground pixel of the work frame, by row: 1 / (one person's area at that row).
        self.per_pixel = None
        self.hog_rows = np.zeros(work_height, dtype=bool)
        if perspective is not None:
            rows = np.arange(work_height) / self.work_scale
            person = np.asarray(perspective.person_height(rows, self.height), dtype=np.float32)
            self.hog_rows = person >= HOG_MIN_HEIGHT
            area = (person * self.work_scale) ** 2 * PERSON_AREA_SHARE
            self.per_pixel = np.where(self.hog_rows, 0.0, 1.0 / np.maximum(area, 1.0)).astype(np.float32)

    def count(
        self, *, frame: np.ndarray, foreground: np.ndarray, moved: list[tuple[int, int, int, int]], zone: np.ndarray
    ) -> float:
        """People in a zone: HOG on the moved regions where people are large, occupancy elsewhere.
        `foreground` and `zone` are work-size masks, `moved` the motion boxes in frame pixels."""
        people = 0.0
        if self.per_pixel is not None:
            people += float((foreground.astype(np.float32) * self.per_pixel[:, None]).sum())
        if self.perspective is None or self.hog_rows.any():
            people += self._hog_count(frame, moved, zone)
        return people

    def _hog_count(self, frame: np.ndarray, moved: list[tuple[int, int, int, int]], zone: np.ndarray) -> int:
        if self.hog is None:
            self.hog = cv2.HOGDescriptor()
            self.hog.setSVMDetector(np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), dtype=np.float32))
        found = 0
        for x, y, w, h in _merged(moved, self.width, self.height):
            if h < HOG_MIN_HEIGHT or w < 48:
                continue
            crop = frame[y : y + h, x : x + w]
            rects, _weights = self.hog.detectMultiScale(crop, winStride=(8, 8), padding=(8, 8), scale=1.1)
            for rx, ry, rw, rh in rects:
                # The foot of the person decides the zone (as it does on the ground).
                fx, fy = (x + rx + rw // 2) * self.work_scale, (y + ry + rh) * self.work_scale
                row, col = min(int(fy), zone.shape[0] - 1), min(int(fx), zone.shape[1] - 1)
                if zone[row, col] > 0 and (self.perspective is None or self.hog_rows[row]):
                    found += 1
        return found


def _merged(boxes: list[tuple[int, int, int, int]], width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Motion boxes grown by a margin and merged where they overlap, so a person is seen whole."""
    if not boxes:
        return []
    canvas = np.zeros((height, width), dtype=np.uint8)
    for x, y, w, h in boxes:
        margin = max(8, h // 4)
        cv2.rectangle(
            canvas,
            (max(0, x - margin), max(0, y - margin)),
            (min(width - 1, x + w + margin), min(height - 1, y + h + margin)),
            255,
            -1,
        )
    contours, _ = cv2.findContours(canvas, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return [tuple(int(v) for v in cv2.boundingRect(contour)) for contour in contours]  # type: ignore[misc]


@dataclass
class Gathering:
    """The hysteresis of one crowd zone. `observe` answers "start", "end" or None."""

    min_people: int
    seconds: float
    counts: deque = field(default_factory=lambda: deque(maxlen=SMOOTHING))
    above_since: float | None = None
    below_since: float | None = None
    active: bool = False
    peak: float = 0.0

    def observe(self, count: float, t: float) -> str | None:
        self.counts.append(count)
        smoothed = float(np.median(self.counts))
        self.smoothed = smoothed
        if not self.active:
            if smoothed >= self.min_people:
                self.above_since = t if self.above_since is None else self.above_since
                if t - self.above_since >= self.seconds:
                    self.active, self.below_since, self.peak = True, None, smoothed
                    return "start"
            else:
                self.above_since = None
            return None
        self.peak = max(self.peak, smoothed)
        if smoothed < self.min_people * END_SHARE:
            self.below_since = t if self.below_since is None else self.below_since
            if t - self.below_since >= END_SECONDS:
                self.active, self.above_since = False, None
                return "end"
        else:
            self.below_since = None
        return None
