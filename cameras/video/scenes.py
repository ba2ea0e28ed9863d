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
