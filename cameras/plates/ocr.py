"""Reading plates off a vehicle's image with rapidocr (PP-OCR detection and recognition, the models inside
its wheel: nothing is downloaded): text detection finds the text lines of the vehicle, a gate keeps
those shaped like a plate (a line 2 to 7 times as wide as high, surely detected, its text fitting a plate
format), and recognition reads each kept line, rectified, with a confidence per character. When the
detector finds no plate-like line (glare, a plate at an angle), a classical localiser looks for what
plates look like to the eye: a bright band of dark vertical strokes, via black-hat, a horizontal
gradient and a closing; the same gate applies. Badges, a van's lettering and signs fit no format and
are never plates.

One `PlateReader` per process (the models take a second to load); it is not thread-safe, so a worker
thread keeps its own (`reader()`)."""

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from cameras.plates.formats import normalise, plate_span

DET_SIDE = 480  # the detector works on the vehicle's image scaled to at most this side
MIN_DET_SCORE = 0.5
MIN_REC_SCORE = 0.5
ASPECT = (2.0, 7.5)  # a plate line's width over its height (Kazakhstan's 520x112: 4.6)
REC_HEIGHT = 48


@dataclass(frozen=True)
class PlateCandidate:
    box: tuple[float, float, float, float]  # x, y, w, h in the image given, pixels
    raw: str  # as recognised
    text: str  # normalised
    confidences: tuple[float, ...]  # per character of `text`
    score: float  # the localiser's confidence (1.0 for the classical fallback's, which has none)
    localiser: str  # "detector" or "classical"
    crop: np.ndarray  # the rectified plate, as read


class PlateReader:
    def __init__(self, *, threads: int = 1) -> None:
        """`threads`: ONNX Runtime's threads for one reading (one per process: a recognition worker scales
        by its processes, `celery -c`, not by threads fighting for the same cores)."""
        from rapidocr import RapidOCR

        self.engine = RapidOCR(
            params={
                "Global.log_level": "critical",
                "Global.use_cls": False,
                "Det.limit_type": "max",
                "Det.limit_side_len": DET_SIDE,
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )

    def read_vehicle(self, image: np.ndarray) -> list[PlateCandidate]:
        """The plates on a vehicle's image (BGR), surest first; none when nothing there is a plate."""
        found = [
            c for c in (self._read_quad(image, quad, score, "detector") for quad, score in self._detect(image)) if c
        ]
        if not found:
            found = [c for c in (self._read_quad(image, quad, 1.0, "classical") for quad in _classical(image)) if c]
        return sorted(found, key=lambda c: -min(c.confidences or (0.0,)))

    def read_crop(self, crop: np.ndarray) -> tuple[str, tuple[float, ...], float]:
        """Recognition alone on a plate's crop: the text, its per-character confidences, the line's score."""
        result = self.engine(_rec_sized(crop), use_det=False, use_cls=False, use_rec=True, return_word_box=True)
        texts = getattr(result, "txts", None) or ("",)
        scores = getattr(result, "scores", None) or (0.0,)
        words = getattr(result, "word_results", None) or ()
        confidences: tuple[float, ...] = ()
        if words and getattr(words[0], "confs", None):
            confidences = tuple(float(c) for c in words[0].confs)
        return str(texts[0] or ""), confidences, float(scores[0] or 0.0)

    def _detect(self, image: np.ndarray) -> list[tuple[np.ndarray, float]]:
        result = self.engine(image, use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(result, "boxes", None)
        scores = getattr(result, "scores", None) or ()
        if boxes is None:
            return []
        return [
            (np.asarray(quad, dtype=np.float32), float(score))
            for quad, score in zip(boxes, scores, strict=False)
            if score >= MIN_DET_SCORE and _plate_shaped(np.asarray(quad, dtype=np.float32))
        ]

    def _read_quad(self, image: np.ndarray, quad: np.ndarray, score: float, localiser: str) -> PlateCandidate | None:
        crop = _rectified(image, quad)
        if crop is None:
            return None
        raw, per_char, line_score = self.read_crop(crop)
        line = normalise(raw)
        span = plate_span(line) if line_score >= MIN_REC_SCORE else None
        if span is None:
            return None
        start, end = span
        text = line[start:end]
        confidences = _per_char(raw, line, per_char, line_score)[start:end]
        x, y, w, h = cv2.boundingRect(quad.astype(np.int32))
        return PlateCandidate(
            box=(float(x), float(y), float(w), float(h)),
            raw=raw,
            text=text,
            confidences=confidences,
            score=score,
            localiser=localiser,
            crop=crop,
        )


_local = threading.local()


def reader() -> PlateReader:
    """This thread's reader, loaded on first use."""
    if getattr(_local, "reader", None) is None:
        _local.reader = PlateReader()
    return _local.reader


def _plate_shaped(quad: np.ndarray) -> bool:
    width = float(np.linalg.norm(quad[1] - quad[0]))
    height = float(np.linalg.norm(quad[3] - quad[0]))
    if height < 6 or width < 24:
        return False
    return ASPECT[0] <= width / height <= ASPECT[1]


def _rectified(image: np.ndarray, quad: np.ndarray) -> np.ndarray | None:
    """The plate line warped flat, with a little margin (the recogniser reads better with one)."""
    width = int(max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3])))
    height = int(max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1])))
    if width < 8 or height < 4:
        return None
    margin = max(2, height // 8)
    target = np.array(
        [[margin, margin], [width + margin, margin], [width + margin, height + margin], [margin, height + margin]],
        dtype=np.float32,
    )
    centre = quad.mean(axis=0)
    grown = centre + (quad - centre) * 1.06
    matrix = cv2.getPerspectiveTransform(grown.astype(np.float32), target)
    return cv2.warpPerspective(
        image, matrix, (width + 2 * margin, height + 2 * margin), borderMode=cv2.BORDER_REPLICATE
    )


def _rec_sized(crop: np.ndarray) -> np.ndarray:
    if crop.shape[0] == REC_HEIGHT:
        return crop
    scale = REC_HEIGHT / max(1, crop.shape[0])
    return cv2.resize(crop, (max(8, int(crop.shape[1] * scale)), REC_HEIGHT), interpolation=cv2.INTER_CUBIC)


def _per_char(raw: str, text: str, per_char: tuple[float, ...], line_score: float) -> tuple[float, ...]:
    """The recogniser's confidences of the characters kept by normalisation (the line's score when it gave none)."""
    if len(per_char) == len(raw):
        kept = [conf for char, conf in zip(raw, per_char, strict=True) if normalise(char)]
        if len(kept) == len(text):
            return tuple(round(conf, 4) for conf in kept)
    return (round(line_score, 4),) * len(text)


def _classical(image: np.ndarray) -> list[np.ndarray]:
    """Plate-shaped bands of dark vertical strokes on a bright ground, as quads, largest first."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    height, width = grey.shape
    kernel_w = max(9, width // 24)
    blackhat = cv2.morphologyEx(
        grey, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (kernel_w, max(3, kernel_w // 3)))
    )
    gradient = np.absolute(cv2.Sobel(blackhat, cv2.CV_32F, 1, 0, ksize=3))
    peak = float(gradient.max()) or 1.0
    gradient = (gradient * (255.0 / peak)).astype(np.uint8)
    gradient = cv2.GaussianBlur(gradient, (5, 5), 0)
    gradient = cv2.morphologyEx(gradient, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kernel_w, 3)))
    _threshold, mask = cv2.threshold(gradient, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    square = np.ones((3, 3), np.uint8)
    mask = cv2.erode(mask, square, iterations=1)
    mask = cv2.dilate(mask, square, iterations=2)
    contours, _hierarchy = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    groups = _aligned_groups(sorted(contours, key=cv2.contourArea, reverse=True)[:12])
    quads = []
    for group in groups:
        (cx, cy), (w, h), angle = cv2.minAreaRect(np.vstack(group))
        if w < h:
            w, h, angle = h, w, angle + 90
        if h < 6 or w < 24 or w * h < width * height * 0.002:
            continue
        if not ASPECT[0] <= w / h <= ASPECT[1]:
            continue
        quads.append(_ordered(cv2.boxPoints(((cx, cy), (w, h), angle))))
    return sorted(quads, key=lambda quad: -cv2.contourArea(quad))[:4]


def _aligned_groups(contours: list[np.ndarray]) -> list[list[np.ndarray]]:
    """Blobs side by side on one line (a plate's groups of characters, "123" and "ABC") joined."""
    boxes = sorted(((cv2.boundingRect(contour), contour) for contour in contours), key=lambda item: item[0][0])
    groups: list[tuple[list[int], list[np.ndarray]]] = []  # (x0, y0, x1, y1), contours
    for (x, y, w, h), contour in boxes:
        for extent, members in groups:
            x0, y0, x1, y1 = extent
            overlap = min(y1, y + h) - max(y0, y)
            if overlap > 0.5 * min(h, y1 - y0) and x - x1 < 1.2 * max(h, y1 - y0):
                extent[:] = [min(x0, x), min(y0, y), max(x1, x + w), max(y1, y + h)]
                members.append(contour)
                break
        else:
            groups.append(([x, y, x + w, y + h], [contour]))
    return [members for _extent, members in groups]


def _ordered(points: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    points = np.asarray(points, dtype=np.float32)
    by_sum = points.sum(axis=1)
    by_diff = np.diff(points, axis=1).ravel()
    return np.array(
        [points[np.argmin(by_sum)], points[np.argmin(by_diff)], points[np.argmax(by_sum)], points[np.argmax(by_diff)]],
        dtype=np.float32,
    )
