"""Hikvision ISAPI event notifications ("HTTP listening", the alarm server push) read into `IsapiEvent`s.
Pure: bytes and the request's Content-Type in, events out, no models and no I/O.

A camera or NVR posts an `EventNotificationAlert` as bare XML, bare JSON, or multipart/form-data with
one XML or JSON part and its JPEG parts. Firmwares differ: namespaces (hikvision.com ver10 and ver20,
isapi.org, psialliance, none), a raw `&`, no XML declaration, a BOM, LF-only line endings, a
Content-Type that is missing or names the wrong thing. `parse_notification` takes all of these and raises
`IsapiError`, and nothing else, when the body holds nothing usable; the view answers 200 either way (a
camera that is refused repeats itself forever) and records the failure.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from cameras.isapi_multipart import Part, media_type, split_multipart

ALERT = "EventNotificationAlert"
MAX_DEPTH = 32  # real notifications nest 6 deep; deeper is an attack on the recursion, not an event
IP_CHANNEL_OFFSET = 32  # psialliance v1 NVR frames number IP cameras from 33
REGION_SCALE = 1000.0  # Hikvision region coordinates run 0..1000
JPEG_START = b"\xff\xd8"
PICTURE_KINDS = ("plate", "detection", "vehicle")  # in this order: the first a part's name contains
_BOM = "\ufeff"
# `&` not starting one of XML's five entities or a character reference: some cameras send it raw
_RAW_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)")
_DECLARED_ENCODING = re.compile(rb"""\A<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")
_NUMBER = re.compile(r"[+-]?[0-9]{1,12}(?:\.[0-9]{1,12})?")


class IsapiError(ValueError):
    """The body holds no notification we can use; the message says why."""


@dataclass(frozen=True)
class IsapiPicture:
    content_type: str  # image/jpeg
    data: bytes
    name: str  # the part's name or filename, "" when none
    kind: str  # "plate", "vehicle", "detection" (after the name), "" otherwise


@dataclass(frozen=True)
class IsapiPlate:
    text: str  # as sent, stripped; "" when the camera read nothing ("unknown")
    confidence: int | None  # confidenceLevel, 0..100
    country: str  # as sent: "KZ", a number, or ""
    direction: str  # "forward", "reverse" or ""
    vehicle_type: str
    vehicle_color: str
    char_confidences: tuple[int, ...] = ()  # plateCharBelieve, 0..100 per character, when sent


@dataclass(frozen=True)
class IsapiEvent:
    event_type: str  # as sent: "ANPR", "linedetection", "fielddetection", "VMD", "heartBeat", "duration", ...
    event_state: str  # "active", "inactive" or ""
    description: str
    camera_time: datetime | None  # aware; a naive <dateTime> is taken as UTC and camera_time_naive set
    camera_time_naive: bool
    channel: int | None  # channelID or dynChannelID; on a v1 NVR frame the IP channel (33 is IP channel 1)
    is_ip_channel: bool
    ip_address: str
    mac_address: str
    uuid: str  # a re-upload carries the same one; "" when absent
    retransmission: bool  # isDataRetransmission
    active_post_count: int | None
    relation_event: str  # what a `duration` event is about; "" otherwise
    plate: IsapiPlate | None  # ANPR only
    regions: tuple[tuple[tuple[float, float], ...], ...]  # detection region polygons, 0..1
    pictures: tuple[IsapiPicture, ...]
    raw: dict[str, Any]  # the alert as plain JSON: local names, XML text as strings, no bytes

    @property
    def is_heartbeat(self) -> bool:
        """Only refreshes the camera's health: a heartBeat, or the idle "videoloss inactive" of alertStream."""
        kind = self.event_type.lower()
        return kind == "heartbeat" or (kind == "videoloss" and self.event_state == "inactive")


def parse_notification(body: bytes, content_type: str) -> list[IsapiEvent]:
    """The events in one notification request: usually one, a list because some NVRs batch. Raises
    IsapiError, and nothing else, when the body holds nothing usable."""
    if not body.strip():
        raise IsapiError("empty body")
    declared = media_type(content_type)
    sniffed = _sniff(body)
    # What the body starts with outranks the header: cameras send XML as text/plain or without any type
    if sniffed == "multipart" or (declared.startswith("multipart/") and sniffed is None):
        return _from_parts(split_multipart(body, content_type))
    kind = sniffed or _declared_kind(declared)
    if kind is None:
        raise IsapiError(f"the body is neither XML, JSON nor multipart (Content-Type {content_type[:80]!r})")
    return _events(_alerts(kind, body))


def _from_parts(parts: list[Part]) -> list[IsapiEvent]:
    if not parts:
        raise IsapiError("a multipart body without parts (no boundary found)")
    # A picture belongs to the notification part before it (the first, if it comes before any)
    notifications: list[tuple[str, bytes, list[IsapiPicture]]] = []
    leading: list[IsapiPicture] = []
    for part in parts:
        kind = _part_kind(part)
        if kind == "image":
            (notifications[-1][2] if notifications else leading).append(_picture(part))
        elif kind:
            notifications.append((kind, part.data, []))
    if not notifications:
        types = ", ".join(sorted({part.content_type or "none" for part in parts}))
        raise IsapiError(f"no XML or JSON part among {len(parts)} parts (Content-Types: {types})")
    events, errors = [], []
    for index, (kind, data, pictures) in enumerate(notifications):
        try:
            events += _events(_alerts(kind, data), tuple(leading + pictures if index == 0 else pictures))
        except IsapiError as error:
            errors.append(str(error))
    if not events:
        raise IsapiError("; ".join(errors))
    return events


def _events(alerts: list[tuple[dict[str, Any], str]], pictures: tuple[IsapiPicture, ...] = ()) -> list[IsapiEvent]:
    """The alerts that are events (an eventType); of a batch, the others are left out."""
    events = [_event(alert, version, pictures) for alert, version in alerts if _text(alert.get("eventType"))]
    if not events:
        raise IsapiError(f"an {ALERT} without eventType")
    return events


def _part_kind(part: Part) -> str:
    """What a part holds: "xml", "json", "image" or "" (nothing we use). Its Content-Type tells, not its
    name; a part without one, or with text/plain or octet-stream, is told by its first bytes."""
    if part.content_type.startswith("image/"):
        return "image"
    sniffed = _sniff(part.data)
    if sniffed in ("xml", "json"):
        return sniffed
    if part.data.startswith(JPEG_START):
        return "image"
    return _declared_kind(part.content_type) or ""


def _picture(part: Part) -> IsapiPicture:
    name = part.name.lower()
    kind = next((kind for kind in PICTURE_KINDS if kind in name), "")  # licensePlatePicture.jpg is "plate"
    content_type = part.content_type if part.content_type.startswith("image/") else "image/jpeg"
    return IsapiPicture(content_type=content_type, data=part.data, name=part.name, kind=kind)


def _sniff(data: bytes) -> str | None:
    start = data[:1024].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if start.startswith(b"--"):
        return "multipart"
    if start.startswith(b"<"):
        return "xml"
    if start.startswith((b"{", b"[")):
        return "json"
    return None


def _declared_kind(media: str) -> str | None:
    if media.endswith(("/xml", "+xml")):
        return "xml"
    if media.endswith(("/json", "+json")):
        return "json"
    return None


def _alerts(kind: str, data: bytes) -> list[tuple[dict[str, Any], str]]:
    """Each EventNotificationAlert as a plain dict, with the frame's version ("1.0", "2.0" or "")."""
    return _xml_alerts(data) if kind == "xml" else _json_alerts(data)


def _xml_alerts(data: bytes) -> list[tuple[dict[str, Any], str]]:
    text = _RAW_AMPERSAND.sub("&amp;", _xml_text(data))
    try:
        root = fromstring(text, forbid_dtd=True)  # no camera sends a DTD; an attacker would
    except (ParseError, DefusedXmlException) as error:
        raise IsapiError(f"the XML is not well-formed or not allowed: {error}") from error
    found = (
        [root] if _local(root.tag) == ALERT else [element for element in root.iter() if _local(element.tag) == ALERT]
    )
    if not found:
        raise IsapiError(f"no {ALERT} in the XML (its root is <{_local(root.tag)[:40]}>)")
    alerts = [_element_dict(element, 0) for element in found]
    return [(alert, alert.get("@version", "")) for alert in alerts]


def _xml_text(data: bytes) -> str:
    """The XML as text: decoded here rather than by expat, which knows few encodings and stops at the first
    bad byte (a channel name in the wrong code page would cost the whole event)."""
    data = data.lstrip(b" \t\r\n")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        data = data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
        declared = _DECLARED_ENCODING.match(data)
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        text = data.decode(encoding, "replace")
    except (LookupError, UnicodeError):  # unknown, not a text encoding (zlib), or one (idna) that cannot replace
        text = data.decode("utf-8", "replace")
    # utf-7 and unicode_escape can make lone surrogates, which the parser refuses to encode
    return text.encode("utf-8", "replace").decode("utf-8").removeprefix(_BOM).lstrip()


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _element_dict(element: Element, depth: int) -> dict[str, Any]:
    """An element with children as a dict of local names: repeated names become lists, leaves their
    stripped text. Attributes are kept (as "@name") on elements with children only, the root's version
    among them; Hikvision puts none that matter on leaves."""
    if depth > MAX_DEPTH:
        raise IsapiError(f"the XML nests deeper than {MAX_DEPTH}")
    result: dict[str, Any] = {f"@{_local(name)}": value for name, value in element.attrib.items()}
    for child in element:
        name = _local(child.tag)
        value = _element_dict(child, depth + 1) if len(child) else (child.text or "").strip()
        if name not in result:
            result[name] = value
        elif isinstance(result[name], list):
            result[name].append(value)
        else:
            result[name] = [result[name], value]
    return result


def _json_alerts(data: bytes) -> list[tuple[dict[str, Any], str]]:
    text = data.decode("utf-8", "replace").removeprefix(_BOM)
    try:
        parsed = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, NaN, 1e999, an int of 5000 digits
        raise IsapiError(f"the JSON is not valid: {str(error)[:200]}") from error
    document = _plain(parsed, 0)
    if isinstance(document, dict) and ALERT in document:
        document = document[ALERT]  # the newer firmwares wrap the alert
    candidates = document if isinstance(document, list) else [document]
    alerts = [item.get(ALERT, item) if isinstance(item, dict) else item for item in candidates]
    found = [(alert, "") for alert in alerts if isinstance(alert, dict)]
    if not found:
        raise IsapiError("the JSON holds no object")
    return found


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range")
    return value


def _plain(value: Any, depth: int) -> Any:
    """A copy of parsed JSON that PostgreSQL's jsonb takes: no NUL, no lone surrogate, bounded depth."""
    if depth > MAX_DEPTH:
        raise IsapiError(f"the JSON nests deeper than {MAX_DEPTH}")
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_plain(key, depth + 1): _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, depth + 1) for item in value]
    return value


def _event(alert: dict[str, Any], version: str, pictures: tuple[IsapiPicture, ...]) -> IsapiEvent:
    channel = _int(alert.get("channelID"))
    if channel is None:
        channel = _int(alert.get("dynChannelID"))
    is_ip_channel = False
    # Only v1 frames (older NVR firmwares) offset IP channels by 32; a v2.0 frame's channel is taken as sent
    if channel is not None and channel > IP_CHANNEL_OFFSET and version.startswith("1"):
        channel, is_ip_channel = channel - IP_CHANNEL_OFFSET, True
    camera_time, naive = _camera_time(_text(alert.get("dateTime")))
    state = _text(alert.get("eventState")).lower()
    return IsapiEvent(
        event_type=_text(alert.get("eventType")),
        event_state=state if state in ("active", "inactive") else "",
        description=_text(alert.get("eventDescription")),
        camera_time=camera_time,
        camera_time_naive=naive,
        channel=channel,
        is_ip_channel=is_ip_channel,
        ip_address=_text(alert.get("ipAddress")) or _text(alert.get("ipv6Address")),
        mac_address=_text(alert.get("macAddress")),
        uuid=_text(alert.get("UUID")),
        retransmission=_text(alert.get("isDataRetransmission")).lower() == "true",
        active_post_count=_int(alert.get("activePostCount")),
        relation_event=_text(_first(_first(alert.get("DurationList")).get("Duration")).get("relationEvent"))
        or _text(alert.get("relationEvent")),
        plate=_plate(alert.get("ANPR")),
        regions=tuple(_regions(alert)),
        pictures=pictures,
        raw=alert,
    )


def _plate(anpr: Any) -> IsapiPlate | None:
    block = _first(anpr)
    if not block:
        return None
    text = _text(block.get("licensePlate"))
    confidence = _int(block.get("confidenceLevel"))
    direction = _text(block.get("direction")).lower()
    return IsapiPlate(
        text="" if text.lower() == "unknown" else text,
        confidence=confidence if confidence is not None and 0 <= confidence <= 100 else None,
        country=_text(block.get("country")),
        direction=direction if direction in ("forward", "reverse") else "",
        vehicle_type=_text(block.get("vehicleType")),
        vehicle_color=_text(_first(block.get("vehicleInfo")).get("color")),
        char_confidences=_beliefs(_text(block.get("plateCharBelieve"))),
    )


def _beliefs(value: str) -> tuple[int, ...]:
    """plateCharBelieve ("99,99,98"), each 0..100; nothing when any is not."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts or not all(part.isdigit() and int(part) <= 100 for part in parts):
        return ()
    return tuple(int(part) for part in parts)


def _regions(value: Any) -> list[tuple[tuple[float, float], ...]]:
    """Every RegionCoordinatesList in the alert, in document order, scaled to 0..1."""
    if isinstance(value, list):
        return [region for item in value for region in _regions(item)]
    regions = []
    for key, item in value.items() if isinstance(value, dict) else ():
        if key != "RegionCoordinatesList":
            regions += _regions(item)
            continue
        points = [
            (_number(point.get("positionX")), _number(point.get("positionY")))
            for point in _items(item, "RegionCoordinates")
        ]
        polygon = tuple(
            (_unit(x / REGION_SCALE), _unit(y / REGION_SCALE)) for x, y in points if x is not None and y is not None
        )
        if polygon:
            regions.append(polygon)
    return regions


def _items(value: Any, name: str) -> list[dict[str, Any]]:
    """The entries of an XML list element ({name: entry or [entries]}) or of a JSON list."""
    if isinstance(value, dict) and name in value:
        value = value[name]
    entries = value if isinstance(value, list) else [value]
    return [entry for entry in entries if isinstance(entry, dict)]


def _first(value: Any) -> dict[str, Any]:
    """A dict, or the first dict of a list (an element that came more than once); {} otherwise."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, dict)), None)
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    if isinstance(value, bool):  # JSON true/false read as XML's text
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value).strip()
    return ""


def _int(value: Any) -> int | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _text(value)
    return int(text) if _INTEGER.fullmatch(text) else None


def _number(value: Any) -> float | None:
    text = _text(value)
    return float(text) if _NUMBER.fullmatch(text) else None


def _unit(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def _camera_time(text: str) -> tuple[datetime | None, bool]:
    if not text or len(text) > 64:
        return None, False
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, False
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC), True
    return moment, False
