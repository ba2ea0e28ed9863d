"""SIA DC-09 (alarm over IP) framing: split a byte stream into frames, check CRC and length, decrypt,
parse the SIA-DCS / ADM-CID content, and build the receiver's responses. Pure functions, no I/O.

A frame: <LF><crc:4 hex><0LLL>"<id>"<seq:4>[R<rcvr>]L<line>#<acct>[<data>][<ext>...][_HH:MM:SS,MM-DD-YYYY]<CR>
CRC-16/ARC is computed over everything from the opening quote of the id to the end of the timestamp, and the
length field (hex) counts the same characters. An id with a leading `*` marks AES-CBC (zero IV) content:
everything after `[` up to the CR is hex; decrypted it reads `<random pad>|<data>][<ext>...]_<timestamp>`.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

LF, CR = 0x0A, 0x0D
MAX_FRAME_BYTES = 2048  # the length field allows 0x0FFF; anything longer is garbage, not a frame
MIN_FRAME_BYTES = len(b'\n00000000"NULL"0000L0[]\r')  # the shortest frame there is: shorter is noise
IDS = ("SIA-DCS", "ADM-CID", "NULL")
ZERO_IV = bytes(16)


class FrameError(ValueError):
    """The bytes are not a frame we can trust: no response is sent (the panel repeats it)."""


class ContentError(ValueError):
    """A sound frame whose content we cannot use (unknown account, undecryptable, unparseable): DUH."""


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC: polynomial 0x8005 reflected (0xA001), initial value 0, no final XOR."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


_HEADER = re.compile(
    rb'"(?P<encrypted>\*)?(?P<id>[A-Z-]+)"(?P<sequence>\d{4})(?:R(?P<receiver>[0-9A-Fa-f]{1,6}))?'
    rb"L(?P<line>[0-9A-Fa-f]{1,6})(?:#(?P<account>[0-9A-Fa-f]{3,16}))?\["
)
_TIMESTAMP = re.compile(r"_(\d{2}):(\d{2}):(\d{2}),(\d{2})-(\d{2})-(\d{4})$")


@dataclass
class Frame:
    """One DC-09 frame as received; `data` and `extended` are filled by `open_content`."""

    raw: bytes
    message_id: str
    encrypted: bool
    sequence: str
    receiver: str | None
    line: str
    account: str | None
    body: str  # everything after the first `[` (hex when encrypted)
    data: str = ""
    extended: list[tuple[str, str]] = field(default_factory=list)
    timestamp: datetime | None = None

    @property
    def text(self) -> str:
        return self.raw.decode("ascii", "replace").strip("\n\r")


def split_frames(buffer: bytearray) -> list[bytes]:
    """Take every complete frame (LF ... CR) off the front of `buffer`, leaving a partial one in it.
    Bytes before an LF, and runs longer than a frame can be, are dropped (see `Splitter`)."""
    return Splitter(buffer).frames()


class Splitter:
    """A connection's byte stream cut into frames. Garbage goes in one slice, however long: a run without
    CR longer than a frame can be is dropped up to its last LF (or whole), never one byte per pass, so a
    flood of LF bytes costs one `del` per read. `discarded` counts the slices dropped."""

    def __init__(self, buffer: bytearray | None = None) -> None:
        self.buffer = buffer if buffer is not None else bytearray()
        self.discarded = 0

    def feed(self, data: bytes) -> list[bytes]:
        self.buffer += data
        return self.frames()

    @property
    def pending(self) -> bool:
        """A frame has begun and not ended."""
        return bool(self.buffer)

    def frames(self) -> list[bytes]:
        buffer = self.buffer
        frames: list[bytes] = []
        while True:
            start = buffer.find(b"\n")
            if start < 0:
                if buffer:
                    self.discarded += 1
                    buffer.clear()
                return frames
            if start:
                self.discarded += 1
                del buffer[:start]
            end = buffer.find(b"\r")
            if end < 0:
                if len(buffer) > MAX_FRAME_BYTES:
                    self.discarded += 1
                    last = buffer.rfind(b"\n")
                    if len(buffer) - last <= MAX_FRAME_BYTES:
                        del buffer[:last]  # the last LF may still open a real frame
                    else:
                        buffer.clear()
                return frames
            candidate = bytes(buffer[: end + 1])
            del buffer[: end + 1]
            inner_start = candidate.rfind(b"\n")  # a stray LF inside means the real frame starts later
            frames.append(candidate[inner_start:])


def _checked_message(raw: bytes) -> bytes:
    """The message between the length field and the CR, once delimiters, length and CRC check."""
    if len(raw) < MIN_FRAME_BYTES:
        raise FrameError("shorter than any frame")
    if raw[0] != LF or raw[-1] != CR:
        raise FrameError("not delimited by LF ... CR")
    try:
        crc_field, length_field = raw[1:5].decode("ascii"), raw[5:9].decode("ascii")
        crc_value, length_value = int(crc_field, 16), int(length_field, 16)
    except (UnicodeDecodeError, ValueError) as error:
        raise FrameError("CRC or length field is not hexadecimal") from error
    if length_field[0] != "0":
        raise FrameError("length field must start with 0")
    message = raw[9:-1]
    if length_value != len(message):
        raise FrameError(f"length field says {length_value}, frame carries {len(message)}")
    if crc16_arc(message) != crc_value:
        raise FrameError("CRC mismatch")
    return message


def parse_frame(raw: bytes) -> Frame:
    """Check the frame's CRC and length and read its header. Raises FrameError."""
    message = _checked_message(raw)
    header = _HEADER.match(message)
    if header is None or header["id"].decode() not in IDS:
        raise FrameError("unrecognised header")
    try:
        body = message[header.end() :].decode("ascii")
    except UnicodeDecodeError as error:
        raise FrameError("non-ASCII content") from error

    def text(name: str) -> str | None:
        value = header[name]
        return value.decode("ascii").upper() if value is not None else None

    return Frame(
        raw=raw,
        message_id=header["id"].decode(),
        encrypted=header["encrypted"] is not None,
        sequence=header["sequence"].decode(),
        receiver=text("receiver"),
        line=text("line") or "0",
        account=text("account"),
        body=body,
    )


_RESPONSE = re.compile(rb'"\*?(ACK|NAK|DUH)"')


def response_id(raw: bytes) -> str:
    """What a receiver answered ("ACK", "NAK" or "DUH"), once its CRC and length check. Raises FrameError."""
    match = _RESPONSE.match(_checked_message(raw))
    if match is None:
        raise FrameError("not a receiver's response")
    return match[1].decode()


def aes_key(key_hex: str) -> bytes:
    """Panels, pysiaalarm and Home Assistant take the key as 16, 24 or 32 hex characters whose ASCII
    bytes are the AES-128/192/256 key."""
    if len(key_hex) not in (16, 24, 32) or any(c not in string.hexdigits for c in key_hex):
        raise ValueError("an AES key is 16, 24 or 32 hexadecimal characters")
    return key_hex.encode("ascii")


def _cipher(key_hex: str) -> Cipher:
    return Cipher(algorithms.AES(aes_key(key_hex)), modes.CBC(ZERO_IV))


def decrypt_text(hex_text: str, key_hex: str) -> str:
    try:
        ciphertext = bytes.fromhex(hex_text)
    except ValueError as error:
        raise ContentError("encrypted content is not hexadecimal") from error
    if not ciphertext or len(ciphertext) % 16:
        raise ContentError("encrypted content is not a whole number of AES blocks")
    decryptor = _cipher(key_hex).decryptor()
    plain = decryptor.update(ciphertext) + decryptor.finalize()
    try:
        return plain.decode("ascii")
    except UnicodeDecodeError as error:
        raise ContentError("content does not decrypt with this key") from error


def encrypt_text(text: str, key_hex: str) -> str:
    """Prefix random printable padding and `|` so the result fills whole AES blocks; hex, upper case."""
    pad_length = 16 - (len(text) + 1) % 16
    pad = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(pad_length))
    plain = f"{pad}|{text}".encode("ascii")
    encryptor = _cipher(key_hex).encryptor()
    return (encryptor.update(plain) + encryptor.finalize()).hex().upper()


def open_content(frame: Frame, key_hex: str | None) -> Frame:
    """Decrypt (when encrypted) and split the body into data, extended blocks and timestamp.
    Raises ContentError."""
    body = frame.body
    if frame.encrypted:
        if not key_hex:
            raise ContentError("encrypted frame for an account without a key")
        plain = decrypt_text(body, key_hex)
        if "|" not in plain:
            raise ContentError("content does not decrypt with this key")
        body = plain.split("|", 1)[1]
    data, closing, rest = body.partition("]")
    if not closing:
        raise ContentError("data block is not closed")
    extended = []
    while rest.startswith("["):
        block, closing, rest = rest[1:].partition("]")
        if not closing or not block:
            raise ContentError("extended block is not closed")
        extended.append((block[0], block[1:]))
    timestamp = None
    if rest:
        match = _TIMESTAMP.match(rest)
        if match is None:
            raise ContentError("timestamp is malformed")
        hour, minute, second, month, day, year = (int(part) for part in match.groups())
        try:
            timestamp = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError as error:
            raise ContentError("timestamp is not a real moment") from error
    frame.data, frame.extended, frame.timestamp = data, extended, timestamp
    return frame


def _timestamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("_%H:%M:%S,%m-%d-%Y")


def _wrap(message: str) -> bytes:
    encoded = message.encode("ascii")
    return b"\n" + f"{crc16_arc(encoded):04X}{len(encoded):04X}".encode() + encoded + b"\r"


def _address(frame: Frame) -> str:
    receiver = f"R{frame.receiver}" if frame.receiver is not None else ""
    account = f"#{frame.account}" if frame.account is not None else ""
    return f"{frame.sequence}{receiver}L{frame.line}{account}"


def build_ack(frame: Frame, key_hex: str | None, now: datetime) -> bytes:
    """ACK, echoing sequence, receiver, line and account; encrypted (with our timestamp) when the frame was."""
    if frame.encrypted and key_hex:
        return _wrap(f'"*ACK"{_address(frame)}[{encrypt_text("]" + _timestamp(now), key_hex)}')
    return _wrap(f'"ACK"{_address(frame)}[]')


def build_nak(frame: Frame, now: datetime) -> bytes:
    """NAK: the frame's timestamp is outside the window; ours tells the panel the right time."""
    return _wrap(f'"NAK"{_address(frame)}[]{_timestamp(now)}')


def build_duh(frame: Frame) -> bytes:
    """DUH: we understood the frame but not what it says (unknown account, bad key, bad content)."""
    return _wrap(f'"DUH"{_address(frame)}[]')


def panel_frame(
    *,
    message_id: str = "ADM-CID",
    sequence: str = "0001",
    account: str = "1234",
    data: str | None = "1120 01 015",
    receiver: str | None = "1",
    line: str = "0",
    extended: str = "",
    timestamp: datetime | str | None = None,
    key_hex: str | None = None,
) -> bytes:
    """A frame as a panel sends it (for the demo's simulated panels, the benchmark and tests): `data` is the
    event after `#acct|` (None for a NULL link test); `timestamp` a moment, a literal, or None for none."""
    moment = _timestamp(timestamp) if isinstance(timestamp, datetime) else (timestamp or "")
    content = f"#{account}|{data}]{extended}{moment}" if data is not None else f"]{extended}{moment}"
    body = encrypt_text(content, key_hex) if key_hex else content
    flag = "*" if key_hex else ""
    address = f"{sequence}{'R' + receiver if receiver is not None else ''}L{line}#{account}"
    return _wrap(f'"{flag}{message_id}"{address}[{body}')
