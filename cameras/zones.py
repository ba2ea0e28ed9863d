"""A camera's zones and masks: polygons in image coordinates normalised to 0..1, and the pixel masks
the analytics draw from them at the frame's own size.

    [{"kind": "crowd", "name": "Площадь", "points": [[0.1, 0.5], [0.9, 0.5], [0.9, 1.0], [0.1, 1.0]],
      "min_people": 20, "seconds": 120}, {"kind": "mask", "name": "clock", "points": [...]}]

`min_people` and `seconds` override the profile's for that zone. A mask hides what never matters (a
clock, trees in the wind) from motion; the other kinds are where a detector looks.
"""

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ZONE_KINDS = ("mask", "crowd", "dumping", "lane")


@dataclass(frozen=True)
class Zone:
    kind: str
    name: str
    points: tuple[tuple[float, float], ...]
    min_people: int | None = None
    seconds: int | None = None

    def mask(self, width: int, height: int) -> np.ndarray:
        """The zone as a uint8 mask (255 inside) of a frame of this size."""
        mask = np.zeros((height, width), dtype=np.uint8)
        polygon = np.array([[round(x * (width - 1)), round(y * (height - 1))] for x, y in self.points], dtype=np.int32)
        cv2.fillPoly(mask, [polygon], 255)
        return mask


def zones_of(value: Any) -> list[Zone]:
    """The zones of a camera's `zones` field (already validated)."""
    return [
        Zone(
            kind=item["kind"],
            name=item.get("name", ""),
            points=tuple((float(x), float(y)) for x, y in item["points"]),
            min_people=item.get("min_people"),
            seconds=item.get("seconds"),
        )
        for item in value or []
    ]


def zones_validator(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Zones are a list of objects."))
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict) or item.get("kind") not in ZONE_KINDS:
            raise ValidationError(
                _("Zone %(n)s: kind must be one of %(kinds)s."), params={"n": index, "kinds": ", ".join(ZONE_KINDS)}
            )
        points = item.get("points")
        if not isinstance(points, list) or len(points) < 3 or not all(_is_point(point) for point in points):
            raise ValidationError(
                _("Zone %(n)s: points are at least three [x, y] pairs between 0 and 1."), params={"n": index}
            )
        for key in ("min_people", "seconds"):
            if key in item and not (isinstance(item[key], int) and item[key] > 0):
                raise ValidationError(
                    _("Zone %(n)s: %(key)s is a positive whole number."), params={"n": index, "key": key}
                )


def _is_point(point: Any) -> bool:
    return (
        isinstance(point, list | tuple)
        and len(point) == 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) and 0 <= c <= 1 for c in point)
    )


def perspective_validator(value: Any) -> None:
    if value in ({}, None):
        return
    if not isinstance(value, dict) or set(value) != {"top", "bottom"}:
        raise ValidationError(_('Perspective is {"top": share, "bottom": share}, or empty.'))
    if not all(isinstance(value[key], int | float) and 0 < value[key] <= 1 for key in ("top", "bottom")):
        raise ValidationError(_("A person's height is a share of the image between 0 and 1."))
