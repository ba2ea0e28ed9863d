"""Vehicles passing a camera that reads plates: the regions that moved, large enough to be a vehicle,
followed from frame to frame by their overlap (a track), a few crops kept from each track (the largest
ones, spread over its time), and the track handed over once the vehicle has gone. Reading the text is
heavy and happens elsewhere (a Celery task on the recognition queue): a camera's loop never waits on it."""

from dataclasses import dataclass, field

import numpy as np

from cameras.video.motion import Box, iou

GONE_SECONDS = 1.0  # a track not seen for this long has passed
CROPS_PER_TRACK = 6
MIN_FRAMES = 3  # seen in fewer frames it was a flicker, not a vehicle


@dataclass
class VehicleTrack:
    key: int
    box: Box
    first_t: float
    last_t: float
    frames: int = 0
    crops: list[tuple[float, float, np.ndarray]] = field(default_factory=list)  # (area, t, crop)
    context: tuple[float, np.ndarray] | None = None  # (area, the whole frame) at its largest


class VehicleTracker:
    def __init__(self, *, frame_shape: tuple[int, int], min_width: float = 0.08):
        self.height, self.width = frame_shape
        self.min_width = min_width * self.width
        self.tracks: list[VehicleTrack] = []
        self.keys = 0

    def update(self, frame: np.ndarray, boxes: list[Box], t: float) -> list[VehicleTrack]:
        """Follow this frame's vehicles; answers the tracks that have just gone (seen long enough)."""
        for box in (b for b in boxes if self._vehicle_sized(b)):
            track = max(self.tracks, key=lambda tr: iou(tr.box, box), default=None)
            if track is None or iou(track.box, box) < 0.2:
                self.keys += 1
                track = VehicleTrack(key=self.keys, box=box, first_t=t, last_t=t)
                self.tracks.append(track)
            track.box, track.last_t = box, t
            track.frames += 1
            self._keep(track, frame, box, t)
        gone = [track for track in self.tracks if t - track.last_t >= GONE_SECONDS]
        self.tracks = [track for track in self.tracks if t - track.last_t < GONE_SECONDS]
        return [track for track in gone if track.frames >= MIN_FRAMES and track.crops]

    def _vehicle_sized(self, box: Box) -> bool:
        """Wide enough to be a vehicle, not so large it is the whole scene changing (a recalibration)."""
        _x, _y, w, h = box
        if w < self.min_width or h < self.min_width * 0.4:
            return False
        return w <= 0.8 * self.width and h <= 0.8 * self.height and w * h <= 0.45 * self.width * self.height

    def _keep(self, track: VehicleTrack, frame: np.ndarray, box: Box, t: float) -> None:
        x, y, w, h = box
        pad_w, pad_h = int(w * 0.1), int(h * 0.1)
        crop = frame[
            max(0, y - pad_h) : min(self.height, y + h + pad_h), max(0, x - pad_w) : min(self.width, x + w + pad_w)
        ]
        if crop.size == 0:
            return
        area = float(w * h)
        spaced = all(abs(t - kept_t) >= 0.3 for _a, kept_t, _c in track.crops)
        if len(track.crops) < CROPS_PER_TRACK and spaced:
            track.crops.append((area, t, crop.copy()))
        elif spaced and area > min(a for a, _t, _c in track.crops):
            smallest = min(range(len(track.crops)), key=lambda i: track.crops[i][0])
            track.crops[smallest] = (area, t, crop.copy())
        if track.context is None or area > track.context[0]:
            track.context = (area, frame.copy())
