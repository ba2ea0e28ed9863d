"""A panic button pressed at a school, end to end in the browser: real DC-09 frame over TCP to the
receiver, ACK, the alarm on the operator's dashboard with the object's card, acknowledged and resolved."""

import socket
import time

import pytest
from playwright.sync_api import expect

from alarms.services import panel_create
from opscenter.models import Alert, AuditEntry
from tests.alarms.frames import build_frame
from tests.alarms.running import RunningReceiver
from tests.browser.conftest import in_worker_thread
from tests.factories import UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


@pytest.fixture
def receiver():
    running = in_worker_thread(RunningReceiver)
    yield running
    running.stop()


@pytest.fixture
def school():
    panel = panel_create(
        account="5A5A", object_name="School No. 5", object_kind="school", district=district("uralsk"),
        latitude=51.2301, longitude=51.3702, address="Uralsk, Dostyk ave. 12",
    )  # fmt: skip
    protected = panel.protected_object
    protected.contacts.create(kind="person", name="Aigul Serikova", role="director", phone="+77112505050")
    protected.operator_notes = "Two entrances: main gate on Dostyk, back gate on Abai."
    protected.save()
    return panel


def raised() -> Alert:
    """The alarm's alert, raised right after the ACK (not before it)."""
    deadline = time.monotonic() + 10
    while (alert := Alert.objects.filter(source="alarms").first()) is None:
        assert time.monotonic() < deadline, "no alert raised"
        time.sleep(0.05)
    return alert


def press(port: int, data: str, sequence: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as panel:
        panel.sendall(build_frame(account="5A5A", data=data, sequence=sequence))
        return panel.recv(4096)


def test_a_panic_appears_with_the_objects_card_and_is_acknowledged_and_resolved(new_page, log_in, receiver, school):
    UserFactory(username="op_alarm", centers=["uralsk"])
    page = new_page()
    log_in(page, "op_alarm")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    response = press(receiver.port, "1120 01 015", "0001")

    assert response[9:-1] == b'"ACK"0001R1L0#5A5A[]'
    alert = raised()
    row = page.locator(f'#alert-list .alert-row[data-alert-id="{alert.pk}"]')
    expect(row).to_have_attribute("data-severity", "1")
    expect(row).to_contain_text("School No. 5")

    page.keyboard.press("j")
    page.keyboard.press("Enter")
    detail = page.locator("#detail")
    card = detail.locator("[data-field=card]")
    expect(card).to_be_visible()
    expect(card.locator("[data-part=name]")).to_have_text("School No. 5")
    expect(card.locator("[data-part=address]")).to_have_text("Uralsk, Dostyk ave. 12")
    expect(card.locator("[data-part=notes]")).to_contain_text("Two entrances")
    expect(detail.locator("[data-field=caution]")).to_be_hidden()
    # The contacts are personal data: not in the alert, only through the audited read.
    expect(card.locator("[data-part=contacts] a")).to_have_count(0)

    page.keyboard.press("a")
    expect(row).to_have_attribute("data-status", "acknowledged")
    detail.locator("[data-field=details] [data-command=details]").click()  # working the alert is the reason
    expect(card.locator("[data-part=contacts] a")).to_have_attribute("href", "tel:+77112505050")
    assert AuditEntry.objects.filter(action="personal_data.read", object_id=str(alert.pk)).exists()
    detail.locator("details[data-command=resolve] summary").click()
    detail.locator("#resolve-disposition").select_option("false_alarm")
    detail.locator("#resolve-note").fill("A pupil pressed it; director confirmed by phone")
    detail.locator("form[data-action=resolve] button[type=submit]").click()
    expect(row).to_have_count(0)
    alert.refresh_from_db()
    assert (alert.status, alert.disposition, alert.acknowledged_by.username) == ("resolved", "false_alarm", "op_alarm")


def test_a_duress_is_shown_with_its_caution(new_page, log_in, receiver, school):
    UserFactory(username="op_duress", centers=["uralsk"])
    page = new_page()
    log_in(page, "op_duress")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    press(receiver.port, "1121 01 002", "0002")

    alert = raised()
    page.locator(f'#alert-list .alert-row[data-alert-id="{alert.pk}"]').click()
    page.keyboard.press("Enter")
    caution = page.locator("#detail [data-field=caution]")
    expect(caution).to_be_visible()
    expect(caution).not_to_be_empty()
