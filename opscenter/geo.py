"""Plane geometry of the spine: GeoJSON (Multi)Polygons checked, their bounding boxes, point in polygon,
and great-circle distance. District boundaries (opscenter.District.boundary) are such geometries, in
longitude, latitude order (WGS 84)."""

import math
from collections.abc import Iterator

EARTH_RADIUS_KM = 6371.0088

Ring = list[list[float]]


class GeometryError(ValueError):
    """Not a GeoJSON Polygon or MultiPolygon the spine can use."""


def polygons_of(geometry: dict) -> list[list[Ring]]:
    """The polygons (each a list of rings: outer first, then holes) of a Polygon or MultiPolygon, checked."""
    if not isinstance(geometry, dict):
        raise GeometryError("a geometry must be a JSON object")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    polygons: object
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        raise GeometryError(f"expected a Polygon or MultiPolygon, got {kind!r}")
    if not isinstance(polygons, list) or not polygons:
        raise GeometryError("a geometry needs coordinates")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise GeometryError("a polygon needs at least one ring")
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise GeometryError("a ring needs at least four positions")
            for position in ring:
                if (
                    not isinstance(position, list | tuple)
                    or len(position) < 2
                    or not all(isinstance(value, int | float) for value in position[:2])
                    or not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90)
                ):
                    raise GeometryError(f"not a longitude, latitude position: {position!r}")
    return polygons


def bounds_of(geometry: dict) -> tuple[float, float, float, float]:
    """(min_longitude, min_latitude, max_longitude, max_latitude) of the outer rings."""
    positions = [position for polygon in polygons_of(geometry) for position in polygon[0]]
    longitudes = [position[0] for position in positions]
    latitudes = [position[1] for position in positions]
    return min(longitudes), min(latitudes), max(longitudes), max(latitudes)


def _segments(ring: Ring) -> Iterator[tuple[float, float, float, float]]:
    for index in range(len(ring) - 1):
        yield ring[index][0], ring[index][1], ring[index + 1][0], ring[index + 1][1]


def _in_ring(longitude: float, latitude: float, ring: Ring) -> bool:
    """Ray casting (even-odd rule); a point exactly on an edge counts as inside."""
    inside = False
    for x1, y1, x2, y2 in _segments(ring):
        if (y1 > latitude) != (y2 > latitude):
            crossing = x1 + (latitude - y1) * (x2 - x1) / (y2 - y1)
            if crossing == longitude:
                return True
            if crossing > longitude:
                inside = not inside
        elif y1 == y2 == latitude and min(x1, x2) <= longitude <= max(x1, x2):
            return True
    return inside


def contains(geometry: dict, *, latitude: float, longitude: float) -> bool:
    for polygon in polygons_of(geometry):
        outer, holes = polygon[0], polygon[1:]
        if _in_ring(longitude, latitude, outer) and not any(_in_ring(longitude, latitude, hole) for hole in holes):
            return True
    return False


def distance_km(latitude1: float, longitude1: float, latitude2: float, longitude2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(latitude1), math.radians(latitude2)
    delta_phi, delta_lambda = phi2 - phi1, math.radians(longitude2 - longitude1)
    a = math.sin(delta_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(delta_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _closed(ring: Ring) -> bool:
    return list(ring[0][:2]) == list(ring[-1][:2])


def boundary_validate(geometry: object) -> None:
    """A district boundary: a Polygon or MultiPolygon whose rings are closed (first position repeated
    last, as RFC 7946 says). Raises GeometryError otherwise."""
    if not isinstance(geometry, dict):
        raise GeometryError("a geometry must be a JSON object")
    for polygon in polygons_of(geometry):
        for ring in polygon:
            if not _closed(ring):
                raise GeometryError("a ring must end where it starts")


def great_circle_m(latitude_a: float, longitude_a: float, latitude_b: float, longitude_b: float) -> float:
    """`distance_km` in metres (the choice of the nearest unit)."""
    return distance_km(latitude_a, longitude_a, latitude_b, longitude_b) * 1000


def distance_between_m(
    latitude_a: float | None, longitude_a: float | None, latitude_b: float | None, longitude_b: float | None
) -> float | None:
    """`great_circle_m`, or None when either place is not known."""
    if latitude_a is None or longitude_a is None or latitude_b is None or longitude_b is None:
        return None
    return great_circle_m(latitude_a, longitude_a, latitude_b, longitude_b)
