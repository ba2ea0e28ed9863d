"""Motion gating as Frigate's improved motion detector does it: a grey frame scaled to about 100 px
high, contrast stretched, masked, blurred, compared with a running average (`accumulateWeighted`),
thresholded, dilated, and its contours over a minimum area kept as boxes in frame coordinates. A change
of most of the image at once (lightning, headlights, an IR switch) only recalibrates: the average is
reset to the new image and no motion is reported, until the change settles."""

from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x, y, w, h in the frame's pixels


@dataclass(frozen=True)
class MotionSettings:
    frame_height: int = 100
    threshold: int = 30
    contour_area: int = 10
    frame_alpha: float = 0.01
    lightning_threshold: float = 0.8
    improve_contrast: bool = True


class MotionDetector:
    """Feed it grey frames of one camera in order; it answers the boxes that moved."""

    def __init__(self, *, frame_shape: tuple[int, int], settings: MotionSettings, mask: np.ndarray | None = None):
        height, width = frame_shape
        self.settings = settings
        self.scale = height / settings.frame_height
        self.size = (max(1, round(width / self.scale)), settings.frame_height)  # cv2's (width, height)
        # Masked pixels are painted white in every frame, so they never differ from the average.
        self.mask = None
        if mask is not None:
            small = cv2.resize(mask, self.size, interpolation=cv2.INTER_NEAREST)
            self.mask = small > 0
        self.average: np.ndarray | None = None
        self.calibrating = True
        self.last_share = 0.0  # of the image that changed in the last frame

    def detect(self, grey: np.ndarray) -> list[Box]:
        small = cv2.resize(grey, self.size, interpolation=cv2.INTER_AREA)
        if self.settings.improve_contrast:
            low, high = np.percentile(small, (4, 96))
            if low < high:
                small = cv2.convertScaleAbs(small, alpha=255.0 / (high - low), beta=-low * 255.0 / (high - low))
        if self.mask is not None:
            small[self.mask] = 255
        small = cv2.GaussianBlur(small, (3, 3), 1)
        if self.average is None:
            self.average = small.astype(np.float32)
            return []
        delta = cv2.absdiff(small, cv2.convertScaleAbs(self.average))
        _, thresh = cv2.threshold(delta, self.settings.threshold, 255, cv2.THRESH_BINARY)
        thresh = cv2.dilate(thresh, np.ones((3, 3), np.uint8), iterations=1)
        contours, _hierarchy = cv2.findContours(thresh, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        boxes: list[Box] = []
        total = 0.0
        for contour in contours:
            area = cv2.contourArea(contour)
            total += area
            if area > self.settings.contour_area:
                x, y, w, h = cv2.boundingRect(contour)
                boxes.append(
                    (
                        int(x * self.scale),
                        int(y * self.scale),
                        int(np.ceil(w * self.scale)),
                        int(np.ceil(h * self.scale)),
                    )
                )
        self.last_share = total / float(self.size[0] * self.size[1])
        # Calibrated once the change is small and scattered; a change of most of the image recalibrates.
        if self.calibrating and self.last_share < 0.05 and len(boxes) < 4:
            self.calibrating = False
        if self.last_share > self.settings.lightning_threshold:
            self.calibrating = True
        if self.calibrating:
            cv2.accumulateWeighted(small, self.average, 1.0)
            return []
        cv2.accumulateWeighted(small, self.average, self.settings.frame_alpha)
        return boxes


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over union of two (x, y, w, h) boxes, in pixels or normalised alike."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = min(ax + aw, bx + bw) - max(ax, bx)
    h = min(ay + ah, by + bh) - max(ay, by)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / float(aw * ah + bw * bh - inter)
