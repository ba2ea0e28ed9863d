"""Plane geometry on the Earth, without a GIS library: zones are a few hundred metres across, so a local
equirectangular projection around the zone is accurate to well under a metre, and haversine gives
distances between fixes."""

import math
from collections.abc import Sequence

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(latitude_a: float, longitude_a: float, latitude_b: float, longitude_b: float) -> float:
    """Great-circle distance in metres."""
    phi_a, phi_b = math.radians(latitude_a), math.radians(latitude_b)
    delta_phi = phi_b - phi_a
    delta_lambda = math.radians(longitude_b - longitude_a)
    h = math.sin(delta_phi / 2) ** 2 + math.cos(phi_a) * math.cos(phi_b) * math.sin(delta_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _project(latitude: float, longitude: float, origin_latitude: float, origin_longitude: float) -> tuple[float, float]:
    """Metres east and north of the origin (equirectangular around the origin)."""
    x = math.radians(longitude - origin_longitude) * EARTH_RADIUS_M * math.cos(math.radians(origin_latitude))
    y = math.radians(latitude - origin_latitude) * EARTH_RADIUS_M
    return x, y


def _segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    length_squared = dx * dx + dy * dy
    t = 0.0 if length_squared == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length_squared))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def point_in_polygon(latitude: float, longitude: float, ring: Sequence[Sequence[float]]) -> bool:
    """Ray casting over a ring of (latitude, longitude) vertices (closed or not)."""
    inside = False
    count = len(ring)
    j = count - 1
    for i in range(count):
        lat_i, lon_i = ring[i][0], ring[i][1]
        lat_j, lon_j = ring[j][0], ring[j][1]
        if (lat_i > latitude) != (lat_j > latitude):
            crossing = lon_i + (latitude - lat_i) * (lon_j - lon_i) / (lat_j - lat_i)
            if longitude < crossing:
                inside = not inside
        j = i
    return inside


def circle_signed_distance_m(
    latitude: float, longitude: float, center_latitude: float, center_longitude: float, radius_m: float
) -> float:
    """Metres from the circle's edge: negative inside, positive outside."""
    return haversine_m(latitude, longitude, center_latitude, center_longitude) - radius_m


def polygon_signed_distance_m(latitude: float, longitude: float, ring: Sequence[Sequence[float]]) -> float:
    """Metres from the polygon's nearest edge: negative inside, positive outside."""
    origin_latitude = sum(vertex[0] for vertex in ring) / len(ring)
    origin_longitude = sum(vertex[1] for vertex in ring) / len(ring)
    px, py = _project(latitude, longitude, origin_latitude, origin_longitude)
    points = [_project(vertex[0], vertex[1], origin_latitude, origin_longitude) for vertex in ring]
    nearest = min(_segment_distance(px, py, *points[index - 1], *points[index]) for index in range(len(points)))
    return -nearest if point_in_polygon(latitude, longitude, ring) else nearest
