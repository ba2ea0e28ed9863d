"""The multipart side of Hikvision ISAPI notifications: a `multipart/form-data` body cut into its parts,
each with its Content-Type, its name (or filename) and its bytes exactly as sent.

Cameras name their parts every which way (a name and no filename, a filename and no name, no
Content-Disposition at all), and Django's form parser drops parts without a name, so the view cannot use
it. The stdlib `email` package is a real MIME parser that keeps binary payloads byte for byte (it reads
bytes as ASCII with surrogateescape and gives them back), tolerates LF-only line endings, a preamble, a
duplicated boundary line and a missing closing boundary, and ignores per-part Content-Length. It accepts
a boundary after a lone CR or LF, as it must for LF-only bodies: a JPEG holding CR or LF, "--" and the
whole boundary would be cut there, which RFC 2046 rules out by making the device pick a boundary that
does not occur in its content.
"""

from __future__ import annotations

import email.message
import email.parser
import email.utils
import re
from dataclasses import dataclass

# RFC 2046 bchars, a little longer than its 70 characters: only these go into the header we write
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=?]([0-9A-Za-z'()+_,\-./:=? ]{0,198}[0-9A-Za-z'()+_,\-./:=?])?")


@dataclass(frozen=True)
class Part:
    content_type: str  # the media type, lower case ("image/jpeg"); "" when the part has no Content-Type
    name: str  # the Content-Disposition name, else its filename, else ""
    data: bytes


def media_type(content_type: str) -> str:
    """The media type of a Content-Type header value, lower case ("" when there is none)."""
    return _header("Content-Type", content_type).get_content_type() if content_type.strip() else ""


def split_multipart(body: bytes, content_type: str) -> list[Part]:
    """The parts of a multipart body, empty ones left out. The boundary is the header's when the body has
    it as a delimiter line, else the body's first line; [] when neither is one."""
    boundary = _boundary(body, _parameter(_header("Content-Type", content_type), "boundary"))
    if boundary is None:
        return []
    # _BOUNDARY lets no quote, backslash or line break into this header
    head = b'Content-Type: multipart/form-data; boundary="' + boundary.encode("ascii") + b'"\r\n\r\n'
    message = email.parser.BytesParser().parsebytes(head + body)
    parts = []
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue  # a container, or the whole body when the parser found no delimiter after all
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            continue  # the empty part of a duplicated boundary line, or a part with headers only
        has_type = part.get("Content-Type") is not None
        name = _parameter(part, "name", "Content-Disposition") or _parameter(part, "filename", "Content-Disposition")
        parts.append(Part(content_type=part.get_content_type() if has_type else "", name=name, data=data))
    return parts


def _boundary(body: bytes, declared: str) -> str | None:
    first_line = body.lstrip(b" \t\r\n").split(b"\n", 1)[0].rstrip(b"\r \t")
    from_body = first_line[2:].decode("ascii", "replace") if first_line.startswith(b"--") else ""
    for candidate in (declared, from_body):
        if _BOUNDARY.fullmatch(candidate) and _delimiter(candidate).search(body):
            return candidate
    return None


def _delimiter(boundary: str) -> re.Pattern[bytes]:
    return re.compile(rb"(?:\A|\r|\n)--" + re.escape(boundary.encode("ascii")) + rb"(?:--)?[ \t]*(?:\r|\n|\Z)")


def _header(name: str, value: str) -> email.message.Message:
    message = email.message.Message()
    message[name] = value
    return message


def _parameter(message: email.message.Message, name: str, header: str = "Content-Type") -> str:
    value = message.get_param(name, header=header)
    if isinstance(value, tuple):  # RFC 2231 (charset, language, text)
        try:
            value = email.utils.collapse_rfc2231_value(value)
        except (LookupError, UnicodeError):  # a charset Python lacks, or one (idna) that cannot replace
            value = value[2]
    return value.strip() if isinstance(value, str) else ""
