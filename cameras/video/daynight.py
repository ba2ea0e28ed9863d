"""Day or night for a camera: by the image (an IR camera at night sends grey frames) or by the sun at
its place in Asia/Oral (astral), for cameras that stay in colour under street lights."""

from datetime import datetime
from zoneinfo import ZoneInfo

import cv2
import numpy as np
from astral import LocationInfo
from astral.sun import sun

ORAL = ZoneInfo("Asia/Oral")
URALSK = (51.2333, 51.3667)


def is_grey(frame: np.ndarray) -> bool:
    """An infrared image: its colour channels (nearly) the same everywhere."""
    if frame.ndim == 2:
        return True
    small = cv2.resize(frame, (64, 36), interpolation=cv2.INTER_AREA).astype(np.int16)
    spread = np.abs(small[:, :, 0] - small[:, :, 1]) + np.abs(small[:, :, 1] - small[:, :, 2])
    return float(spread.mean()) < 4.0


def is_dark(when: datetime, latitude: float | None, longitude: float | None) -> bool:
    """Between sunset and sunrise at the place (Uralsk when the camera has none)."""
    latitude, longitude = (latitude, longitude) if latitude is not None and longitude is not None else URALSK
    place = LocationInfo(timezone="Asia/Oral", latitude=latitude, longitude=longitude)
    local = when.astimezone(ORAL)
    times = sun(place.observer, date=local.date(), tzinfo=ORAL)
    return not (times["sunrise"] <= local <= times["sunset"])
