"""Dispatch to the nearest unit, in headless Chromium against Daphne and the Redis channel layer: the
console (at 1366×768 and at 390×844) picks the nearest available unit, that unit's tablet (a phone,
390×844) shows the assignment live and accepts, arrives and clears it, and the console sees each step live."""

import re

import pytest
from playwright.sync_api import expect

from opscenter.models import Alert, Assignment
from opscenter.services.alerts import alert_raise
from tests.browser.conftest import in_worker_thread
from tests.factories import UserFactory, district, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

DESKTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SCENE = (51.2300, 51.3700)


def raise_alert(**fields) -> Alert:
    return in_worker_thread(alert_raise, **{"source": "test", "kind": "panic", "severity": 1, **fields})


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("console_size", [DESKTOP, PHONE], ids=["console-1366x768", "console-390x844"])
def test_a_dispatch_to_the_nearest_unit_reaches_its_tablet_which_accepts_arrives_and_clears(
    new_page, log_in, console_size
):
    # Given an operator of Uralsk, two patrols on duty (one 1 km from the scene, one 6 km) and a Syrym patrol
    UserFactory(username="op_one", centers=["uralsk"])
    near_crew = UserFactory(username="patrol_near", role="patrol")
    far_crew = UserFactory(username="patrol_far", role="patrol")
    syrym_crew = UserFactory(username="patrol_syrym", role="patrol")
    near = in_worker_thread(make_unit, call_sign="Беркут-1", at=(51.2390, 51.3700), crew=[near_crew])
    far = in_worker_thread(make_unit, call_sign="Беркут-2", at=(51.2840, 51.3700), crew=[far_crew])
    in_worker_thread(make_unit, call_sign="Жайык-1", center_code="syrym", at=SCENE, crew=[syrym_crew])
    console = new_page(**console_size)
    log_in(console, "op_one")
    tablets = {}
    for crew in (near_crew, far_crew, syrym_crew):
        tablets[crew.username] = new_page(**PHONE)
        log_in(tablets[crew.username], crew.username)  # a patrol lands on its tablet
        expect(tablets[crew.username]).to_have_url(re.compile(r"/tablet/$"))
        expect(tablets[crew.username].locator("#tablet-connection")).to_have_attribute("data-state", "live")
    tablet = tablets["patrol_near"]
    expect(tablet.locator(f'.tablet-unit[data-unit-id="{near.pk}"] [data-part=idle]')).to_be_visible()
    expect(console.locator("#connection")).to_have_attribute("data-state", "live")
    expect(console.locator("#units-panel .units-row")).to_have_count(2)  # the Syrym unit is not Uralsk's

    # When a panic comes in and the operator opens the dispatch picker
    alert = raise_alert(
        title="Panic button: school 12", district=district("uralsk"), latitude=SCENE[0], longitude=SCENE[1],
        address="пр. Достык, 12", payload={"caution": "Duress code used", "object": {"name": "School 12"}},
    )  # fmt: skip
    console.locator(f'#alert-list .alert-row[data-alert-id="{alert.pk}"]').click()
    detail = console.locator("#detail")
    expect(detail).to_have_attribute("data-alert-id", str(alert.pk))
    detail.locator("details[data-command=dispatch] summary").click()

    # Then the nearest available unit comes first, with its distance and status
    rows = detail.locator(".picker-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-unit-id", str(near.pk))
    expect(rows.nth(0)).to_contain_text("1.0 km")
    expect(rows.nth(0)).to_contain_text("Available")
    expect(rows.nth(1)).to_contain_text("6.0 km")

    # When the operator sends it
    rows.nth(0).locator("input").check()
    detail.locator("form[data-action=dispatch] button[type=submit]").click()

    # Then its tablet shows the assignment live: title, caution, place and a geo: link; no one else's does
    task = tablet.locator(f'.tablet-unit[data-unit-id="{near.pk}"] [data-part=task]')
    expect(task).to_be_visible()
    expect(task).to_have_attribute("data-step", "dispatched")
    expect(task.locator("[data-part=title]")).to_have_text("P1 · Panic button: school 12")
    expect(task.locator("[data-part=caution]")).to_have_text("Duress code used")
    expect(task.locator("[data-part=address]")).to_have_text("пр. Достык, 12")
    expect(task.locator("[data-part=map]")).to_have_attribute("href", f"geo:{SCENE[0]},{SCENE[1]}")
    expect(task).not_to_contain_text("School 12")  # nothing of the payload but the caution
    for other in ("patrol_far", "patrol_syrym"):
        expect(tablets[other].locator("[data-part=task]:visible")).to_have_count(0)
    # and the console sees the unit en route, sent to this alert
    sent = detail.locator(f'.assigned-row[data-unit-id="{near.pk}"]')
    expect(sent).to_have_attribute("data-step", "dispatched")
    expect(console.locator(f'#units-panel .units-row[data-unit-id="{near.pk}"]')).to_have_attribute(
        "data-status", "en_route"
    )

    # When the crew accepts, arrives and clears, the console sees each step live
    for command, step, status in (("accept", "accepted", "en_route"), ("arrive", "arrived", "on_scene")):
        task.locator(f"button[data-command={command}]").click()
        expect(task).to_have_attribute("data-step", step)
        expect(sent).to_have_attribute("data-step", step)
        expect(console.locator(f'#units-panel .units-row[data-unit-id="{near.pk}"]')).to_have_attribute(
            "data-status", status
        )
    assert no_sideways_scroll(tablet)
    task.locator("button[data-command=clear]").click()
    expect(tablet.locator(f'.tablet-unit[data-unit-id="{near.pk}"] [data-part=idle]')).to_be_visible()
    expect(sent).to_have_count(0)
    expect(console.locator(f'#units-panel .units-row[data-unit-id="{near.pk}"]')).to_have_attribute(
        "data-status", "available"
    )

    stored = Assignment.objects.get(alert=alert)
    assert (stored.unit_id, stored.status, stored.accepted_by, stored.cleared_by) == (
        near.pk, "cleared", near_crew, near_crew,
    )  # fmt: skip
    assert stored.dispatched_at <= stored.accepted_at <= stored.arrived_at <= stored.cleared_at
    assert Assignment.objects.filter(unit=far).count() == 0
    assert no_sideways_scroll(console)
