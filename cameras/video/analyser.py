"""One camera's analysis, frame by frame: the motion gate, then the detectors its profile turns on
(people in crowd zones, objects left in dumping zones, vehicles stopped in lanes), answered as findings
(an event starts, grows, ends) with the pictures that prove them. No database here: the worker turns
findings into events (cameras.services.events), the bench and the tests feed it rendered frames."""

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np

from cameras.video.background import DualBackground
from cameras.video.crowd import END_SECONDS, Gathering, PeopleCounter, Perspective
from cameras.video.motion import Box, MotionDetector, MotionSettings, iou
from cameras.video.vehicles import VehicleTracker
from cameras.zones import Zone

HISTORY_EVERY_SECONDS = 1.0  # a frame kept for "before" pictures this often
STATIC_CHECK_SECONDS = 1.0  # static regions are looked for this often (they change slowly)
TRACK_SECONDS = 15.0  # the motion kept as "who was there just before" an object appeared
JPEG_QUALITY = 85


@dataclass(frozen=True)
class AnalyserSettings:
    motion: MotionSettings = field(default_factory=MotionSettings)
    fps: float = 5.0
    crowd: bool = False
    crowd_min_people: int = 15
    crowd_seconds: float = 60.0
    dumping: bool = False
    dumping_seconds: float = 60.0
    lanes: bool = False
    lane_stop_seconds: float = 30.0
    static_min_area: float = 0.002
    zones: tuple[Zone, ...] = ()
    perspective: Perspective | None = None
    plates: bool = False  # follow passing vehicles and hand their crops over for plate reading


@dataclass
class Finding:
    kind: Literal["crowd", "dumping", "lane_stop", "vehicle"]
    action: Literal["start", "update", "end", "passed"]
    zone: str
    t: float
    key: int  # which occurrence (several objects may lie in one zone)
    score: float | None = None
    box: tuple[float, float, float, float] | None = None
    pictures: dict[str, bytes] = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    crops: tuple[bytes, ...] = ()  # a passed vehicle's crops (JPEG), for reading its plate


@dataclass
class _Static:
    key: int
    box: tuple[float, float, float, float]
    seen_at: float
    started: bool = False
    ground: np.ndarray | None = None  # the ground under it before it came (the long-term background)


class CameraAnalyser:
    def __init__(self, *, frame_shape: tuple[int, int], settings: AnalyserSettings):
        self.settings = settings
        self.shape = frame_shape
        height, width = frame_shape
        masks = [zone.mask(width, height) for zone in settings.zones if zone.kind == "mask"]
        mask = np.maximum.reduce(masks) if masks else None
        self.motion = MotionDetector(frame_shape=frame_shape, settings=settings.motion, mask=mask)
        self.crowd_zones = [zone for zone in settings.zones if zone.kind == "crowd"] if settings.crowd else []
        self.static_zones = [
            zone
            for zone in settings.zones
            if (zone.kind == "dumping" and settings.dumping) or (zone.kind == "lane" and settings.lanes)
        ]
        self.background: DualBackground | None = None
        if self.crowd_zones or self.static_zones:
            longest = max(settings.dumping_seconds, settings.lane_stop_seconds)
            self.background = DualBackground(frame_shape=frame_shape, fps=settings.fps, static_seconds=longest)
            work_w, work_h = self.background.work_size
            self.work_masks = {id(zone): zone.mask(work_w, work_h) for zone in [*self.crowd_zones, *self.static_zones]}
            self.counter = PeopleCounter(
                frame_shape=frame_shape, work_shape=(work_h, work_w), perspective=settings.perspective
            )
        self.gatherings = {
            zone.name: Gathering(
                min_people=zone.min_people or settings.crowd_min_people, seconds=zone.seconds or settings.crowd_seconds
            )
            for zone in self.crowd_zones
        }
        self.best: dict[str, tuple[float, bytes]] = {}
        self.statics: dict[str, list[_Static]] = {zone.name: [] for zone in self.static_zones}
        longest = max(settings.dumping_seconds, settings.lane_stop_seconds) + TRACK_SECONDS + 5
        self.history: deque[tuple[float, bytes]] = deque(maxlen=int(longest / HISTORY_EVERY_SECONDS) + 2)
        self.moves: deque[tuple[float, list[Box]]] = deque(maxlen=int((longest + 5) * max(1.0, settings.fps)))
        self.next_history = self.next_static = 0.0
        self.keys = 0
        self.last_boxes: list[Box] = []
        self.vehicles = VehicleTracker(frame_shape=frame_shape) if settings.plates else None

    @property
    def detects(self) -> bool:
        return self.background is not None

    def analyse(self, frame: np.ndarray, t: float) -> list[Finding]:
        grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        boxes = self.motion.detect(grey)
        self.last_boxes = boxes
        passed = self._vehicles(frame, boxes, t) if self.vehicles is not None else []
        if self.background is None:
            return passed
        if boxes:
            self.moves.append((t, boxes))
        if self.static_zones and t >= self.next_history:
            self.history.append((t, _jpeg(frame)))
            self.next_history = t + HISTORY_EVERY_SECONDS
        self.background.update(grey)
        findings: list[Finding] = passed
        for zone in self.crowd_zones:
            findings.extend(self._crowd(zone, frame, boxes, t))
        if self.static_zones and t >= self.next_static:
            self.next_static = t + STATIC_CHECK_SECONDS
            for zone in self.static_zones:
                findings.extend(self._static(zone, frame, t))
        return findings

    # ------------------------------------------------------------------------------- passing vehicles
    def _vehicles(self, frame: np.ndarray, boxes: list[Box], t: float) -> list[Finding]:
        assert self.vehicles is not None
        findings = []
        for track in self.vehicles.update(frame, boxes, t):
            crops = tuple(_jpeg(crop, quality=90) for _area, _t, crop in sorted(track.crops, key=lambda item: item[1]))
            context = _jpeg(track.context[1]) if track.context else b""
            findings.append(
                Finding(
                    "vehicle",
                    "passed",
                    "",
                    track.last_t,
                    key=track.key,
                    pictures={"context": context} if context else {},
                    data={"first_t": round(track.first_t, 2), "frames": track.frames},
                    crops=crops,
                )
            )
        return findings

    # --------------------------------------------------------------------------------------- crowds
    def _crowd(self, zone: Zone, frame: np.ndarray, boxes: list[Box], t: float) -> list[Finding]:
        assert self.background is not None
        mask = self.work_masks[id(zone)]
        count = self.counter.count(frame=frame, foreground=self.background.foreground_in(mask), moved=boxes, zone=mask)
        gathering = self.gatherings[zone.name]
        change = gathering.observe(count, t)
        density = round(gathering.smoothed / max(1e-6, float((mask > 0).mean())), 1)
        if change == "start":
            snapshot = _jpeg(_drawn(frame, zone=zone))
            self.best[zone.name] = (gathering.smoothed, snapshot)
            return [
                Finding(
                    "crowd",
                    "start",
                    zone.name,
                    t,
                    key=0,
                    score=round(gathering.smoothed),
                    pictures={"best": snapshot},
                    data={"density_per_image": density},
                )
            ]
        if change == "end":
            return [Finding("crowd", "end", zone.name, t, key=0, score=round(gathering.peak))]
        if gathering.active and gathering.smoothed > self.best.get(zone.name, (0.0, b""))[0] + max(
            2.0, 0.1 * gathering.min_people
        ):
            snapshot = _jpeg(_drawn(frame, zone=zone))
            self.best[zone.name] = (gathering.smoothed, snapshot)
            return [
                Finding(
                    "crowd", "update", zone.name, t, key=0, score=round(gathering.smoothed), pictures={"best": snapshot}
                )
            ]
        return []

    # ------------------------------------------------------------------- left objects, stopped cars
    def _static(self, zone: Zone, frame: np.ndarray, t: float) -> list[Finding]:
        assert self.background is not None
        s = self.settings
        seconds = s.dumping_seconds if zone.kind == "dumping" else s.lane_stop_seconds
        kind: Literal["dumping", "lane_stop"] = "dumping" if zone.kind == "dumping" else "lane_stop"
        regions = self.background.static_regions(
            zone=self.work_masks[id(zone)], min_area=s.static_min_area, needed=seconds * s.fps
        )
        known = self.statics[zone.name]
        findings = []
        for region in regions:
            match = next((item for item in known if iou(item.box, region.box) > 0.3), None)
            if match is None:
                self.keys += 1
                match = _Static(key=self.keys, box=region.box, seen_at=t)
                known.append(match)
            match.box, match.seen_at = region.box, t
            if not match.started:
                match.started = True
                match.ground = self.background.patch(region.box, background=True)
                appeared = t - seconds
                drawn = _jpeg(_drawn(frame, box=region.box))
                pictures = {"best": drawn, "after": drawn}
                before = self._before(appeared)
                if before is not None:
                    pictures["before"] = before
                findings.append(
                    Finding(
                        kind,
                        "start",
                        zone.name,
                        t,
                        key=match.key,
                        score=seconds,
                        box=_rounded(region.box),
                        pictures=pictures,
                        data={"track": self._track(region.box, appeared), "area": round(region.area, 4)},
                    )
                )
        for item in known:
            # Once the models have taken it into their background, the ground tells it is still there.
            if (
                item.started
                and item.seen_at < t
                and item.ground is not None
                and self.background.differs(item.ground, item.box)
            ):
                item.seen_at = t
        for item in list(known):
            if t - item.seen_at >= END_SECONDS:
                known.remove(item)
                if item.started:
                    findings.append(Finding(kind, "end", zone.name, t, key=item.key, box=_rounded(item.box)))
        return findings

    def _before(self, appeared: float) -> bytes | None:
        """The kept frame from just before the object appeared."""
        earlier = [jpeg for at, jpeg in self.history if at <= appeared - 1.0]
        return earlier[-1] if earlier else None

    def _track(self, box: tuple[float, float, float, float], appeared: float) -> list[dict]:
        """Where something moved near the object in the seconds before it appeared: the vehicle or the
        person who was there (boxes normalised, with times relative to its appearance)."""
        height, width = self.shape
        x, y, w, h = box
        grown = (x - w, y - h, 3 * w, 3 * h)
        track = []
        for at, boxes in self.moves:
            if appeared - TRACK_SECONDS <= at <= appeared + 2.0:
                for bx, by, bw, bh in boxes:
                    normal = (bx / width, by / height, bw / width, bh / height)
                    if iou(grown, normal) > 0 or _contains(grown, normal):
                        track.append({"dt": round(at - appeared, 1), "box": _rounded(normal)})
        return track[-40:]


def _jpeg(frame: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return encoded.tobytes() if ok else b""


def _drawn(
    frame: np.ndarray, *, box: tuple[float, float, float, float] | None = None, zone: Zone | None = None
) -> np.ndarray:
    """A copy of the frame with the box (or the zone's outline) drawn in red."""
    picture = frame.copy() if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    height, width = picture.shape[:2]
    if box is not None:
        x, y, w, h = box
        cv2.rectangle(
            picture, (int(x * width), int(y * height)), (int((x + w) * width), int((y + h) * height)), (0, 0, 255), 2
        )
    if zone is not None:
        points = np.array([[int(px * (width - 1)), int(py * (height - 1))] for px, py in zone.points], dtype=np.int32)
        cv2.polylines(picture, [points], True, (0, 0, 255), 2)
    return picture


def _contains(outer: tuple[float, float, float, float], inner: tuple[float, float, float, float]) -> bool:
    ox, oy, ow, oh = outer
    ix, iy, iw, ih = inner
    return ox <= ix and oy <= iy and ix + iw <= ox + ow and iy + ih <= oy + oh


def _rounded(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (round(box[0], 4), round(box[1], 4), round(box[2], 4), round(box[3], 4))
