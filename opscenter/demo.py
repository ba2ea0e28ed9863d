"""The live demo: its users, and simulated traffic that keeps the operators' screens moving.

Simulated traffic goes through the same services as real traffic, so the demo shows the real chain:
service, audit, after-commit publish, websocket, dashboard. Subsystem apps plug their own traffic in
from their `AppConfig.ready()`:

    from opscenter.demo import register_simulator
    register_simulator(simulate_alarm_step)

A simulator is a plain synchronous callable taking a `random.Random`. The demo command calls every
registered simulator now and then, each in a worker thread (through `sync_to_async`), so it may use the
ORM and the services freely. A simulator that raises is logged and skipped for that round.
"""

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from opscenter.errors import InvalidTransition
from opscenter.models import OPEN_STATUSES, Alert, Disposition, District, Role
from opscenter.services.alerts import alert_raise, alert_resolve
from opscenter.services.texts import Phrase, phrase

logger = logging.getLogger(__name__)

Simulator = Callable[[random.Random], object]

_simulators: list[Simulator] = []


def register_simulator(simulator: Simulator) -> Simulator:
    """Add `simulator` to the demo's traffic (once, however often it is registered). Usable as a decorator."""
    if simulator not in _simulators:
        _simulators.append(simulator)
    return simulator


def registered_simulators() -> list[Simulator]:
    return list(_simulators)


def run_simulators(rng: random.Random) -> None:
    """One round of every registered simulator; one failing does not stop the others."""
    for simulator in registered_simulators():
        try:
            simulator(rng)
        except Exception:
            logger.exception("Demo simulator %r failed", simulator)


# --- Demo users -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str
    centers: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    superuser: bool = False


DEMO_USERS = (
    DemoUser("admin", "opscenter-admin-demo", Role.ADMINISTRATOR, "Ерлан", "Жумабаев", superuser=True),
    DemoUser("operator1", "uralsk-shift-one", Role.OPERATOR, "Айгерим", "Сапарова", centers=("uralsk",)),
    DemoUser("operator2", "uralsk-shift-two", Role.OPERATOR, "Данияр", "Ким", centers=("uralsk",)),
    DemoUser("supervisor", "uralsk-shift-lead", Role.SUPERVISOR, "Марат", "Исмагулов", centers=("uralsk",)),
    DemoUser("syrym", "syrym-shift-one", Role.OPERATOR, "Асель", "Нургалиева", centers=("syrym",)),
    DemoUser("terekti", "terekti-officer", Role.DISTRICT_OFFICER, "Бауыржан", "Утегенов", districts=("terekti",)),
    DemoUser(
        "analyst",
        "oblast-analyst-demo",
        Role.ANALYST,
        "Жанна",
        "Ахметова",
        centers=("uralsk", "burlin", "bayterek", "syrym"),
    ),
)


def demo_user_lines() -> list[str]:
    """One line per demo login, for the console."""
    scopes = {
        user.username: "all" if user.superuser else ", ".join(user.centers + user.districts) for user in DEMO_USERS
    }
    return [
        f"  {user.username:<11} {user.password:<21} {Role(user.role).label} ({scopes[user.username]})"
        for user in DEMO_USERS
    ]


# --- The spine's own simulated traffic -------------------------------------------------------------

SOURCE = "demo"

# Uralsk city gets most of the traffic, as it has most of the people and most of the cameras.
_DISTRICT_WEIGHTS = {"uralsk": 8, "burlin": 2, "bayterek": 2, "syrym": 2, "terekti": 2}

# Streets as the oblast names them, in Russian and in Kazakh.
_STREETS = {
    "uralsk": (
        ("пр. Достык", "Достық даңғылы"),
        ("пр. Евразия", "Еуразия даңғылы"),
        ("ул. Сарайшык", "Сарайшық көшесі"),
        ("ул. Ихсанова", "Ихсанов көшесі"),
        ("ул. Жангир хана", "Жәңгір хан көшесі"),
        ("пр. Абулхаир хана", "Әбілқайыр хан даңғылы"),
    ),
    "burlin": (
        ("ул. Молодёжная", "Жастар көшесі"),
        ("ул. Иксанова", "Ихсанов көшесі"),
        ("ул. Губкина", "Губкин көшесі"),
    ),
}
_DEFAULT_STREETS = (
    ("ул. Абая", "Абай көшесі"),
    ("ул. Достык", "Достық көшесі"),
    ("ул. Бейбитшилик", "Бейбітшілік көшесі"),
    ("ул. Жамбыла", "Жамбыл көшесі"),
)

# Subsystems not built yet, simulated here until their apps bring real traffic (alarms and bracelets do).
# kind, severity, title maker, how far from the district seat (degrees), dedup key maker (None: none)
_KINDS: list[tuple[str, int, Callable[[random.Random], Phrase], float, Callable[[random.Random], str] | None]] = [
    (
        "wanted_vehicle",
        2,
        lambda rng: phrase(gettext_noop("Wanted vehicle seen: %(plate)s"), plate=_plate(rng)),
        0.04,
        None,
    ),
    (
        "crowd",
        3,
        lambda rng: phrase(gettext_noop("Crowd gathering: about %(count)d people"), count=rng.randint(40, 300)),
        0.02,
        None,
    ),
    ("illegal_dumping", 3, lambda rng: phrase(gettext_noop("Illegal dumping recorded by a camera")), 0.06, None),
    (
        "speeding",
        4,
        lambda rng: phrase(gettext_noop("Speeding: %(speed)d km/h where 90 is allowed"), speed=rng.randint(125, 170)),
        0.15,
        None,
    ),
]

# An open simulated alert older than this is closed as a test, so the demo's open list stays readable.
RESOLVE_AFTER = timedelta(minutes=4)
MAX_OPEN = 40


def _plate(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCEHKMOPTXY") for _index in range(3))
    return f"{rng.randint(100, 999)} {letters} 07"


def _pick_district(rng: random.Random) -> District:
    districts = list(District.objects.select_related("center"))
    weights = [_DISTRICT_WEIGHTS.get(district.code, 1) for district in districts]
    return rng.choices(districts, weights=weights, k=1)[0]


def simulate_alert(rng: random.Random) -> Alert:
    """Raise one plausible alert near a district seat, through the alert service."""
    district = _pick_district(rng)
    kind, severity, title, spread, dedup_key = rng.choice(_KINDS)
    street_ru, street_kk = rng.choice(_STREETS.get(district.code, _DEFAULT_STREETS))
    number = rng.randint(1, 150)
    said = title(rng)
    return alert_raise(
        source=SOURCE,
        kind=kind,
        severity=severity,
        title=said,
        district=district,
        latitude=round(district.seat_latitude + rng.gauss(0, spread), 6),
        longitude=round(district.seat_longitude + rng.gauss(0, spread * 1.5), 6),
        address=f"{street_ru}, {number}",
        payload={"simulated": True, "title": said, "address_kk": f"{street_kk}, {number}"},  # worded when shown
        dedup_key=dedup_key(rng) if dedup_key else "",
    )


def resolve_stale(*, now: datetime | None = None) -> list[Alert]:
    """Close simulated alerts left open too long (and the oldest beyond MAX_OPEN) as tests."""
    now = now or timezone.now()
    open_alerts = Alert.objects.filter(source=SOURCE, status__in=OPEN_STATUSES).order_by("raised_at")
    stale = set(open_alerts.filter(raised_at__lte=now - RESOLVE_AFTER).values_list("pk", flat=True))
    surplus = open_alerts.count() - MAX_OPEN
    if surplus > 0:
        stale.update(open_alerts.values_list("pk", flat=True)[:surplus])
    resolved = []
    for pk in sorted(stale):
        try:
            resolved.append(
                alert_resolve(
                    alert=Alert(pk=pk),
                    actor=None,
                    disposition=Disposition.TEST,
                    note=phrase(gettext_noop("Closed by the demo simulator.")),
                )
            )
        except InvalidTransition:
            continue  # an operator closed it meanwhile
    return resolved


def simulate_step(rng: random.Random, *, now: datetime | None = None) -> list[Alert]:
    """One round of the spine's traffic: now and then a new alert (rarely two), then old ones closed."""
    raised = []
    roll = rng.random()
    count = 2 if roll < 0.1 else 1 if roll < 0.6 else 0
    for _index in range(count):
        raised.append(simulate_alert(rng))
    resolve_stale(now=now)
    return raised


def warm_up(rng: random.Random, *, count: int = 6) -> list[Alert]:
    """A few alerts at start, so a fresh demo does not open on an empty screen."""
    if Alert.objects.filter(source=SOURCE, status__in=OPEN_STATUSES).exists():
        return []
    return [simulate_alert(rng) for _index in range(count)]


register_simulator(simulate_step)
