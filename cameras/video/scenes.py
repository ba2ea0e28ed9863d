"""Rendered scenes for the video tests, the demo's streams and the bench: a street-like background with sensor
noise, and things drawn on it that walk, gather, stay, drop a bag or stop a car. Deterministic for a seed."""

from collections.abc import Callable, Iterator

import cv2
import numpy as np

WIDTH, HEIGHT = 320, 180


def background(width: int = WIDTH, height: int = HEIGHT, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = np.linspace(90, 150, height, dtype=np.float32)[:, None]
    image = np.repeat(np.repeat(rows, width, axis=1)[:, :, None], 3, axis=2)
    for _ in range(12):  # buildings, kerbs, signs: texture for the models to hold on to
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height // 2))
        w, h = int(rng.integers(width // 20, width // 6)), int(rng.integers(height // 10, height // 3))
        colour = [float(c) for c in rng.integers(40, 200, 3)]
        cv2.rectangle(image, (x, y), (x + w, y + h), colour, -1)
    cv2.line(image, (0, int(height * 0.75)), (width, int(height * 0.75)), (200, 200, 200), 2)
    return image


def person(frame: np.ndarray, x: float, y: float, height: float, shade: int = 30) -> None:
    """A standing figure whose feet are at (x, y), `height` px tall."""
    width = height * 0.4
    cv2.ellipse(
        frame,
        (int(x), int(y - height * 0.45)),
        (max(1, int(width / 2)), max(1, int(height * 0.45))),
        0,
        0,
        360,
        (shade, shade, shade + 10),
        -1,
    )
    cv2.circle(frame, (int(x), int(y - height * 0.9)), max(1, int(height * 0.1)), (shade, shade, shade), -1)


def noisy(frame: np.ndarray, rng: np.random.Generator, sigma: float = 3.0) -> np.ndarray:
    noise = rng.normal(0.0, sigma, frame.shape).astype(np.float32)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


def clip(
    draw: Callable[[np.ndarray, float], None],
    *,
    seconds: float,
    fps: float = 5.0,
    seed: int = 1,
    width: int = WIDTH,
    height: int = HEIGHT,
    brightness: Callable[[float], float] | None = None,
) -> Iterator[tuple[float, np.ndarray]]:
    """(t, frame) pairs: the background, what `draw` adds at time t, the lighting, sensor noise."""
    rng = np.random.default_rng(seed)
    base = background(width, height)
    for index in range(int(seconds * fps)):
        t = index / fps
        frame = base.copy()
        draw(frame, t)
        if brightness is not None:
            frame = frame * brightness(t)
        yield t, noisy(frame, rng)


def crowd_positions(count: int, seed: int = 3) -> list[tuple[float, float]]:
    """Where the people of a gathering stand, inside the lower half (the crowd zone of the tests)."""
    rng = np.random.default_rng(seed)
    return [(float(rng.uniform(0.2, 0.8) * WIDTH), float(rng.uniform(0.62, 0.95) * HEIGHT)) for _ in range(count)]


def person_height(y: float, top: float = 0.1, bottom: float = 0.3, height: int = HEIGHT) -> float:
    """A person's height at row y under the tests' perspective (a share of the image at top and bottom)."""
    return (top + (bottom - top) * y / (height - 1)) * height


def plate_image(written: str, *, width: int = 260, flag: bool = True) -> np.ndarray:
    """A plate as drawn for the tests, the demo and the bench: white, a black border and black characters,
    with Kazakhstan's flag strip and its KZ mark at the left (`flag`), 520x112 in proportion."""
    height = max(12, round(width * 112 / 520))
    plate = np.full((height, width, 3), 250, np.uint8)
    cv2.rectangle(plate, (1, 1), (width - 2, height - 2), (20, 20, 20), max(1, width // 130))
    left = 4
    if flag:
        strip = max(8, width // 9)
        cv2.rectangle(plate, (3, 3), (strip, height - 4), (190, 140, 30), -1)
        cv2.putText(
            plate, "KZ", (4, height - 6), cv2.FONT_HERSHEY_SIMPLEX, height / 90, (255, 255, 255), 1, cv2.LINE_AA
        )
        left = strip + 4
    room = width - left - 6
    scale = 1.0
    (text_w, text_h), _base = cv2.getTextSize(written, cv2.FONT_HERSHEY_DUPLEX, scale, 2)
    scale = min(room / text_w, (height * 0.62) / text_h)
    (text_w, text_h), _base = cv2.getTextSize(written, cv2.FONT_HERSHEY_DUPLEX, scale, 2)
    origin = (left + (room - text_w) // 2, (height + text_h) // 2)
    cv2.putText(
        plate, written, origin, cv2.FONT_HERSHEY_DUPLEX, scale, (15, 15, 15), max(1, round(scale * 2)), cv2.LINE_AA
    )
    return plate


def vehicle_with(
    plate: np.ndarray | None,
    *,
    width: int = 360,
    height: int = 240,
    body=(40, 40, 150),
    lettering: str = "",
    badge: str = "",
    seed: int = 1,
) -> np.ndarray:
    """The back of a vehicle filling the image, its plate low in the middle; a van's `lettering` on its
    body, a make's `badge` above the plate."""
    rng = np.random.default_rng(seed)
    image = np.full((height, width, 3), 110, np.uint8)
    cv2.rectangle(image, (width // 10, height // 8), (width - width // 10, height - height // 12), body, -1)
    cv2.rectangle(
        image, (width // 6, height // 5), (width - width // 6, height // 2 - 10), (60, 60, 60), -1
    )  # rear window
    for side in (width // 10 + 6, width - width // 10 - 36):
        cv2.rectangle(image, (side, height // 2), (side + 30, height // 2 + 14), (30, 30, 200), -1)  # lights
    if lettering:
        cv2.putText(
            image,
            lettering,
            (width // 8, height // 2 - 20),
            cv2.FONT_HERSHEY_DUPLEX,
            0.9,
            (255, 255, 255),
            2,
            cv2.LINE_AA,
        )
    if badge:
        cv2.putText(
            image,
            badge,
            (width // 2 - 20, height // 2 + 20),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.5,
            (200, 200, 200),
            1,
            cv2.LINE_AA,
        )
    if plate is not None:
        ph, pw = plate.shape[:2]
        x, y = (width - pw) // 2, int(height * 0.68)
        image[y : y + ph, x : x + pw] = plate
    noise = rng.normal(0.0, 2.0, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def degrade(
    image: np.ndarray,
    *,
    tilt: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
    night: bool = False,
    dirt: int = 0,
    seed: int = 1,
) -> np.ndarray:
    """The same image as a street camera sees it: a perspective `tilt` (share of the width), motion
    `blur` (px), sensor `noise` (sigma), `night` (dark and flat), `dirt` (blotches)."""
    rng = np.random.default_rng(seed)
    out: np.ndarray = image.astype(np.float32)
    height, width = image.shape[:2]
    if tilt:
        shift = tilt * width
        source = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
        target = np.array(
            [[shift, 0], [width - shift * 0.3, shift * 0.2], [width, height], [0, height - shift * 0.2]],
            dtype=np.float32,
        )
        matrix = cv2.getPerspectiveTransform(source, target)
        out = cv2.warpPerspective(out, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    if blur:
        size = max(3, int(blur) | 1)
        kernel = np.zeros((size, size), np.float32)
        kernel[size // 2, :] = 1.0 / size
        out = cv2.filter2D(out, -1, kernel)
    if night:
        out = out * 0.35 + 12
    for _ in range(dirt):
        cx, cy = int(rng.integers(0, width)), int(rng.integers(int(height * 0.6), height))
        cv2.circle(out, (cx, cy), int(rng.integers(2, 5)), (70.0, 60.0, 50.0), -1)
    if noise:
        out = out + rng.normal(0.0, noise, out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)
