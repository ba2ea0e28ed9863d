"""A breach sent through the OsmAnd endpoint of a real Daphne appears live on the operator's dashboard,
and on the officer's pages, with the track on the map."""

import json
import math
import time
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from bracelets.services.registry import bracelet_add, person_enrol
from tests.factories import UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

HOME = (51.2300, 51.3700)
UNIQUE_ID = "861234567890123"


def north_of_home(metres: float) -> tuple[float, float]:
    return HOME[0] + metres / 111_320, HOME[1]


def osmand(server_url: str, token: str, *, at: float, latitude: float, longitude: float) -> dict:
    query = urllib.parse.urlencode({"id": UNIQUE_ID, "timestamp": int(at), "lat": latitude, "lon": longitude,
                                    "accuracy": 6, "batt": 76, "key": token})  # fmt: skip
    with urllib.request.urlopen(f"{server_url}/api/v1/tracking/osmand?{query}", timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())


def test_a_breach_through_osmand_reaches_the_dashboard_and_the_officers_map(new_page, log_in, server_url):
    # Given an operator of Uralsk with the dashboard open, and an officer responsible for a person under
    # house arrest wearing a bracelet
    UserFactory(username="op_uralsk", centers=["uralsk"])
    officer = UserFactory(username="officer_uralsk", role="district_officer", districts=["uralsk"])
    _bracelet, token = bracelet_add(unique_id=UNIQUE_ID)
    person = person_enrol(unique_id=UNIQUE_ID, iin="850101300011", full_name="Ahmetov Serik",
                          district=district("uralsk"), home_latitude=HOME[0], home_longitude=HOME[1],
                          home_radius_m=60, measure="house_arrest", responsible_officer=officer)  # fmt: skip
    operator = new_page()
    log_in(operator, "op_uralsk")
    expect(operator.locator("#connection")).to_have_attribute("data-state", "live")

    # When the bracelet reports home, then 600 m away, and still away past the grace period (3 min)
    now = time.time()
    assert osmand(server_url, token, at=now - 400, latitude=HOME[0], longitude=HOME[1])["outcome"] == "stored"
    osmand(server_url, token, at=now - 300, latitude=north_of_home(600)[0], longitude=HOME[1])
    osmand(server_url, token, at=now - 5, latitude=north_of_home(650)[0], longitude=HOME[1])

    # Then the operator sees a P2 for the person's file, live, with no name on it
    row = operator.locator("#alert-list .alert-row").filter(has_text=person.file_number)
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-severity", "2")
    expect(row).to_have_attribute("data-status", "new")
    expect(operator.locator("#alert-list")).not_to_contain_text("Ahmetov")
    # with the file's link, and nothing personal on the map until the details are asked for
    row.click()
    operator.keyboard.press("Enter")
    card_link = operator.locator("#detail [data-field=card] [data-part=link]")
    expect(card_link).to_have_attribute("href", f"/bracelets/people/{person.pk}/")
    expect(operator.locator("#map path.context-inclusion")).to_have_count(0)
    # Asking for them asks a reason (the operator is not working the alert), in an empty field
    operator.locator("#detail [data-command=details]").click()
    reason = operator.locator("#details-reason")
    expect(reason).to_be_visible()
    expect(reason).to_have_value("")
    reason.fill("Case 2026-0042")
    reason.press("Enter")
    # and then shows who, the home zone and the last positions
    expect(operator.locator("#detail [data-field=card] [data-part=name]")).to_have_text("Ahmetov Serik")
    expect(operator.locator("#map path.context-inclusion")).to_have_count(1)
    expect(operator.locator("#map path.context-track")).to_have_count(1)
    expect(operator.locator("#map path.context-fix")).to_have_count(3)
    expect(reason).to_be_hidden()
    # Closed and opened again, the details are gone; once the operator works the alert (acknowledges
    # it), the alert is the reason: no form
    operator.keyboard.press("Escape")
    row.click()
    operator.keyboard.press("Enter")
    expect(operator.locator("#map path.context-inclusion")).to_have_count(0)
    expect(operator.locator("#detail [data-field=card] [data-part=name]")).to_have_text("")
    operator.keyboard.press("a")
    expect(row).to_have_attribute("data-status", "acknowledged")
    operator.locator("#detail [data-command=details]").click()
    expect(operator.locator("#detail [data-field=card] [data-part=name]")).to_have_text("Ahmetov Serik")
    expect(reason).to_be_hidden()
    expect(operator.locator("#map path.context-inclusion")).to_have_count(1)

    # And the officer sees the person in alarm, gives a reason, and sees the track and the home on the map
    page = new_page()
    log_in(page, "officer_uralsk")
    page.goto("/bracelets/")
    person_row = page.locator(f'.person-row[data-person-id="{person.pk}"]')
    expect(person_row).to_have_attribute("data-state", "alarm")
    person_row.get_by_role("link", name="Ahmetov Serik").click()
    page.fill("#reason", "Case 2026-0042")
    page.click("#reason-form button[type=submit]")
    expect(page.locator("#track-map")).to_have_attribute("data-ready", "true")
    expect(page.locator("#track-count")).to_have_attribute("data-count", "3")
    expect(page.locator("#track-map path.track-line")).to_have_count(1)
    expect(page.locator("#track-map path.zone-inclusion")).to_have_count(1)
    expect(page.locator("#track-map path.track-fix")).to_have_count(3)
    expect(page.locator('.violation-row[data-kind="inclusion"]')).to_have_attribute("data-status", "alarm")
    # the track is drawn where it was: the last fix's marker is north of the home circle's
    last = page.locator("#track-map path.track-last").bounding_box()
    home = page.locator("#track-map path.zone-inclusion").bounding_box()
    assert last["y"] + last["height"] < home["y"]
    assert math.isclose(last["x"] + last["width"] / 2, home["x"] + home["width"] / 2, abs_tol=8)
