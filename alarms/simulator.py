"""The demo's alarm panels: schools and kindergartens around the oblast that send periodic tests over real
DC-09 frames and, now and then, a panic, a duress or a hold-up, restored a little later."""

import random
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from alarms.dc09 import panel_frame
from alarms.models import AlarmPanel
from alarms.services import frame_receive, panel_create
from opscenter.models import District

DEMO_PANELS = [
    ("D001", "School-lyceum No. 5", "school", "uralsk", 51.2290, 51.3860, "Uralsk, Dostyk ave. 12"),
    ("D002", "Kindergarten Balapan", "kindergarten", "uralsk", 51.2105, 51.3550, "Uralsk, Abai ave. 40"),
    ("D003", "West Kazakhstan Agrarian College", "college", "uralsk", 51.2480, 51.4010, "Uralsk, Zhangir khan st. 51"),
    ("D004", "Aksai secondary school No. 2", "school", "burlin", 51.1700, 52.9990, "Aksai, Druzhba st. 7"),
    ("D005", "Peremetnoye police post", "police_post", "bayterek", 51.1985, 50.8560, "Peremetnoye, Lenin st. 3"),
    ("D006", "Zhympity kindergarten Aigolek", "kindergarten", "syrym", 50.2510, 52.6020, "Zhympity, Abai st. 18"),
    ("D007", "Fyodorovka school No. 1", "school", "terekti", 51.2550, 51.9900, "Fyodorovka, Shkolnaya st. 1"),
]
TEST_EVERY = timedelta(seconds=60)
ALARMS = [("1120 01 001", 0.6), ("1121 01 002", 0.15), ("1129 01 001", 0.1), ("1122 01 003", 0.15)]


def ensure_demo_panels() -> list[AlarmPanel]:
    existing = {
        panel.account: panel for panel in AlarmPanel.objects.filter(account__in=[row[0] for row in DEMO_PANELS])
    }
    for account, name, kind, district, latitude, longitude, address in DEMO_PANELS:
        if account not in existing:
            existing[account] = panel_create(
                account=account, object_name=name, object_kind=kind, district=District.objects.get(code=district),
                latitude=latitude, longitude=longitude, address=address, supervision_seconds=180,
            )  # fmt: skip
    return list(existing.values())


_sequences: dict[str, int] = {}
_pressed: dict[str, str] = {}  # account -> the Contact ID code of an alarm still to restore


def _send(panel: AlarmPanel, data: str) -> None:
    number = _sequences.get(panel.account, 0) % 9999 + 1
    _sequences[panel.account] = number
    frame = panel_frame(account=panel.account, sequence=f"{number:04d}", data=data, timestamp=datetime.now(UTC))
    frame_receive(raw=frame, transport="tcp", peer="demo-simulator")


def simulate_panels(rng: random.Random) -> None:
    """One round: periodic tests when due; a rare alarm; the restore of an earlier one."""
    now = timezone.now()
    for panel in ensure_demo_panels():
        if panel.account in _pressed and rng.random() < 0.3:
            _send(panel, "3" + _pressed.pop(panel.account)[1:])
        elif panel.account not in _pressed and rng.random() < 0.02:
            data = rng.choices([code for code, _ in ALARMS], weights=[weight for _, weight in ALARMS])[0]
            _pressed[panel.account] = data
            _send(panel, data)
        elif panel.last_contact_at is None or now - panel.last_contact_at >= TEST_EVERY:
            _send(panel, "1602 00 000")
