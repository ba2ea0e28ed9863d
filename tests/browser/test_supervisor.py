"""The supervisor's screens in headless Chromium at a desk's and a phone's size: the wallboard follows a
raised alert live and shows who is on the console; the alarm report draws its charts and says what is
wrong with a period; the shift log takes a handover and its acknowledgement."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opscenter.models import Alert
from opscenter.services.alerts import alert_acknowledge, alert_raise, alert_resolve
from tests.browser.conftest import in_worker_thread
from tests.factories import UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

DESKTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SCREENS = {"desktop": DESKTOP, "phone": PHONE}


def raise_alert(**fields) -> Alert:
    fields = {"source": "test", "kind": "panic", "severity": 1, "district": district("uralsk"), **fields}
    return in_worker_thread(alert_raise, **fields)


WIDER_THAN_SCREEN = """width => [...document.querySelectorAll("body *")]
  .filter(element => element.getBoundingClientRect().right > width + 0.5)
  .map(element => element.tagName + "." + element.className + " " + Math.round(element.getBoundingClientRect().right))
  .slice(0, 8)"""


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.evaluate(WIDER_THAN_SCREEN, width)


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_wallboard_follows_a_raised_alert_live_and_shows_who_is_on_the_console(new_page, log_in, screen):
    # Given the supervisor of Uralsk at the wallboard, and an operator with the console open
    UserFactory(username="wall_supervisor", role="supervisor", centers=["uralsk"])
    operator = UserFactory(username="wall_operator", last_name="Иванова", first_name="Айгуль", centers=["uralsk"])
    console = new_page(**DESKTOP)
    log_in(console, "wall_operator")
    expect(console.locator("#connection")).to_have_attribute("data-state", "live")
    board = new_page(**SCREENS[screen])
    log_in(board, "wall_supervisor")
    board.goto("/wallboard/")
    expect(board.locator("#wallboard-connection")).to_have_attribute("data-state", "live")
    uralsk = board.locator('.board-center[data-center="uralsk"]')
    p1 = uralsk.locator('.panel-queue tr[data-severity="1"]')
    expect(p1).to_have_attribute("data-total", "0")
    expect(uralsk.locator('.operator[data-username="wall_operator"]')).to_have_attribute("data-present", "true")

    # When a P1 is raised, and the operator takes a P2
    raised = raise_alert(title="Panic at School No. 5")
    taken = raise_alert(severity=2, title="Bracelet left the zone")
    in_worker_thread(lambda: alert_acknowledge(alert=Alert.objects.get(pk=taken.pk), actor=operator))

    # Then the board shows it without a reload: in the queue, waiting, and what the operator holds
    expect(p1).to_have_attribute("data-total", "1")
    expect(p1).to_have_attribute("data-new", "1")
    expect(uralsk.locator('[data-total="new"]')).to_contain_text("1")
    held = uralsk.locator('.operator[data-username="wall_operator"]')
    expect(held).to_have_attribute("data-held", "1")
    expect(held).to_contain_text("Bracelet left the zone")
    expect(uralsk.locator('[data-figure="median"] dd')).not_to_have_text("—")
    no_sideways_scroll(board, SCREENS[screen]["viewport"]["width"])

    # And a resolved alert leaves the queue
    in_worker_thread(
        lambda: alert_resolve(alert=Alert.objects.get(pk=raised.pk), actor=operator, disposition="false_alarm")
    )
    expect(p1).to_have_attribute("data-total", "0")


def test_the_wallboard_greys_when_the_feed_is_down(new_page, log_in):
    UserFactory(username="wall_supervisor", role="supervisor", centers=["uralsk"])
    board = new_page(**DESKTOP)
    log_in(board, "wall_supervisor")
    sockets, held = [], []  # every socket the page opened; those opened while the server was out of reach
    reachable = {"now": True}

    def route(socket):
        sockets.append(socket)
        if reachable["now"]:
            socket.connect_to_server()
        else:
            held.append(socket)

    board.route_web_socket(re.compile(r"/ws/alerts/"), route)  # the board asks ?snapshot=none
    board.goto("/wallboard/")
    expect(board.locator("#wallboard-connection")).to_have_attribute("data-state", "live")

    # When the feed is killed and the server stays out of reach
    reachable["now"] = False
    for socket in list(sockets):  # every socket the page holds (the board's and the console scripts')
        socket.close(code=4000)

    # Then the board greys and says since when it is not live
    expect(board.locator("#wallboard")).to_have_attribute("data-connection", "reconnecting")
    expect(board.locator("#wallboard-stale")).to_be_visible()
    expect(board.locator("#wallboard-stale")).to_contain_text(re.compile(r"Data as of \d\d:\d\d:\d\d"))
    assert "grayscale" in board.locator(".board").evaluate("board => getComputedStyle(board).filter")

    # And once the server is reachable again it is live again by itself
    reachable["now"] = True
    while held:  # the attempts made while out of reach go through now (later ones connect by themselves)
        held.pop().connect_to_server()
    expect(board.locator("#wallboard-connection")).to_have_attribute("data-state", "live", timeout=20_000)
    expect(board.locator("#wallboard-stale")).to_be_hidden()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_alarm_report_draws_its_charts_and_refuses_a_bad_period(new_page, log_in, screen):
    # Given acknowledged and resolved alarms of today
    UserFactory(username="report_supervisor", role="supervisor", centers=["uralsk"])
    operator = UserFactory(username="report_operator", centers=["uralsk"])
    for seconds, disposition in [(12, "false_alarm"), (40, "real"), (75, "test")]:
        alert = raise_alert(source="alarms", kind="panic", title=f"Alarm {seconds}")
        Alert.objects.filter(pk=alert.pk).update(
            status="acknowledged",
            acknowledged_by=operator,
            acknowledged_at=alert.raised_at + timedelta(seconds=seconds),
        )
        in_worker_thread(
            lambda pk=alert.pk, disposition=disposition: alert_resolve(
                alert=Alert.objects.get(pk=pk), actor=operator, disposition=disposition
            )
        )
    page = new_page(**SCREENS[screen])
    log_in(page, "report_supervisor")

    # When the supervisor opens the report of today
    today = timezone.localdate().isoformat()
    page.goto(f"/alarms/report/?since={today}&until={today}")

    # Then the figures, the three charts and the dispositions by name are there, and nothing scrolls sideways
    expect(page.locator("#report-alarms")).to_have_text("3")
    charts = page.locator("svg.chart-svg")
    expect(charts).to_have_count(3)
    expect(charts.first).to_be_visible()
    assert charts.first.bounding_box()["width"] > 200
    expect(charts.first.locator(".chart-bar rect")).to_have_count(10)
    expect(page.locator("#report-dispositions")).to_contain_text("False alarm")
    expect(page.locator("a[download]")).to_have_attribute("href", f"?since={today}&until={today}&format=csv")
    no_sideways_scroll(page, SCREENS[screen]["viewport"]["width"])

    # When they ask for a period that ends before it starts
    page.fill('input[name="since"]', "2026-03-02")
    page.fill('input[name="until"]', "2026-03-01")
    page.click(".report-filters button[type=submit]")

    # Then they are told so, and no chart is drawn
    expect(page.locator(".report-errors")).to_contain_text("The start of the period must not be after its end.")
    expect(page.locator("svg.chart-svg")).to_have_count(0)


def test_a_handover_is_written_and_acknowledged(new_page, log_in):
    UserFactory(username="outgoing", last_name="Петров", centers=["uralsk"])
    UserFactory(username="incoming", role="supervisor", last_name="Сидоров", centers=["uralsk"])
    outgoing = new_page(**DESKTOP)
    log_in(outgoing, "outgoing")
    outgoing.goto("/shift-log/")
    outgoing.fill("#id_text", "Unit 12 is still at Dostyk 5; panel 1234 under repair.")
    outgoing.click(".handover-form button[type=submit]")
    expect(outgoing.locator(".shift-note")).to_contain_text("Unit 12 is still at Dostyk 5")

    incoming = new_page(**PHONE)
    log_in(incoming, "incoming")
    incoming.goto("/shift-log/")
    note = incoming.locator(".shift-note").first
    expect(note).to_have_class("shift-note shift-note-unread")
    note.get_by_role("button", name="Read and acknowledge").click()
    expect(incoming.locator(".shift-note").first).to_contain_text("Acknowledged by: Сидоров")
    no_sideways_scroll(incoming, 390)
