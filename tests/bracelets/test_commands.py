"""`bracelets_add_device` prints a working token; `bracelets_enrol` sets a person up; the simulator's
fixes go through the evaluation service."""

import json
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from bracelets.models import Bracelet, CurfewWindow, Position, SupervisedPerson, Zone

pytestmark = pytest.mark.django_db


def run(name: str, *args) -> dict:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return json.loads(out.getvalue())


def test_add_device_prints_a_token_that_works():
    printed = run("bracelets_add_device", "--unique-id", "861234567890123")
    assert set(printed) == {"unique_id", "token"} and printed["unique_id"] == "861234567890123"
    response = APIClient().get("/api/v1/tracking/osmand", {"id": "861234567890123", "lat": 51.23, "lon": 51.37,
                                                           "key": printed["token"]})  # fmt: skip
    assert response.status_code == 200
    with pytest.raises(CommandError, match="registered already"):
        run("bracelets_add_device", "--unique-id", "861234567890123")


def test_enrol_with_a_curfew():
    run("bracelets_add_device", "--unique-id", "861234567890123")
    printed = run("bracelets_enrol", "--unique-id", "861234567890123", "--person-iin", "850101300011",
                  "--home-lat", "51.23", "--home-lon", "51.37", "--home-radius", "60", "--measure",
                  "administrative_supervision", "--curfew", "22:00-06:00")  # fmt: skip
    person = SupervisedPerson.objects.get(iin="850101300011")
    assert printed["district"] == "uralsk" == person.district.code
    zone = Zone.objects.get(person=person)
    assert (zone.radius_m, zone.schedule) == (60, "windows")
    window = CurfewWindow.objects.get(zone=zone)
    assert (f"{window.start_time:%H:%M}", f"{window.end_time:%H:%M}") == ("22:00", "06:00")
    assert Bracelet.objects.get().person == person
    # enrolled again (house arrest now): the home zone is replaced, not added to
    run("bracelets_enrol", "--unique-id", "861234567890123", "--person-iin", "850101300011", "--home-lat", "51.23",
        "--home-lon", "51.37", "--measure", "house_arrest")  # fmt: skip
    assert list(Zone.objects.filter(person=person, is_active=True).values_list("schedule", flat=True)) == ["always"]


@pytest.mark.parametrize(("args", "message"), [
    (["--unique-id", "nope"], "No bracelet"),
    (["--curfew", "late"], "HH:MM"),
    (["--home-radius", "1"], "radius"),
    (["--district", "atlantis"], "Unknown district"),
])  # fmt: skip
def test_enrol_refuses_bad_input(args, message):
    run("bracelets_add_device", "--unique-id", "861234567890123")
    base = {"--unique-id": "861234567890123", "--person-iin": "850101300011", "--home-lat": "51.23",
            "--home-lon": "51.37", "--measure": "house_arrest"}  # fmt: skip
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(CommandError, match=message):
        run("bracelets_enrol", *[part for pair in base.items() for part in pair])
    assert SupervisedPerson.objects.count() == 0


def test_add_gateway():
    printed = run("bracelets_add_gateway", "--name", "traccar-main")
    assert printed["name"] == "traccar-main" and len(printed["token"]) > 30


def test_the_demo_simulator_sends_fixes_through_the_evaluation_service():
    from bracelets.simulator import DEMO_PEOPLE, simulate_bracelets
    from opscenter.demo import registered_simulators

    assert simulate_bracelets in registered_simulators()
    rng = random.Random(1)
    simulate_bracelets(rng)
    simulate_bracelets(rng)
    assert SupervisedPerson.objects.count() == len(DEMO_PEOPLE)
    assert Position.objects.filter(source="simulator").count() >= 2 * (len(DEMO_PEOPLE) - 1)
    assert Zone.objects.filter(kind="exclusion").count() == 1
