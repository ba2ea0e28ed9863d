"""Frames for tests, built as a panel builds them (alarms.dc09.panel_frame), stamped now by default."""

from datetime import UTC, datetime

from alarms.dc09 import panel_frame


def stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("_%H:%M:%S,%m-%d-%Y")


def build_frame(*, timestamp: str | None = "now", key: str | None = None, **fields) -> bytes:
    """A frame with a correct CRC and length; `timestamp` "now", None (no timestamp) or literal text."""
    return panel_frame(timestamp=datetime.now(UTC) if timestamp == "now" else timestamp, key_hex=key, **fields)
