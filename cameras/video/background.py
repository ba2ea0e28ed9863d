"""What appeared and stayed: Porikli's dual background. A long-term model (slow learning) still sees an
object left behind as foreground long after a short-term model (fast learning) has taken it into its
background; a pixel that is foreground to the first and background to the second is static, and a
per-pixel accumulator of that evidence, decaying when it stops, tells what has stayed for T seconds.

Both models run on a small grey frame (`WORK_WIDTH` wide), which is all that a bag or a car needs and
keeps them cheap. The long-term foreground is also what the crowd counter measures occupancy on: people
standing still stay in it, where the motion gate no longer sees them."""

from dataclasses import dataclass

import cv2
import numpy as np

WORK_WIDTH = 320
# An object is still there while this share of its pixels differs from the ground before it by more than
# these grey levels (sensor noise and compression stay well under).
PRESENT_LEVELS = 18
PRESENT_SHARE = 0.4


@dataclass(frozen=True)
class StaticRegion:
    box: tuple[float, float, float, float]  # x, y, w, h normalised to 0..1
    area: float  # share of the image
    mask: np.ndarray  # bool, work-frame size


class DualBackground:
    def __init__(self, *, frame_shape: tuple[int, int], fps: float, static_seconds: float):
        height, width = frame_shape
        self.work_size = (WORK_WIDTH, max(1, round(height * WORK_WIDTH / width)))
        frames = max(1.0, fps * static_seconds)
        # The long-term model must keep a left object as foreground well past `static_seconds`: it learns
        # over about ten times as many frames. The short-term one absorbs it within a few seconds.
        self.long_rate = 1.0 / (10.0 * frames)
        self.short_rate = min(0.5, 1.0 / max(1.0, fps * 2.0))
        self.long = cv2.createBackgroundSubtractorMOG2(history=int(10 * frames), varThreshold=25, detectShadows=False)
        self.short = cv2.createBackgroundSubtractorMOG2(history=int(fps * 2) + 1, varThreshold=25, detectShadows=False)
        self.evidence = np.zeros((self.work_size[1], self.work_size[0]), dtype=np.float32)
        self.needed = frames  # evidence, in frames, for a pixel to count as static
        self.long_foreground: np.ndarray = np.zeros_like(self.evidence, dtype=np.uint8)
        self.small: np.ndarray | None = None  # the last work frame
        self.frames = 0

    def work_frame(self, grey: np.ndarray) -> np.ndarray:
        return cv2.resize(grey, self.work_size, interpolation=cv2.INTER_AREA)

    def update(self, grey: np.ndarray) -> None:
        small = cv2.GaussianBlur(self.work_frame(grey), (5, 5), 0)
        self.small = small
        # The first frames teach both models the scene at once.
        warming = self.frames < 5
        long_fg = self.long.apply(small, learningRate=1.0 if self.frames == 0 else (0.2 if warming else self.long_rate))
        short_fg = self.short.apply(
            small, learningRate=1.0 if self.frames == 0 else (0.2 if warming else self.short_rate)
        )
        self.frames += 1
        long_fg = cv2.morphologyEx(long_fg, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        self.long_foreground = long_fg
        static = (long_fg > 0) & (short_fg == 0)
        # Evidence grows by one per static frame and falls twice as fast otherwise, so that a passer-by who
        # pauses does not add up, and a removed object clears in half the time it took to appear.
        self.evidence[static] += 1.0
        self.evidence[~static] -= 2.0
        np.clip(self.evidence, 0.0, self.needed * 1.5, out=self.evidence)

    def static_regions(self, *, zone: np.ndarray, min_area: float, needed: float | None = None) -> list[StaticRegion]:
        """Regions inside `zone` (a work-size uint8 mask) whose pixels have been static for the frames
        needed (this detector's by default), at least `min_area` of the image each."""
        needed = self.needed if needed is None else needed
        evident = ((self.evidence >= needed) & (zone > 0)).astype(np.uint8)
        static = cv2.morphologyEx(evident, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
        count, labels, stats, _centroids = cv2.connectedComponentsWithStats(static, connectivity=8)
        width, height = self.work_size
        total = float(width * height)
        regions = []
        for label in range(1, count):
            x, y, w, h, area = stats[label]
            if area / total >= min_area:
                regions.append(
                    StaticRegion(
                        box=(x / width, y / height, w / width, h / height), area=area / total, mask=labels == label
                    )
                )
        return regions

    def patch(self, box: tuple[float, float, float, float], *, background: bool) -> np.ndarray | None:
        """The work-size grey patch under a normalised box: of the long-term background (what was there
        before), or of the last frame."""
        image = self.long.getBackgroundImage() if background else self.small
        if image is None:
            return None
        width, height = self.work_size
        x, y, w, h = box
        left, top = int(x * width), int(y * height)
        right, bottom = max(left + 1, round((x + w) * width)), max(top + 1, round((y + h) * height))
        return image[top:bottom, left:right].astype(np.int16)

    def differs(self, reference: np.ndarray, box: tuple[float, float, float, float]) -> bool:
        """Whether what the last frame shows under the box still differs from `reference` (the ground as
        it was before something was left there): the object is still there, however long the models have
        had to take it into their background."""
        now = self.patch(box, background=False)
        if now is None or now.shape != reference.shape or not now.size:
            return False
        return float(np.mean(np.abs(now - reference) > PRESENT_LEVELS)) >= PRESENT_SHARE

    def foreground_in(self, zone: np.ndarray) -> np.ndarray:
        """The long-term foreground (people moving or standing) inside a work-size zone mask."""
        return (self.long_foreground > 0) & (zone > 0)
