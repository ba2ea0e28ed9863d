"""What tracking devices (bracelets, a patrol unit's tablet or tracker, and a Traccar server in front of
them) send, read into one `Report` per fix. One parser for every app that takes positions: bracelets
(bracelets.apis) and patrol units (opscenter.apis.units).

- OsmAnd, as Traccar accepts it: query or form parameters (`id`, `timestamp`, `lat`, `lon`, `speed` in
  knots, `bearing`, `altitude`, `accuracy`, `batt`, `valid`, `alarm`, ...), or the JSON body of the
  background-geolocation clients (`{"location": {...}, "device_id": ...}`, speed in m/s), or a flat JSON
  object with the query's names.
- Traccar's JSON position forwarding: `{"position": {...}, "device": {...}}`, speed in knots.
- A batch: `{"positions": [<flat OsmAnd objects>]}`, a bare list of them, or `{"location": [...]}`.

Malformed input raises `ReportError` naming the field; nothing here touches the database.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.http import QueryDict

from opscenter.parsers import JSONTooDeep, json_loads

KNOTS_PER_MPS = 1.943844
MAX_32_BIT = 2**31 - 1
# Query names with a meaning of their own; everything else is kept as an attribute, as Traccar does.
_KNOWN = {"id", "deviceid", "device_id", "key", "valid", "timestamp", "lat", "lon", "location", "speed", "bearing",
          "heading", "altitude", "accuracy", "batt", "alarm", "strap"}  # fmt: skip


class ReportError(ValueError):
    """Input that cannot be read; `field` names where (`lat`, `positions.3.timestamp`)."""

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")

    def within(self, prefix: str) -> "ReportError":
        return ReportError(f"{prefix}.{self.field}", self.message)


@dataclass
class Report:
    """One message of a device: a fix (with coordinates) or only a sign of life, alarms and battery
    (`strap` is a bracelet's, read here because Traccar's clients send it among OsmAnd's names)."""

    device_id: str | None = None
    fix_time: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None
    speed_knots: float | None = None
    course: float | None = None
    altitude: float | None = None
    battery: float | None = None
    is_valid: bool = True
    alarms: tuple[str, ...] = ()
    strap: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    time_field: str = "timestamp"  # where the fix time came from, to name it in an error

    @property
    def has_fix(self) -> bool:
        return self.latitude is not None and self.longitude is not None


# --- values ---------------------------------------------------------------------------------------


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ReportError(name, "A number is required.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ReportError(name, f"A number is required, not {str(value)[:40]!r}.") from None
    if not math.isfinite(number):
        raise ReportError(name, "A finite number is required.")
    return number


def _optional_positive(name: str, value: Any) -> float | None:
    """Negative means unknown (-1 is how clients say it)."""
    if value is None or value == "":
        return None
    number = _number(name, value)
    return None if number < 0 else number


def _latitude(name: str, value: Any) -> float:
    number = _number(name, value)
    if not -90 <= number <= 90:
        raise ReportError(name, "A latitude is between -90 and 90.")
    return number


def _longitude(name: str, value: Any) -> float:
    number = _number(name, value)
    if not -180 <= number <= 180:
        raise ReportError(name, "A longitude is between -180 and 180.")
    return number


def _battery(name: str, value: Any) -> float | None:
    level = _optional_positive(name, value)
    if level is not None and level > 100:
        raise ReportError(name, "A battery level is a percentage, 0 to 100.")
    return level


def parse_timestamp(name: str, value: Any) -> datetime:
    """Unix seconds, unix milliseconds (Traccar's rule: past 2^31 it is milliseconds), ISO 8601, or
    "YYYY-MM-DD HH:MM:SS". A time without an offset is UTC, as on a Traccar server."""
    if isinstance(value, bool) or value is None or value == "":
        raise ReportError(name, "A timestamp is required.")
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    try:
        if number is not None:
            if not math.isfinite(number) or number < 0:
                raise ReportError(name, "A timestamp cannot be negative.")
            seconds = number if number < MAX_32_BIT else number / 1000
            moment = datetime.fromtimestamp(seconds, tz=UTC)
        else:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except (ValueError, OverflowError, OSError):
        raise ReportError(name, f"Unix seconds, milliseconds or ISO 8601 are required, not {text[:40]!r}.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not 2000 <= moment.year <= 2100:
        raise ReportError(name, "The timestamp is not a plausible time.")
    return moment


def _valid(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true" or str(value) == "1"


def _alarms(name: str, value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if not isinstance(value, str):
        raise ReportError(name, "Alarms are a comma-separated text.")
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _strap(name: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).lower()
    if text not in ("open", "closed"):
        raise ReportError(name, 'The strap is "open" or "closed".')
    return text


def _attribute(value: Any) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value
    text = str(value)
    if text in ("true", "false"):
        return text == "true"
    try:
        number = float(text)
    except ValueError:
        return text[:200]
    return number if math.isfinite(number) else text[:200]


# --- OsmAnd ---------------------------------------------------------------------------------------


def read_osmand_parameters(parameters: Mapping[str, Any], *, prefix: str = "") -> Report:
    """OsmAnd's names, from a query, a form or a flat JSON object (one value each)."""
    report = Report()
    latitude = longitude = None

    def name(key: str) -> str:
        return f"{prefix}{key}"

    for key, value in parameters.items():
        if key in ("id", "deviceid", "device_id"):
            report.device_id = str(value).strip() or None
        elif key == "valid":
            report.is_valid = _valid(value)
        elif key == "timestamp":
            report.fix_time, report.time_field = parse_timestamp(name(key), value), name(key)
        elif key == "lat":
            latitude = _latitude(name(key), value)
        elif key == "lon":
            longitude = _longitude(name(key), value)
        elif key == "location":
            parts = str(value).split(",")
            if len(parts) != 2:
                raise ReportError(name(key), 'A location is "latitude,longitude".')
            latitude, longitude = _latitude(name(key), parts[0]), _longitude(name(key), parts[1])
        elif key == "speed":
            report.speed_knots = _optional_positive(name(key), value)
        elif key in ("bearing", "heading"):
            report.course = _optional_positive(name(key), value)
        elif key == "altitude":
            report.altitude = _number(name(key), value)
        elif key == "accuracy":
            report.accuracy = _optional_positive(name(key), value)
        elif key == "batt":
            report.battery = _battery(name(key), value)
        elif key == "alarm":
            report.alarms = _alarms(name(key), value)
        elif key == "strap":
            report.strap = _strap(name(key), value)
        elif key != "key":
            report.attributes[str(key)[:64]] = _attribute(value)
    if (latitude is None) != (longitude is None):
        raise ReportError(name("lon" if longitude is None else "lat"), "Latitude and longitude come together.")
    report.latitude, report.longitude = latitude, longitude
    return report


def _single_values(query: Mapping[str, Any]) -> dict[str, Any]:
    """A QueryDict's last value per name (Traccar reads every value; the last one wins for a fix)."""
    getter = getattr(query, "getlist", None)
    return {key: (getter(key)[-1] if getter else query[key]) for key in query}


def read_osmand_query(query: Mapping[str, Any], form: Mapping[str, Any] | None = None) -> Report:
    """The query's parameters, or the form body's when the query holds nothing but the key (Traccar
    reads the body only when the query is empty)."""
    parameters = {k: v for k, v in _single_values(query).items() if k != "key"}
    if not parameters and form:
        parameters = {k: v for k, v in _single_values(form).items() if k != "key"}
    if not parameters:
        raise ReportError("id", "No OsmAnd parameters in the query or the body.")
    return read_osmand_parameters(parameters)


def _mapping(name: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ReportError(name, "An object is required.")
    return value


def read_geolocation_location(location: Any, device_id: str | None, *, prefix: str = "location") -> Report:
    """One location of the background-geolocation clients' JSON (Traccar's OsmAnd JSON form)."""
    location = _mapping(prefix, location)
    report = Report(device_id=device_id)
    report.fix_time = parse_timestamp(f"{prefix}.timestamp", location.get("timestamp"))
    report.time_field = f"{prefix}.timestamp"
    if "coords" in location:
        coords = _mapping(f"{prefix}.coords", location["coords"])
        for key in ("latitude", "longitude"):
            if key not in coords:
                raise ReportError(f"{prefix}.coords.{key}", "This field is required.")
        report.latitude = _latitude(f"{prefix}.coords.latitude", coords["latitude"])
        report.longitude = _longitude(f"{prefix}.coords.longitude", coords["longitude"])
        speed = _optional_positive(f"{prefix}.coords.speed", coords.get("speed"))
        report.speed_knots = None if speed is None else speed * KNOTS_PER_MPS
        report.course = _optional_positive(f"{prefix}.coords.heading", coords.get("heading"))
        report.accuracy = _optional_positive(f"{prefix}.coords.accuracy", coords.get("accuracy"))
        if coords.get("altitude") is not None:
            report.altitude = _number(f"{prefix}.coords.altitude", coords["altitude"])
    if "battery" in location:
        battery = _mapping(f"{prefix}.battery", location["battery"])
        level = _optional_positive(f"{prefix}.battery.level", battery.get("level"))
        if level is not None:
            if level > 1:
                raise ReportError(f"{prefix}.battery.level", "A battery level is a fraction, 0 to 1.")
            report.battery = round(level * 100, 1)
        if battery.get("is_charging"):
            report.attributes["charge"] = True
    extras = location.get("extras") if isinstance(location.get("extras"), Mapping) else {}
    alarm = location.get("alarm", extras.get("alarm"))
    report.alarms = _alarms(f"{prefix}.alarm", alarm)
    report.strap = _strap(f"{prefix}.extras.strap", extras.get("strap"))
    for key in ("event", "is_moving", "odometer", "mock"):
        if key in location:
            report.attributes[key] = _attribute(location[key])
    if isinstance(location.get("activity"), Mapping):
        report.attributes["activity"] = _attribute(location["activity"].get("type"))
    return report


def read_osmand_json(body: Any) -> list[Report]:
    """The JSON body form: background-geolocation's `{"location": {...} | [...], "device_id"}`, or a flat
    object with OsmAnd's names."""
    body = _mapping("body", body)
    if "location" in body and not isinstance(body["location"], str):
        device_id = body.get("device_id")
        device_id = str(device_id).strip() if device_id not in (None, "") else None
        locations = body["location"]
        if isinstance(locations, list):
            if not locations:
                raise ReportError("location", "At least one location is required.")
            return [read_geolocation_location(item, device_id, prefix=f"location.{index}")
                    for index, item in enumerate(locations)]  # fmt: skip
        return [read_geolocation_location(locations, device_id)]
    return [read_osmand_parameters(body)]


def _json_body(body: bytes) -> Any:
    try:
        return json_loads(body or b"null")
    except JSONTooDeep as error:
        raise ReportError("body", str(error)) from None
    except (ValueError, UnicodeDecodeError):
        raise ReportError("body", "The body is not valid JSON.") from None


def read_osmand_request(*, method: str, query: Mapping[str, Any], body: bytes, content_type: str) -> list[Report]:
    """One OsmAnd request as Traccar takes it: the query's parameters; a POST with none (but the key)
    is read from its JSON body (`application/json`) or its form body."""
    has_query = any(key != "key" for key in query)
    if (
        method == "POST"
        and not has_query
        and content_type.split(";")[0].strip().lower()
        in (
            "application/json",
            "text/json",
        )
    ):
        return read_osmand_json(_json_body(body))
    form = QueryDict(body, encoding="utf-8") if method == "POST" and not has_query else None
    return [read_osmand_query(query, form)]


# --- Traccar forwarding ---------------------------------------------------------------------------


def read_traccar_forward(body: Any) -> Report:
    """`{"position": {...}, "device": {...}}` as Traccar's JSON forwarder posts it (speed in knots,
    `attributes.batteryLevel`, `attributes.alarm`)."""
    body = _mapping("body", body)
    if "position" not in body:
        raise ReportError("position", "This field is required.")
    position = _mapping("position", body["position"])
    device = _mapping("device", body.get("device") or {})
    report = Report()
    unique_id = device.get("uniqueId")
    report.device_id = str(unique_id).strip() if unique_id not in (None, "") else None
    time_value = position.get("fixTime") or position.get("deviceTime")
    report.fix_time = parse_timestamp("position.fixTime", time_value)
    report.time_field = "position.fixTime"
    for key in ("latitude", "longitude"):
        if position.get(key) is None:
            raise ReportError(f"position.{key}", "This field is required.")
    report.latitude = _latitude("position.latitude", position["latitude"])
    report.longitude = _longitude("position.longitude", position["longitude"])
    report.is_valid = _valid(position.get("valid", True)) and not position.get("outdated", False)
    report.speed_knots = _optional_positive("position.speed", position.get("speed"))
    report.course = _optional_positive("position.course", position.get("course"))
    if position.get("altitude") is not None:
        report.altitude = _number("position.altitude", position["altitude"])
    accuracy = _optional_positive("position.accuracy", position.get("accuracy"))
    report.accuracy = accuracy or None  # Traccar sends 0 for "not known"
    attributes = _mapping("position.attributes", position.get("attributes") or {})
    if attributes.get("batteryLevel") is not None:
        report.battery = _battery("position.attributes.batteryLevel", attributes["batteryLevel"])
    report.alarms = _alarms("position.attributes.alarm", attributes.get("alarm"))
    report.strap = _strap("position.attributes.strap", attributes.get("strap"))
    for key, value in attributes.items():
        if key not in ("batteryLevel", "alarm", "strap") and not isinstance(value, Mapping | list):
            report.attributes[str(key)[:64]] = _attribute(value)
    if position.get("protocol"):
        report.attributes["protocol"] = str(position["protocol"])[:32]
    return report


# --- Batch ----------------------------------------------------------------------------------------


def read_batch(body: Any, *, limit: int) -> list[Report]:
    """Buffered fixes: `{"positions": [...]}` or a bare list of flat OsmAnd objects, or the
    background-geolocation batch `{"location": [...], "device_id"}`. The count is checked before any
    position is read."""
    if isinstance(body, Mapping) and "location" in body:
        locations = body["location"]
        if isinstance(locations, list) and len(locations) > limit:
            raise ReportError("location", f"At most {limit} positions in one batch.")
        return read_osmand_json(body)
    items = body.get("positions") if isinstance(body, Mapping) else body
    if not isinstance(items, list):
        raise ReportError("positions", "A list of positions is required.")
    if not items:
        raise ReportError("positions", "At least one position is required.")
    if len(items) > limit:
        raise ReportError("positions", f"At most {limit} positions in one batch.")
    reports = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ReportError(f"positions.{index}", "An object is required.")
        reports.append(read_osmand_parameters(item, prefix=f"positions.{index}."))
    return reports


def claimed_device_ids(reports: Iterable[Report]) -> set[str]:
    return {report.device_id for report in reports if report.device_id}
