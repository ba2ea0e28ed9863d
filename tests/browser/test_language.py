"""In the browser: a Kazakh operator's console shows the alerts of the demo and of the alarms in Kazakh,
in the list and in the detail, with none of the Russian words they were stored with; and the admin's map
pickers set a point by a click and draw a polygon."""

import json

import pytest
from playwright.sync_api import expect

from alarms.dc09 import panel_frame
from alarms.services import frame_receive, panel_create
from opscenter.models import District
from opscenter.services.alerts import alert_raise
from opscenter.services.texts import phrase
from tests.browser.conftest import in_worker_thread
from tests.factories import UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

RUSSIAN = ["Обнаружен разыскиваемый автомобиль", "г. Уральск", "пр. Достык", "Тревожная кнопка", "Школа-лицей № 5"]
KAZAKH = ["Іздеудегі көлік анықталды", "Орал қаласы", "Достық даңғылы, 5", "Дабыл батырмасы", "№ 5 мектеп-лицей"]


def raise_alerts() -> None:
    said = phrase("Wanted vehicle seen: %(plate)s", plate="123 ABC 07")
    alert_raise(
        source="demo",
        kind="wanted_vehicle",
        severity=2,
        title=said,
        district=district("uralsk"),
        latitude=51.23,
        longitude=51.37,
        address="пр. Достык, 5",
        payload={"title": said, "address_kk": "Достық даңғылы, 5"},
    )
    panel_create(
        account="7A01",
        object_name="Школа-лицей № 5",
        object_name_kk="№ 5 мектеп-лицей",
        object_kind="school",
        district=district("uralsk"),
        latitude=51.229,
        longitude=51.386,
        address="Уральск, пр. Достык, 12",
        address_kk="Орал, Достық даңғылы, 12",
    )
    frame_receive(raw=panel_frame(account="7A01", data="1120 01 001"), transport="tcp", peer="192.0.2.7:1")


def test_a_kazakh_screen_shows_no_russian_content_in_the_list_or_the_detail(new_page, log_in):
    UserFactory(username="op_kk", centers=["uralsk"], language="kk")
    page = new_page()
    log_in(page, "op_kk")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    in_worker_thread(raise_alerts)

    rows = page.locator("#alert-list .alert-row")
    expect(rows).to_have_count(2)
    expect(page.locator("#alert-list")).to_contain_text("Дабыл батырмасы: № 5 мектеп-лицей")
    expect(page.locator("#alert-list")).to_contain_text("Іздеудегі көлік анықталды: 123 ABC 07")
    listed = page.locator("#alert-list").inner_text()
    assert [words for words in RUSSIAN if words in listed] == []

    for index in range(2):
        rows.nth(index).click()
        detail = page.locator("#detail")
        expect(detail).to_be_visible()
        shown = detail.inner_text()
        assert [words for words in RUSSIAN if words in shown] == [], shown
        assert "Орал қаласы" in shown


def test_the_admins_map_sets_a_point_by_a_click(new_page, log_in):
    UserFactory(username="admin_map", role="administrator", is_staff=True, is_superuser=True)
    terekti = District.objects.get(code="terekti")
    page = new_page()
    log_in(page, "admin_map")

    page.goto(f"/admin/opscenter/district/{terekti.pk}/change/")
    latitude, longitude = page.locator("#id_seat_latitude"), page.locator("#id_seat_longitude")
    before = (float(latitude.input_value()), float(longitude.input_value()))
    canvas = page.locator(".admin-map-canvas").first
    box = canvas.bounding_box()
    assert box is not None
    canvas.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.25})

    after = (float(latitude.input_value()), float(longitude.input_value()))
    assert after != before
    assert after[0] > before[0] and after[1] < before[1]  # up and left of the centre: north and west
    expect(page.locator(".admin-map .leaflet-marker-icon")).to_have_count(1)
    page.click("input[name=_save]")
    terekti.refresh_from_db()
    assert (terekti.seat_latitude, terekti.seat_longitude) == pytest.approx(after, abs=1e-6)


def test_the_admins_map_draws_a_polygon(new_page, log_in):
    UserFactory(username="admin_poly", role="administrator", is_staff=True, is_superuser=True)
    page = new_page()
    log_in(page, "admin_poly")

    page.goto("/admin/bracelets/zone/add/")
    canvas = page.locator(".admin-map[data-kind=polygon] .admin-map-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    for x, y in ((0.3, 0.3), (0.7, 0.3), (0.5, 0.7)):
        canvas.click(position={"x": box["width"] * x, "y": box["height"] * y})

    corners = json.loads(page.locator("#id_polygon").input_value())
    assert len(corners) == 3 and all(len(corner) == 2 for corner in corners)
    assert corners[0][1] < corners[1][1]  # the second corner is east of the first
    page.locator(".admin-map[data-kind=polygon] .admin-map-corner").first.click()
    assert len(json.loads(page.locator("#id_polygon").input_value())) == 2
    page.locator(".admin-map-clear").click()
    assert json.loads(page.locator("#id_polygon").input_value()) == []
