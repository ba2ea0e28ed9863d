"""The live demo: its users, and simulated traffic that keeps the operators' screens moving.

Simulated traffic goes through the same services as real traffic, so the demo shows the real chain:
service, audit, after-commit publish, websocket, dashboard. Subsystem apps plug their own traffic in
from their `AppConfig.ready()`:

    from opscenter.demo import register_simulator
    register_simulator(simulate_alarm_step)

A simulator is a plain synchronous callable taking a `random.Random`. The demo command calls every
registered simulator now and then, each in a worker thread (through `sync_to_async`), so it may use the
ORM and the services freely. A simulator that raises is logged and skipped for that round.

Work that runs on its own (the cameras' video worker, reading its streams continuously) registers a
background instead: `register_background("video", run)`, where `run(stop)` returns once `stop` is set;
the demo runs each in a thread of its own, and what it publishes reaches the screens all the same
(`opscenter.services.live` sends in-memory messages on the server's loop).
"""

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from opscenter.errors import InvalidTransition
from opscenter.models import (
    OPEN_ASSIGNMENT_STATUSES,
    OPEN_STATUSES,
    Alert,
    Disposition,
    District,
    PrePlan,
    Role,
    Unit,
    UnitKind,
    UnitStatus,
    User,
)
from opscenter.osmand import Report
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


Background = Callable[[threading.Event], object]
_backgrounds: dict[str, Background] = {}


def register_background(name: str, run: Background) -> None:
    """Run `run(stop)` in a thread of its own while the demo simulates (registering a name again replaces it)."""
    _backgrounds[name] = run


def registered_backgrounds() -> dict[str, Background]:
    return dict(_backgrounds)


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
    unit: str = ""  # the call sign of the demo unit whose crew they are (their tablet)


DEMO_USERS = (
    DemoUser("admin", "opscenter-admin-demo", Role.ADMINISTRATOR, "Ерлан", "Жумабаев", superuser=True),
    DemoUser("operator1", "uralsk-shift-one", Role.OPERATOR, "Айгерим", "Сапарова", centers=("uralsk",)),
    DemoUser("operator2", "uralsk-shift-two", Role.OPERATOR, "Данияр", "Ким", centers=("uralsk",)),
    DemoUser("supervisor", "uralsk-shift-lead", Role.SUPERVISOR, "Марат", "Исмагулов", centers=("uralsk",)),
    DemoUser("syrym", "syrym-shift-one", Role.OPERATOR, "Асель", "Нургалиева", centers=("syrym",)),
    DemoUser(
        "terekti",
        "terekti-officer",
        Role.DISTRICT_OFFICER,
        "Бауыржан",
        "Утегенов",
        districts=("terekti",),
        unit="Теректі-1",
    ),
    DemoUser("patrol", "steppe-night-shift", Role.PATROL, "Асхат", "Серикбаев", unit="Беркут-1"),
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
        user.username: "all"
        if user.superuser
        else ", ".join([*user.centers, *user.districts, *([f"tablet of {user.unit}"] if user.unit else [])])
        for user in DEMO_USERS
    }
    return [
        f"  {user.username:<11} {user.password:<21} {Role(user.role).label} ({scopes[user.username]})"
        for user in DEMO_USERS
    ]


# --- Pre-plans of the kinds the demo raises -----------------------------------------------------------

# source, kind, steps in Russian, steps in Kazakh, duty services to call back (name, phone)
_DUTY_URALSK = ("Дежурная часть УП г. Уральска", "+7 7112 93-02-02")
_PROBATION = ("Служба пробации ДП ЗКО, дежурный", "+7 7112 50-31-17")
DEMO_PREPLANS: list[tuple[str, str, str, str, tuple[tuple[str, str], ...]]] = [
    (
        "alarms", "panic",
        "Примите тревогу и направьте ближайший наряд.\nПерезвоните на дежурный телефон объекта, уточните, что случилось.\n"
        "Если не отвечают — считайте тревогу реальной.\nДоложите дежурному по городу.",
        "Дабылды қабылдап, жақын жасақты жіберіңіз.\nНысанның кезекші телефонына қайта қоңырау шалып, не болғанын нақтылаңыз.\n"
        "Жауап бермесе — дабылды шынайы деп санаңыз.\nҚала бойынша кезекшіге баяндаңыз.",
        (_DUTY_URALSK,),
    ),
    (
        "alarms", "duress",
        "Не звоните на объект: нажавший может быть под угрозой.\nТихо направьте два наряда без сирен.\nДоложите начальнику смены.",
        "Нысанға қоңырау шалмаңыз: басқан адам қауіпте болуы мүмкін.\nСиренасыз екі жасақты үнсіз жіберіңіз.\n"
        "Ауысым бастығына баяндаңыз.",
        (_DUTY_URALSK,),
    ),
    (
        "alarms", "holdup",
        "Направьте ближайшие наряды, перекройте выезды.\nНе звоните на объект до прибытия наряда.",
        "Жақын жасақтарды жіберіп, шығу жолдарын жабыңыз.\nЖасақ келгенге дейін нысанға қоңырау шалмаңыз.",
        (_DUTY_URALSK,),
    ),
    (
        "alarms", "panel_silent",
        "Перезвоните на дежурный телефон объекта: есть ли связь и охрана.\nЕсли объект не отвечает — направьте наряд проверить.",
        "Нысанның кезекші телефонына қоңырау шалыңыз: байланыс пен күзет бар ма.\n"
        "Нысан жауап бермесе — тексеруге жасақ жіберіңіз.",
        (),
    ),
    (
        "bracelets", "bracelet_exclusion",
        "Откройте дело (причина — номер тревоги) и посмотрите последние координаты.\n"
        "Направьте наряд к потерпевшей стороне.\nСообщите в службу пробации.",
        "Істі ашыңыз (себебі — дабыл нөмірі) және соңғы координаттарды қараңыз.\n"
        "Жәбірленуші тарапқа жасақ жіберіңіз.\nПробация қызметіне хабарлаңыз.",
        (_PROBATION,),
    ),
    (
        "bracelets", "",
        "Откройте дело и посмотрите последние координаты.\nСообщите в службу пробации.",
        "Істі ашып, соңғы координаттарды қараңыз.\nПробация қызметіне хабарлаңыз.",
        (_PROBATION,),
    ),
    (
        "appeals", "appeal_domestic_violence",
        "Направьте участкового или наряд по адресу обращения.\nЗарегистрируйте сообщение в КУИ.",
        "Өтініш мекенжайына учаскелік немесе жасақ жіберіңіз.\nХабарламаны КУИ-де тіркеңіз.",
        (),
    ),
    (
        "appeals", "",
        "Проверьте категорию и район обращения.\nПередайте обращение исполнителю района.",
        "Өтініштің санаты мен ауданын тексеріңіз.\nӨтінішті аудан орындаушысына беріңіз.",
        (),
    ),
]  # fmt: skip


def ensure_demo_preplans() -> int:
    """The demo's pre-plans per alert kind (idempotent: a plan already there is left as an administrator
    edited it). Returns how many were created."""
    created = 0
    for source, kind, russian, kazakh, services in DEMO_PREPLANS:
        plan, was_created = PrePlan.objects.get_or_create(
            source=source, kind=kind, defaults={"instructions_ru": russian, "instructions_kk": kazakh}
        )
        if was_created:
            created += 1
            for position, (name, phone) in enumerate(services):
                plan.contacts.create(name=name, phone=phone, position=position)
    return created


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

# Subsystems not built yet, simulated here until their apps bring real traffic (alarms, bracelets and
# cameras do).
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
    ensure_demo_preplans()
    if Alert.objects.filter(source=SOURCE, status__in=OPEN_STATUSES).exists():
        return []
    return [simulate_alert(rng) for _index in range(count)]


register_simulator(simulate_step)


# --- Patrol units -----------------------------------------------------------------------------------

# call sign, kind, district (its center is the district's); each starts near its district's seat.
DEMO_UNITS = (
    ("Беркут-1", UnitKind.CAR, "uralsk"),
    ("Беркут-2", UnitKind.CAR, "uralsk"),
    ("Беркут-3", UnitKind.FOOT, "uralsk"),
    ("Ақжайық-1", UnitKind.CAR, "akzhaik"),
    ("Теректі-1", UnitKind.DISTRICT_OFFICER, "terekti"),
    ("Бөрлі-1", UnitKind.CAR, "burlin"),
    ("Бөрлі-2", UnitKind.CAR, "burlin"),
    ("Бәйтерек-1", UnitKind.CAR, "bayterek"),
    ("Тасқала-1", UnitKind.CAR, "taskala"),
    ("Сырым-1", UnitKind.CAR, "syrym"),
    ("Сырым-2", UnitKind.FOOT, "syrym"),
)


def demo_units_setup(rng: random.Random | None = None) -> list[Unit]:
    """The demo's units (idempotent): on duty, placed near their district's seat, each with its device's
    credential (so the simulator reports through the OsmAnd service), the demo users of DEMO_USERS with a
    `unit` in its crew."""
    from opscenter.services.units import unit_create, unit_crew_set, unit_device_issue, unit_position_report

    rng = rng or random.Random(7)
    units = []
    for call_sign, kind, district_code in DEMO_UNITS:
        unit = Unit.objects.filter(call_sign=call_sign).first()
        if unit is None:
            district = District.objects.select_related("center").get(code=district_code)
            unit = unit_create(
                call_sign=call_sign, kind=kind, center=district.center, district=district, status=UnitStatus.AVAILABLE
            )
            unit_device_issue(unit=unit, actor=None)
            unit.refresh_from_db()
            latitude = district.seat_latitude + rng.gauss(0, 0.01)
            longitude = district.seat_longitude + rng.gauss(0, 0.015)
            report = Report(latitude=round(latitude, 6), longitude=round(longitude, 6), fix_time=timezone.now())
            assert unit.credential is not None
            unit_position_report(credential=unit.credential, reports=[report])
        crew = [
            user for user in User.objects.filter(username__in=[u.username for u in DEMO_USERS if u.unit == call_sign])
        ]
        if set(unit.crew.values_list("pk", flat=True)) != {user.pk for user in crew}:
            unit_crew_set(unit=unit, crew=crew, actor=None)
        units.append(unit)
    return units


def simulate_units(rng: random.Random) -> int:
    """One round of the demo units' trackers, through the OsmAnd service: a unit en route drives a fifth of
    the way to its alert (a crew still presses "arrived" itself), one on scene stays, one available
    patrols about. Returns how many positions were sent."""
    from opscenter.services.units import unit_position_report

    sent = 0
    units = Unit.objects.filter(is_active=True, credential__isnull=False, latitude__isnull=False).select_related(
        "credential"
    )
    for unit in units.exclude(status__in=[UnitStatus.OFF_DUTY, UnitStatus.ON_SCENE]):
        assert unit.latitude is not None and unit.longitude is not None and unit.credential is not None
        latitude, longitude = unit.latitude, unit.longitude
        target = (
            unit.assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES, alert__latitude__isnull=False)
            .values_list("alert__latitude", "alert__longitude")
            .first()
        )
        if target is not None and target[0] is not None and target[1] is not None:
            latitude += (target[0] - latitude) * 0.2
            longitude += (target[1] - longitude) * 0.2
        else:
            latitude += rng.gauss(0, 0.0015)
            longitude += rng.gauss(0, 0.0022)
        report = Report(latitude=round(latitude, 6), longitude=round(longitude, 6), fix_time=timezone.now())
        unit_position_report(credential=unit.credential, reports=[report])
        sent += 1
    return sent


register_simulator(simulate_units)
