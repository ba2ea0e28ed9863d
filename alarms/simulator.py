"""The demo's alarm panels: schools and kindergartens around the oblast that send periodic tests over real
DC-09 frames and, now and then, a panic, a duress or a hold-up, restored a little later."""

import random
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from alarms.dc09 import panel_frame
from alarms.models import AlarmPanel, ContactKind
from alarms.services import frame_receive, panel_create
from opscenter.models import District

# account, kind, district, latitude, longitude, (name, address) in Russian, then in Kazakh
DEMO_PANELS = [
    (
        "D001",
        "school",
        "uralsk",
        51.2290,
        51.3860,
        ("Школа-лицей № 5", "Уральск, пр. Достык, 12"),
        ("№ 5 мектеп-лицей", "Орал, Достық даңғылы, 12"),
    ),
    (
        "D002",
        "kindergarten",
        "uralsk",
        51.2105,
        51.3550,
        ("Детский сад «Балапан»", "Уральск, пр. Абая, 40"),
        ("«Балапан» балабақшасы", "Орал, Абай даңғылы, 40"),
    ),
    (
        "D003",
        "college",
        "uralsk",
        51.2480,
        51.4010,
        ("Западно-Казахстанский аграрный колледж", "Уральск, ул. Жангир хана, 51"),
        ("Батыс Қазақстан аграрлық колледжі", "Орал, Жәңгір хан көшесі, 51"),
    ),
    (
        "D004",
        "school",
        "burlin",
        51.1700,
        52.9990,
        ("Аксайская средняя школа № 2", "Аксай, ул. Дружбы, 7"),
        ("Ақсай № 2 орта мектебі", "Ақсай, Достық көшесі, 7"),
    ),
    (
        "D005",
        "police_post",
        "bayterek",
        51.1985,
        50.8560,
        ("Полицейский пост Переметное", "Переметное, ул. Ленина, 3"),
        ("Переметное полиция бекеті", "Переметное, Ленин көшесі, 3"),
    ),
    (
        "D006",
        "kindergarten",
        "syrym",
        50.2510,
        52.6020,
        ("Детский сад «Айгөлек», Жымпиты", "Жымпиты, ул. Абая, 18"),
        ("Жымпиты «Айгөлек» балабақшасы", "Жымпиты, Абай көшесі, 18"),
    ),
    (
        "D007",
        "school",
        "terekti",
        51.2550,
        51.9900,
        ("Фёдоровская школа № 1", "Фёдоровка, ул. Школьная, 1"),
        ("Федоровка № 1 мектебі", "Федоровка, Мектеп көшесі, 1"),
    ),
]
# Per object: its duty phone (the organisation's, shown with the pre-plan), a named person (personal:
# only through the audited details read) and what to do there on a panic.
DEMO_OBJECT_PLANS = {
    "D001": (
        ("Вахта лицея", "+7 7112 51-05-05"), ("Серикова А. К.", "директор", "+7 701 555 05 05"),
        "Въезд для наряда — с ул. Абая (главные ворота закрыты в учебное время).\nОхранник на посту у главного входа.",
        "Жасақ кіретін жол — Абай көшесінен (сабақ кезінде басты қақпа жабық).\nКүзетші басты кіреберістегі бекетте.",
    ),
    "D002": (
        ("Вахта детского сада", "+7 7112 51-22-10"), ("Жумагалиева Г. Т.", "заведующая", "+7 705 222 10 10"),
        "Дети на первом этаже: наряд входит через служебный вход со двора.",
        "Балалар бірінші қабатта: жасақ аула жақтағы қызметтік кіреберістен кіреді.",
    ),
    "D004": (
        ("Вахта школы", "+7 71133 3-12-12"), ("Нуртазин Б. С.", "директор", "+7 702 333 12 12"),
        "Ближайший наряд — ОП г. Аксай, 4 минуты.",
        "Ең жақын жасақ — Ақсай қ. ПБ, 4 минут.",
    ),
}  # fmt: skip
TEST_EVERY = timedelta(seconds=60)
ALARMS = [("1120 01 001", 0.6), ("1121 01 002", 0.15), ("1129 01 001", 0.1), ("1122 01 003", 0.15)]


def ensure_demo_panels() -> list[AlarmPanel]:
    existing = {
        panel.account: panel for panel in AlarmPanel.objects.filter(account__in=[row[0] for row in DEMO_PANELS])
    }
    for account, kind, district, latitude, longitude, (name, address), (name_kk, address_kk) in DEMO_PANELS:
        if account not in existing:
            existing[account] = panel_create(
                account=account, object_name=name, object_kind=kind, district=District.objects.get(code=district),
                latitude=latitude, longitude=longitude, address=address, object_name_kk=name_kk,
                address_kk=address_kk, supervision_seconds=180,
            )  # fmt: skip
    _ensure_object_plans(existing)
    return list(existing.values())


_plans_ready: set[str] = set()


def _ensure_object_plans(panels: dict[str, AlarmPanel]) -> None:
    """Contacts and instructions of the demo's objects, once per process, left alone once there."""
    for account, (duty, person, russian, kazakh) in DEMO_OBJECT_PLANS.items():
        panel = panels.get(account)
        if panel is None or account in _plans_ready:
            continue
        protected = panel.protected_object
        if not protected.contacts.exists():
            protected.contacts.create(kind=ContactKind.DUTY, name=duty[0], phone=duty[1], position=0)
            protected.contacts.create(
                kind=ContactKind.PERSON, name=person[0], role=person[1], phone=person[2], position=1
            )
        if not protected.instructions.exists():
            protected.instructions.create(alert_kind="panic", text_ru=russian, text_kk=kazakh)
        _plans_ready.add(account)


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
