"""What alarm codes mean: one table for Contact ID and one for SIA, mapped to the platform's kinds.

A code missing here is stored and shown as it came (kind "unknown"), never passed off as something else.
Descriptions are stored in English (the record) and translated when shown to a person.
Descriptions follow SIA DC-03/DC-05; pysiaalarm's tables were checked against them (it maps Contact ID
122 "silent panic" to hold-up, which is wrong for us: a silent panic is a panic).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_noop as N_


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
    "100": Meaning("medical", EventClass.ALARM, N_("Medical"), 2),
    "110": Meaning("fire", EventClass.ALARM, N_("Fire"), 2),
    "120": Meaning("panic", EventClass.ALARM, N_("Panic"), 1),
    "121": Meaning("duress", EventClass.ALARM, N_("Duress"), 1),
    "122": Meaning("panic", EventClass.ALARM, N_("Silent panic"), 1),
    "123": Meaning("panic", EventClass.ALARM, N_("Audible panic"), 1),
    "129": Meaning("holdup", EventClass.ALARM, N_("Confirmed hold-up"), 1),
    "130": Meaning("burglary", EventClass.ALARM, N_("Burglary"), 2),
    "137": Meaning("tamper", EventClass.TROUBLE, N_("Tamper")),
    "144": Meaning("tamper", EventClass.TROUBLE, N_("Sensor tamper")),
    "300": Meaning("system_trouble", EventClass.TROUBLE, N_("System trouble")),
    "301": Meaning("ac_loss", EventClass.TROUBLE, N_("AC power loss")),
    "302": Meaning("low_battery", EventClass.TROUBLE, N_("Low system battery")),
    "305": Meaning("system_reset", EventClass.STATUS, N_("System reset")),
    "350": Meaning("communication_trouble", EventClass.TROUBLE, N_("Communication trouble")),
    "354": Meaning("communication_trouble", EventClass.TROUBLE, N_("Failure to communicate")),
    "380": Meaning("sensor_trouble", EventClass.TROUBLE, N_("Sensor trouble")),
    "383": Meaning("tamper", EventClass.TROUBLE, N_("Sensor tamper")),
    "384": Meaning("low_battery", EventClass.TROUBLE, N_("Wireless sensor low battery")),
    "400": Meaning("open_close", EventClass.STATUS, N_("Open/close")),
    "401": Meaning("open_close", EventClass.STATUS, N_("Open/close by user")),
    "407": Meaning("open_close", EventClass.STATUS, N_("Remote arm/disarm")),
    "570": Meaning("bypass", EventClass.STATUS, N_("Zone bypass")),
    "601": Meaning("test", EventClass.TEST, N_("Manual test")),
    "602": Meaning("test", EventClass.TEST, N_("Periodic test")),
    "603": Meaning("test", EventClass.TEST, N_("Periodic RF transmission")),
}

# SIA event codes (two letters).
SIA: dict[str, Meaning] = {
    "PA": Meaning("panic", EventClass.ALARM, N_("Panic alarm"), 1),
    "PH": Meaning("panic", EventClass.RESTORE, N_("Panic alarm restore")),
    "PR": Meaning("panic", EventClass.RESTORE, N_("Panic restoral")),
    "HA": Meaning("holdup", EventClass.ALARM, N_("Hold-up alarm"), 1),
    "HV": Meaning("holdup", EventClass.ALARM, N_("Hold-up alarm verified"), 1),
    "HH": Meaning("holdup", EventClass.RESTORE, N_("Hold-up alarm restore")),
    "HR": Meaning("holdup", EventClass.RESTORE, N_("Hold-up restoral")),
    "DU": Meaning("duress", EventClass.ALARM, N_("Duress"), 1),
    "MA": Meaning("medical", EventClass.ALARM, N_("Medical alarm"), 2),
    "MH": Meaning("medical", EventClass.RESTORE, N_("Medical alarm restore")),
    "RP": Meaning("test", EventClass.TEST, N_("Automatic test")),
    "RX": Meaning("test", EventClass.TEST, N_("Manual test")),
    "TX": Meaning("test", EventClass.TEST, N_("Test report")),
    "FA": Meaning("fire", EventClass.ALARM, N_("Fire alarm"), 2),
    "FH": Meaning("fire", EventClass.RESTORE, N_("Fire alarm restore")),
    "BA": Meaning("burglary", EventClass.ALARM, N_("Burglary alarm"), 2),
    "BH": Meaning("burglary", EventClass.RESTORE, N_("Burglary alarm restore")),
    "TA": Meaning("tamper", EventClass.TROUBLE, N_("Tamper alarm")),
    "AT": Meaning("ac_loss", EventClass.TROUBLE, N_("AC trouble")),
    "AR": Meaning("ac_loss", EventClass.RESTORE, N_("AC restoral")),
    "YT": Meaning("low_battery", EventClass.TROUBLE, N_("System battery trouble")),
    "YR": Meaning("low_battery", EventClass.RESTORE, N_("System battery restoral")),
    "YC": Meaning("communication_trouble", EventClass.TROUBLE, N_("Communications fail")),
    "YK": Meaning("communication_trouble", EventClass.RESTORE, N_("Communications restoral")),
    "OP": Meaning("open_close", EventClass.STATUS, N_("Opening report")),
    "CL": Meaning("open_close", EventClass.STATUS, N_("Closing report")),
    "BB": Meaning("bypass", EventClass.STATUS, N_("Burglary bypass")),
}

UNKNOWN = Meaning("unknown", EventClass.UNKNOWN, N_("Unknown code"))


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
