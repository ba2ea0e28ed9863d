from datetime import UTC, datetime, timedelta

import pytest

from bracelets.models import ZoneKind
from bracelets.protocols import Report
from bracelets.schedules import parse_window
from bracelets.services.evaluation import reports_receive
from bracelets.services.registry import bracelet_add, person_enrol, zone_create
from tests.factories import UserFactory, district

UNIQUE_ID = "861234567890123"
HOME = (51.2300, 51.3700)
# A Monday noon in Uralsk (07:00 UTC); the oblast is UTC+5 all year.
NOON = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def offset(origin, north_m: float = 0.0, east_m: float = 0.0) -> tuple[float, float]:
    import math

    return origin[0] + north_m / 111_320, origin[1] + east_m / (111_320 * math.cos(math.radians(origin[0])))


@pytest.fixture
def officer_uralsk(db):
    return UserFactory(username="officer_uralsk", role="district_officer", districts=["uralsk"])


@pytest.fixture
def device(db):
    """A registered bracelet and its secret."""
    bracelet, token = bracelet_add(unique_id=UNIQUE_ID, model="GPS-01")
    return bracelet, token


@pytest.fixture
def person(device, officer_uralsk):
    """Under house arrest at HOME (60 m), wearing the bracelet, an order from a month ago for a year."""
    return person_enrol(
        unique_id=UNIQUE_ID, iin="850101300011", full_name="Ахметов Серик", district=district("uralsk"),
        home_latitude=HOME[0], home_longitude=HOME[1], home_radius_m=60, measure="house_arrest",
        home_address="Uralsk, Dostyk 1", order_starts_at=NOON - timedelta(days=30),
        order_ends_at=NOON + timedelta(days=335), responsible_officer=officer_uralsk,
    )  # fmt: skip


@pytest.fixture
def curfew_person(device, officer_uralsk):
    """Under administrative supervision: must be home 22:00-06:00 only."""
    return person_enrol(
        unique_id=UNIQUE_ID, iin="900215400022", full_name="Жаксылыков Ерлан", district=district("uralsk"),
        home_latitude=HOME[0], home_longitude=HOME[1], home_radius_m=60, measure="administrative_supervision",
        curfew=[parse_window("22:00-06:00")], order_starts_at=NOON - timedelta(days=30),
    )  # fmt: skip


@pytest.fixture
def victim_zone(person):
    """A victim's home 2 km north of the person's home, 150 m around."""
    latitude, longitude = offset(HOME, north_m=2000)
    return zone_create(person=person, kind=ZoneKind.EXCLUSION, name="Victim's home", latitude=latitude,
                       longitude=longitude, radius_m=150)  # fmt: skip


@pytest.fixture
def send(device):
    """Send one fix through the evaluation service at a controlled clock: send(at, north_m=.., ...)."""
    bracelet, _token = device

    def send_fix(at: datetime, *, north_m: float = 0.0, east_m: float = 0.0, now: datetime | None = None,
                 accuracy: float | None = 8.0, **fields):  # fmt: skip
        latitude, longitude = offset(HOME, north_m, east_m)
        report = Report(device_id=UNIQUE_ID, fix_time=at, latitude=latitude, longitude=longitude, accuracy=accuracy,
                        **fields)  # fmt: skip
        bracelet.credential.refresh_from_db()
        return reports_receive(credential=bracelet.credential, reports=[report], source="test", now=now or at)[0]

    return send_fix
