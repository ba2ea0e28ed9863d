"""The demo's bracelets around Uralsk. Most stay home (with GPS jitter that must not alarm); two leave home
during their curfew and come back later; one walks towards a victim's home it is barred from; one falls
silent for a while. Every fix goes through `reports_receive`, the service behind the OsmAnd endpoint."""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from bracelets.models import Bracelet, ZoneKind
from bracelets.schedules import WeeklyWindow, local
from bracelets.services.evaluation import bracelets_supervise, reports_receive
from bracelets.services.registry import bracelet_add, person_enrol, zone_create
from opscenter.models import District
from opscenter.osmand import Report

# unique id, IIN, name, home latitude, longitude, role in the demo
DEMO_PEOPLE = [
    ("DEMO-BR-01", "850101300011", "Ахметов Серик", 51.2265, 51.3702, "home"),
    ("DEMO-BR-02", "900215400022", "Жаксылыков Ерлан", 51.2101, 51.3850, "home"),
    ("DEMO-BR-03", "781120300033", "Ким Виктор", 51.2402, 51.3555, "home"),
    ("DEMO-BR-04", "950630400044", "Нурланов Азамат", 51.2188, 51.4011, "home"),
    ("DEMO-BR-05", "880909300055", "Сидоров Павел", 51.2003, 51.3630, "home"),
    ("DEMO-BR-06", "920412300066", "Тлеубаев Марат", 51.2331, 51.3924, "curfew"),
    ("DEMO-BR-07", "870707300077", "Оспанов Бахыт", 51.2460, 51.3810, "curfew"),
    ("DEMO-BR-08", "830303300088", "Гриценко Олег", 51.2140, 51.3460, "exclusion"),
    ("DEMO-BR-09", "910101300099", "Исаев Руслан", 51.2290, 51.4150, "silent"),
]
HOME_RADIUS_M = 60.0
VICTIM_OFFSET = (0.012, 0.018)  # the victim's home, about 1.8 km from the offender's
VICTIM_RADIUS_M = 200.0


@dataclass
class _Walker:
    home: tuple[float, float]
    role: str
    position: tuple[float, float]
    battery: float = 100.0
    phase: str = "home"
    rounds_left: int = 0
    target: tuple[float, float] | None = None
    silent_until: datetime | None = None
    extra: dict = field(default_factory=dict)


_walkers: dict[str, _Walker] = {}


def _offset(origin: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    latitude = origin[0] + north_m / 111_320
    longitude = origin[1] + east_m / (111_320 * math.cos(math.radians(origin[0])))
    return latitude, longitude


def ensure_demo_bracelets() -> list[Bracelet]:
    """Register the demo's bracelets and people once (the curfew of the walkers covers the next hours,
    so a demo shows a curfew breach whatever time it starts)."""
    existing = {
        b.unique_id: b for b in Bracelet.objects.filter(unique_id__startswith="DEMO-BR-").select_related("person")
    }
    district = District.objects.get(code="uralsk")
    now_local = local(timezone.now())
    for unique_id, iin, name, latitude, longitude, role in DEMO_PEOPLE:
        if unique_id in existing and existing[unique_id].person_id:
            continue
        if unique_id not in existing:
            bracelet_add(unique_id=unique_id, model="Demo GPS bracelet", firmware="1.0")
        curfew = []
        if role == "curfew":
            start = (now_local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
            end = (now_local + timedelta(hours=10)).time().replace(second=0, microsecond=0)
            curfew = [WeeklyWindow(frozenset(range(1, 8)), start, end)]
        person = person_enrol(
            unique_id=unique_id, iin=iin, full_name=name, district=district, home_latitude=latitude,
            home_longitude=longitude, home_radius_m=HOME_RADIUS_M,
            measure="house_arrest" if role != "curfew" else "administrative_supervision", curfew=curfew,
            # One text field each: named in both of the oblast's languages, as its signs are.
            home_address=f"Орал / Уральск, үй / дом {int(latitude * 1000) % 200 + 1}",
        )  # fmt: skip
        if role == "exclusion":
            victim = (latitude + VICTIM_OFFSET[0], longitude + VICTIM_OFFSET[1])
            zone_create(person=person, kind=ZoneKind.EXCLUSION, name="Жәбірленушінің үйі / Дом потерпевшей", latitude=victim[0],
                        longitude=victim[1], radius_m=VICTIM_RADIUS_M)  # fmt: skip
    return list(Bracelet.objects.filter(unique_id__startswith="DEMO-BR-").select_related("credential", "person"))


def _walker(bracelet: Bracelet) -> _Walker:
    walker = _walkers.get(bracelet.unique_id)
    if walker is None:
        person = bracelet.person
        home_zone = person.zones.filter(kind=ZoneKind.INCLUSION, is_active=True).first() if person else None
        if home_zone is None or home_zone.latitude is None or home_zone.longitude is None:
            raise RuntimeError(f"The demo bracelet {bracelet.unique_id} has no wearer with a home zone.")
        home = (home_zone.latitude, home_zone.longitude)
        role = next(row[5] for row in DEMO_PEOPLE if row[0] == bracelet.unique_id)
        walker = _walkers[bracelet.unique_id] = _Walker(home=home, role=role, position=home,
                                                        battery=bracelet.battery or 100.0)  # fmt: skip
        if role == "exclusion":
            walker.extra["victim"] = (home[0] + VICTIM_OFFSET[0], home[1] + VICTIM_OFFSET[1])
    return walker


def _step_towards(walker: _Walker, target: tuple[float, float], fraction: float) -> None:
    latitude, longitude = walker.position
    walker.position = (latitude + (target[0] - latitude) * fraction, longitude + (target[1] - longitude) * fraction)


def _move(walker: _Walker, rng: random.Random, now: datetime) -> bool:
    """Advance one round; False while the bracelet is silent."""
    if walker.role == "silent":
        if walker.silent_until and now < walker.silent_until:
            return False
        if walker.silent_until is None and rng.random() < 0.01:
            walker.silent_until = now + timedelta(minutes=12)
            return False
    if walker.phase == "home":
        walker.position = walker.home
        if walker.role == "curfew" and rng.random() < 0.03:
            walker.phase, walker.rounds_left = "out", rng.randint(35, 60)
            walker.target = _offset(walker.home, rng.uniform(-400, 400), rng.uniform(300, 600))
        elif walker.role == "exclusion" and rng.random() < 0.03:
            walker.phase, walker.rounds_left, walker.target = "out", 40, walker.extra["victim"]
    elif walker.phase == "out" and walker.target is not None:
        _step_towards(walker, walker.target, 0.25)
        walker.rounds_left -= 1
        if walker.rounds_left <= 0:
            walker.phase = "returning"
    elif walker.phase == "returning":
        _step_towards(walker, walker.home, 0.35)
        if abs(walker.position[0] - walker.home[0]) < 0.0002 and abs(walker.position[1] - walker.home[1]) < 0.0003:
            walker.phase = "home"
    return True


def simulate_bracelets(rng: random.Random) -> None:
    """One round: a fix from every bracelet that is not silent, then the periodic supervision."""
    now = timezone.now()
    for bracelet in ensure_demo_bracelets():
        if bracelet.person_id is None:
            continue
        walker = _walker(bracelet)
        if not _move(walker, rng, now):
            continue
        walker.battery = walker.battery - rng.uniform(0.0, 0.15) if walker.battery > 8 else 100.0
        accuracy = rng.choice([4.0, 6.0, 8.0, 12.0, 15.0, 25.0])
        # Jitter of the order of the fix's accuracy: at home it must never start a breach.
        latitude, longitude = _offset(walker.position, rng.gauss(0, accuracy / 3), rng.gauss(0, accuracy / 3))
        report = Report(device_id=bracelet.unique_id, fix_time=now, latitude=latitude, longitude=longitude,
                        accuracy=accuracy, speed_knots=0.0 if walker.phase == "home" else 2.5,
                        battery=round(walker.battery, 1))  # fmt: skip
        reports_receive(credential=bracelet.credential, reports=[report], source="simulator", now=now)
    bracelets_supervise(now=now)
