"""Reading the data block of a DC-09 frame: Contact ID (`#acct|QEEE PP ZZZ`) or SIA (`#acct|Nri1/PA001^text^`)."""

import re
from dataclasses import dataclass

from alarms.codes import UNKNOWN, EventClass, Meaning, contact_id_meaning, sia_meaning
from alarms.dc09 import ContentError

_CONTACT_ID = re.compile(
    r"^(?P<qualifier>[136])(?P<code>[0-9A-F]{3}) (?P<partition>[0-9A-F]{2}) (?P<zone>[0-9A-F]{3})$"
)
_SIA_BLOCK = re.compile(
    r"^(?P<modifiers>(?:[a-z]{2}[^/A-Z^]*)*)(?P<code>[A-Z]{2})(?P<zone>[0-9A-Za-z]*)(?:\^(?P<text>[^^]*)\^?)?$"
)


@dataclass(frozen=True)
class Reading:
    code: str  # as sent: "120" for Contact ID, "PA" for SIA
    qualifier: str  # Contact ID qualifier; "" for SIA
    partition: str
    zone: str
    text: str
    meaning: Meaning

    @property
    def event_class(self) -> EventClass:
        return self.meaning.event_class


def _payload(data: str) -> tuple[str | None, str]:
    """Split `#acct|payload` (both parts optional) into account and payload."""
    account = None
    if data.startswith("#"):
        account, _bar, data = data[1:].partition("|")
        if not _bar:
            return account, ""
    elif "|" in data:
        data = data.split("|", 1)[1]
    return account, data


def read_contact_id(data: str) -> Reading:
    _account, payload = _payload(data)
    match = _CONTACT_ID.match(payload.strip())
    if match is None:
        raise ContentError(f"not a Contact ID event: {payload[:40]!r}")
    code, qualifier = match["code"], match["qualifier"]
    return Reading(code, qualifier, match["partition"], match["zone"], "", contact_id_meaning(code, qualifier))


def read_sia(data: str) -> Reading:
    _account, payload = _payload(data)
    if payload[:1] in ("N", "O"):
        payload = payload[1:]
    partition = ""
    for block in payload.split("/"):
        area = re.match(r"(?:[a-z]{2}[^/A-Z^]*)*?ri(\d+)", block)
        partition = area.group(1) if area else partition
        match = _SIA_BLOCK.match(block)
        if match is None:
            continue
        code = match["code"]
        return Reading(code, "", partition, match["zone"], (match["text"] or "").strip(), sia_meaning(code))
    if not payload:
        raise ContentError("SIA frame without an event")
    raise ContentError(f"not a SIA event: {payload[:40]!r}")


def read(message_id: str, data: str) -> Reading:
    if message_id == "ADM-CID":
        return read_contact_id(data)
    if message_id == "SIA-DCS":
        return read_sia(data)
    return Reading("", "", "", "", "", UNKNOWN)
