"""The wallboard's panels never overlap, in Kazakh (the longest headers) at a desk's sizes: the queue's
table scrolls inside its panel if it must, and takes two of three columns where there is room."""

import pytest
from playwright.sync_api import expect

from opscenter.services.alerts import alert_raise
from tests.browser.conftest import in_worker_thread
from tests.factories import UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


@pytest.mark.parametrize("width", [1366, 1024])
def test_the_queue_table_stays_inside_its_panel_in_kazakh(new_page, log_in, width):
    UserFactory(username="wall_kk", role="supervisor", centers=["uralsk"], language="kk")
    in_worker_thread(alert_raise, source="test", kind="panic", severity=1, title="Дабыл", district=district("uralsk"))
    board = new_page(viewport={"width": width, "height": 768})
    log_in(board, "wall_kk")
    board.goto("/wallboard/")
    expect(board.locator("#wallboard-connection")).to_have_attribute("data-state", "live")

    queue, ack = board.locator(".panel-queue").first, board.locator(".panel-ack").first
    expect(queue.locator("th").first).to_have_text("Маңыздылығы")
    # The table is drawn within its panel (scrolled if it must), never over the next one on its row
    table_right = queue.evaluate(
        "panel => { const box = panel.getBoundingClientRect(); return box.left + panel.clientWidth; }"
    )
    drawn_right = queue.locator("table").evaluate(
        "table => Math.min(table.getBoundingClientRect().right, table.closest('.panel-queue').getBoundingClientRect().right)"
    )
    ack_box, queue_box = ack.bounding_box(), queue.bounding_box()
    if abs(queue_box["y"] - ack_box["y"]) < 5:  # the same row
        assert drawn_right <= ack_box["x"], (drawn_right, ack_box)
    overflows = queue.evaluate("panel => panel.scrollWidth > panel.clientWidth")
    visible_overflow = queue.evaluate("panel => getComputedStyle(panel).overflowX === 'visible'")
    assert not (overflows and visible_overflow), "the table spills out of its panel"
    assert table_right > 0


def test_a_unit_going_off_duty_reaches_the_board_without_waiting_for_its_refresh(new_page, log_in):
    from opscenter.services.units import unit_status_set
    from tests.factories import make_unit

    supervisor = UserFactory(username="wall_units", role="supervisor", centers=["uralsk"])
    unit = in_worker_thread(make_unit, call_sign="Беркут-7")
    board = new_page(viewport={"width": 1366, "height": 768})
    log_in(board, "wall_units")
    board.goto("/wallboard/")
    expect(board.locator("#wallboard-connection")).to_have_attribute("data-state", "live")
    available = board.locator('.panel-units [data-status="available"] dd').first
    expect(available).to_have_text("1")
    board.wait_for_load_state("networkidle")  # the board's own fetch once live (what changed while away)

    in_worker_thread(unit_status_set, unit=unit, status="off_duty", actor=supervisor)

    # the feed's unit message fetches the board again (the periodic refresh is 15 s away)
    expect(available).to_have_text("0", timeout=8_000)
    expect(board.locator('.panel-units [data-status="off_duty"] dd').first).to_have_text("1")
