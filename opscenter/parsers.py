"""JSON from outside, parsed with a depth limit: `[[[[...]]]]` nested a hundred thousand deep makes Python's
parser raise RecursionError (a 500, and a stack's worth of work), so the depth is measured first, on the
raw bytes, and anything deeper than JSON_MAX_DEPTH is refused as malformed input (400)."""

import io
import json
import re
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# A string (skipped whole, escapes included), or a bracket outside strings.
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_OPENING = frozenset((b"[", b"{"))
_CLOSING = frozenset((b"]", b"}"))


class JSONTooDeep(ValueError):
    pass


def json_depth_check(data: bytes, *, max_depth: int | None = None) -> None:
    """Raise JSONTooDeep when arrays and objects in `data` nest deeper than `max_depth` (JSON_MAX_DEPTH)."""
    limit = settings.JSON_MAX_DEPTH if max_depth is None else max_depth
    depth = 0
    for match in _TOKENS.finditer(data):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth > limit:
                raise JSONTooDeep(f"JSON nested deeper than {limit} levels.")
        elif token in _CLOSING:
            depth -= 1


def json_loads(data: bytes | str) -> Any:
    """json.loads with the depth limit; every failure is a ValueError."""
    raw = data.encode() if isinstance(data, str) else data
    json_depth_check(raw)
    try:
        return json.loads(raw)
    except RecursionError:  # a limit set above what the interpreter's stack allows
        raise JSONTooDeep("JSON nested too deeply.") from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser behind the depth limit."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        raw = stream.read() if stream is not None else b""
        try:
            json_depth_check(raw)
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except (JSONTooDeep, RecursionError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
