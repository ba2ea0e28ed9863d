"""What alarm codes mean: one table for Contact ID and one for SIA, mapped to the platform's kinds.

A code missing here is stored and shown as it came (kind "unknown"), never passed off as something else.
Descriptions are stored in English (the record) and translated when shown to a person.
Descriptions follow SIA DC-03/DC-05; pysiaalarm's tables were checked against them (it maps Contact ID
122 "silent panic" to hold-up, which is wrong for us: a silent panic is a panic).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_noop


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
    "100": Meaning("medical", EventClass.ALARM, gettext_noop("Medical"), 2),
    "110": Meaning("fire", EventClass.ALARM, gettext_noop("Fire"), 2),
    "120": Meaning("panic", EventClass.ALARM, gettext_noop("Panic"), 1),
    "121": Meaning("duress", EventClass.ALARM, gettext_noop("Duress"), 1),
    "122": Meaning("panic", EventClass.ALARM, gettext_noop("Silent panic"), 1),
    "123": Meaning("panic", EventClass.ALARM, gettext_noop("Audible panic"), 1),
    "129": Meaning("holdup", EventClass.ALARM, gettext_noop("Confirmed hold-up"), 1),
    "130": Meaning("burglary", EventClass.ALARM, gettext_noop("Burglary"), 2),
    "137": Meaning("tamper", EventClass.TROUBLE, gettext_noop("Tamper")),
    "144": Meaning("tamper", EventClass.TROUBLE, gettext_noop("Sensor tamper")),
    "300": Meaning("system_trouble", EventClass.TROUBLE, gettext_noop("System trouble")),
    "301": Meaning("ac_loss", EventClass.TROUBLE, gettext_noop("AC power loss")),
    "302": Meaning("low_battery", EventClass.TROUBLE, gettext_noop("Low system battery")),
    "305": Meaning("system_reset", EventClass.STATUS, gettext_noop("System reset")),
    "350": Meaning("communication_trouble", EventClass.TROUBLE, gettext_noop("Communication trouble")),
    "354": Meaning("communication_trouble", EventClass.TROUBLE, gettext_noop("Failure to communicate")),
    "380": Meaning("sensor_trouble", EventClass.TROUBLE, gettext_noop("Sensor trouble")),
    "383": Meaning("tamper", EventClass.TROUBLE, gettext_noop("Sensor tamper")),
    "384": Meaning("low_battery", EventClass.TROUBLE, gettext_noop("Wireless sensor low battery")),
    "400": Meaning("open_close", EventClass.STATUS, gettext_noop("Open/close")),
    "401": Meaning("open_close", EventClass.STATUS, gettext_noop("Open/close by user")),
    "407": Meaning("open_close", EventClass.STATUS, gettext_noop("Remote arm/disarm")),
    "570": Meaning("bypass", EventClass.STATUS, gettext_noop("Zone bypass")),
    "601": Meaning("test", EventClass.TEST, gettext_noop("Manual test")),
    "602": Meaning("test", EventClass.TEST, gettext_noop("Periodic test")),
    "603": Meaning("test", EventClass.TEST, gettext_noop("Periodic RF transmission")),
}

# SIA event codes (two letters).
SIA: dict[str, Meaning] = {
    "PA": Meaning("panic", EventClass.ALARM, gettext_noop("Panic alarm"), 1),
    "PH": Meaning("panic", EventClass.RESTORE, gettext_noop("Panic alarm restore")),
    "PR": Meaning("panic", EventClass.RESTORE, gettext_noop("Panic restoral")),
    "HA": Meaning("holdup", EventClass.ALARM, gettext_noop("Hold-up alarm"), 1),
    "HV": Meaning("holdup", EventClass.ALARM, gettext_noop("Hold-up alarm verified"), 1),
    "HH": Meaning("holdup", EventClass.RESTORE, gettext_noop("Hold-up alarm restore")),
    "HR": Meaning("holdup", EventClass.RESTORE, gettext_noop("Hold-up restoral")),
    "DU": Meaning("duress", EventClass.ALARM, gettext_noop("Duress"), 1),
    "MA": Meaning("medical", EventClass.ALARM, gettext_noop("Medical alarm"), 2),
    "MH": Meaning("medical", EventClass.RESTORE, gettext_noop("Medical alarm restore")),
    "RP": Meaning("test", EventClass.TEST, gettext_noop("Automatic test")),
    "RX": Meaning("test", EventClass.TEST, gettext_noop("Manual test")),
    "TX": Meaning("test", EventClass.TEST, gettext_noop("Test report")),
    "FA": Meaning("fire", EventClass.ALARM, gettext_noop("Fire alarm"), 2),
    "FH": Meaning("fire", EventClass.RESTORE, gettext_noop("Fire alarm restore")),
    "BA": Meaning("burglary", EventClass.ALARM, gettext_noop("Burglary alarm"), 2),
    "BH": Meaning("burglary", EventClass.RESTORE, gettext_noop("Burglary alarm restore")),
    "TA": Meaning("tamper", EventClass.TROUBLE, gettext_noop("Tamper alarm")),
    "AT": Meaning("ac_loss", EventClass.TROUBLE, gettext_noop("AC trouble")),
    "AR": Meaning("ac_loss", EventClass.RESTORE, gettext_noop("AC restoral")),
    "YT": Meaning("low_battery", EventClass.TROUBLE, gettext_noop("System battery trouble")),
    "YR": Meaning("low_battery", EventClass.RESTORE, gettext_noop("System battery restoral")),
    "YC": Meaning("communication_trouble", EventClass.TROUBLE, gettext_noop("Communications fail")),
    "YK": Meaning("communication_trouble", EventClass.RESTORE, gettext_noop("Communications restoral")),
    "OP": Meaning("open_close", EventClass.STATUS, gettext_noop("Opening report")),
    "CL": Meaning("open_close", EventClass.STATUS, gettext_noop("Closing report")),
    "BB": Meaning("bypass", EventClass.STATUS, gettext_noop("Burglary bypass")),
}

UNKNOWN = Meaning("unknown", EventClass.UNKNOWN, gettext_noop("Unknown code"))


def contact_id_meaning(code: str, qualifier: str) -> Meaning:
    meaning = CONTACT_ID.get(code)
    if meaning is None:
        return UNKNOWN
    if qualifier == "3" and meaning.event_class in (EventClass.ALARM, EventClass.TROUBLE):
        return Meaning(meaning.kind, EventClass.RESTORE, meaning.description)
    if qualifier == "6" and meaning.event_class == EventClass.ALARM:
        return Meaning(meaning.kind, EventClass.STATUS, meaning.description)
    return meaning


def sia_meaning(code: str) -> Meaning:
    return SIA.get(code, UNKNOWN)
