"""What alarm codes mean: one table for Contact ID and one for SIA, mapped to the platform's kinds.

A code missing here is stored and shown as it came (kind "unknown"), never passed off as something else.
Descriptions follow SIA DC-03/DC-05; pysiaalarm's tables were checked against them (it maps Contact ID
122 "silent panic" to hold-up, which is wrong for us: a silent panic is a panic).
"""

from dataclasses import dataclass
from enum import StrEnum


class EventClass(StrEnum):
    ALARM = "alarm"  # a person needs help: raises an alert
    RESTORE = "restore"  # the condition has ended: updates the alert
    TEST = "test"  # proves the link: refreshes supervision only
    TROUBLE = "trouble"  # equipment fault: recorded, shown in the panel's history
    STATUS = "status"  # opening, closing, bypass and the like: recorded
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Meaning:
    kind: str
    event_class: EventClass
    description: str
    severity: int | None = None  # an ALARM raises an alert of this severity (1 = P1)


# Contact ID event codes (qualifier 1 new / 3 restore / 6 status is read separately).
CONTACT_ID: dict[str, Meaning] = {
    "100": Meaning("medical", EventClass.ALARM, "Medical", 2),
    "110": Meaning("fire", EventClass.ALARM, "Fire", 2),
    "120": Meaning("panic", EventClass.ALARM, "Panic", 1),
    "121": Meaning("duress", EventClass.ALARM, "Duress", 1),
    "122": Meaning("panic", EventClass.ALARM, "Silent panic", 1),
    "123": Meaning("panic", EventClass.ALARM, "Audible panic", 1),
    "129": Meaning("holdup", EventClass.ALARM, "Confirmed hold-up", 1),
    "130": Meaning("burglary", EventClass.ALARM, "Burglary", 2),
    "137": Meaning("tamper", EventClass.TROUBLE, "Tamper"),
    "144": Meaning("tamper", EventClass.TROUBLE, "Sensor tamper"),
    "300": Meaning("system_trouble", EventClass.TROUBLE, "System trouble"),
    "301": Meaning("ac_loss", EventClass.TROUBLE, "AC power loss"),
    "302": Meaning("low_battery", EventClass.TROUBLE, "Low system battery"),
    "305": Meaning("system_reset", EventClass.STATUS, "System reset"),
    "350": Meaning("communication_trouble", EventClass.TROUBLE, "Communication trouble"),
    "354": Meaning("communication_trouble", EventClass.TROUBLE, "Failure to communicate"),
    "380": Meaning("sensor_trouble", EventClass.TROUBLE, "Sensor trouble"),
    "383": Meaning("tamper", EventClass.TROUBLE, "Sensor tamper"),
    "384": Meaning("low_battery", EventClass.TROUBLE, "Wireless sensor low battery"),
    "400": Meaning("open_close", EventClass.STATUS, "Open/close"),
    "401": Meaning("open_close", EventClass.STATUS, "Open/close by user"),
    "407": Meaning("open_close", EventClass.STATUS, "Remote arm/disarm"),
    "570": Meaning("bypass", EventClass.STATUS, "Zone bypass"),
    "601": Meaning("test", EventClass.TEST, "Manual test"),
    "602": Meaning("test", EventClass.TEST, "Periodic test"),
    "603": Meaning("test", EventClass.TEST, "Periodic RF transmission"),
}

# SIA event codes (two letters).
SIA: dict[str, Meaning] = {
    "PA": Meaning("panic", EventClass.ALARM, "Panic alarm", 1),
    "PH": Meaning("panic", EventClass.RESTORE, "Panic alarm restore"),
    "PR": Meaning("panic", EventClass.RESTORE, "Panic restoral"),
    "HA": Meaning("holdup", EventClass.ALARM, "Hold-up alarm", 1),
    "HV": Meaning("holdup", EventClass.ALARM, "Hold-up alarm verified", 1),
    "HH": Meaning("holdup", EventClass.RESTORE, "Hold-up alarm restore"),
    "HR": Meaning("holdup", EventClass.RESTORE, "Hold-up restoral"),
    "DU": Meaning("duress", EventClass.ALARM, "Duress", 1),
    "MA": Meaning("medical", EventClass.ALARM, "Medical alarm", 2),
    "MH": Meaning("medical", EventClass.RESTORE, "Medical alarm restore"),
    "RP": Meaning("test", EventClass.TEST, "Automatic test"),
    "RX": Meaning("test", EventClass.TEST, "Manual test"),
    "TX": Meaning("test", EventClass.TEST, "Test report"),
    "FA": Meaning("fire", EventClass.ALARM, "Fire alarm", 2),
    "FH": Meaning("fire", EventClass.RESTORE, "Fire alarm restore"),
    "BA": Meaning("burglary", EventClass.ALARM, "Burglary alarm", 2),
    "BH": Meaning("burglary", EventClass.RESTORE, "Burglary alarm restore"),
    "TA": Meaning("tamper", EventClass.TROUBLE, "Tamper alarm"),
    "AT": Meaning("ac_loss", EventClass.TROUBLE, "AC trouble"),
    "AR": Meaning("ac_loss", EventClass.RESTORE, "AC restoral"),
    "YT": Meaning("low_battery", EventClass.TROUBLE, "System battery trouble"),
    "YR": Meaning("low_battery", EventClass.RESTORE, "System battery restoral"),
    "YC": Meaning("communication_trouble", EventClass.TROUBLE, "Communications fail"),
    "YK": Meaning("communication_trouble", EventClass.RESTORE, "Communications restoral"),
    "OP": Meaning("open_close", EventClass.STATUS, "Opening report"),
    "CL": Meaning("open_close", EventClass.STATUS, "Closing report"),
    "BB": Meaning("bypass", EventClass.STATUS, "Burglary bypass"),
}

UNKNOWN = Meaning("unknown", EventClass.UNKNOWN, "Unknown code")


def contact_id_meaning(code: str, qualifier: str) -> Meaning:
    meaning = CONTACT_ID.get(code)
    if meaning is None:
        return UNKNOWN
    if qualifier == "3" and meaning.event_class in (EventClass.ALARM, EventClass.TROUBLE):
        return Meaning(meaning.kind, EventClass.RESTORE, f"{meaning.description} restore")
    if qualifier == "6" and meaning.event_class == EventClass.ALARM:
        return Meaning(meaning.kind, EventClass.STATUS, f"{meaning.description} (status)")
    return meaning


def sia_meaning(code: str) -> Meaning:
    return SIA.get(code, UNKNOWN)
