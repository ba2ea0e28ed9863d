"""The dashboard map's layers in Chromium: district boundaries and protected objects from the spine's
layer registry, a switcher that turns them off and on, the alerts clustered when there are many, and
Leaflet's own strings in the page's language; all without tiles."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alarms.models import ProtectedObject
from opscenter.models import Alert
from opscenter.services.units import unit_status_set
from tests.browser.conftest import in_worker_thread
from tests.browser.test_dashboard import expect_live
from tests.factories import UserFactory, center, district, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def switcher_box(page, key: str):
    return page.locator(f".leaflet-control-layers-overlays label:has(span[data-layer='{key}']) input")


def test_the_layer_switcher_turns_boundaries_and_protected_objects_off_and_on(new_page, log_in):
    UserFactory(username="op_one", centers=["uralsk"])
    ProtectedObject.objects.create(
        kind="school",
        name="Школа № 12",
        address="ул. Абая 3",
        latitude=51.22,
        longitude=51.38,
        district=district("uralsk"),
    )
    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, "op_one")
    expect_live(page)

    # The districts of the Uralsk center are drawn (SVG, beneath the alerts' canvas), the school too
    boundaries = page.locator("#map path.layer-districts")
    expect(boundaries).to_have_count(6)  # uralsk, akzhaik, bokeyorda, zhanibek, kaztalov, terekti
    expect(page.locator("#map")).to_have_attribute("data-layer-protected-objects", "1")
    expect(page.locator("#map canvas")).to_have_count(1)

    # The switcher lists the layers by name; unticking one takes it off the map, ticking brings it back
    page.locator(".leaflet-control-layers").hover()
    expect(page.locator(".leaflet-control-layers-overlays span[data-layer]")).to_have_text(
        ["Alerts", "District boundaries", "Protected objects", "Cameras", "Units"]
    )
    switcher_box(page, "districts").uncheck()
    expect(boundaries).to_have_count(0)
    switcher_box(page, "districts").check()
    expect(boundaries).to_have_count(6)


def test_many_alerts_are_clustered_and_leaflets_strings_speak_russian(new_page, log_in):
    UserFactory(username="op_one", centers=["uralsk"], language="ru")
    uralsk, district_uralsk, now = center("uralsk"), district("uralsk"), timezone.now()
    Alert.objects.bulk_create(
        Alert(
            source="test",
            kind="load",
            severity=2,
            title=f"Load {index}",
            center=uralsk,
            district=district_uralsk,
            latitude=51.2 + (index % 20) / 200,
            longitude=51.3 + (index // 20) / 200,
            raised_at=now - timedelta(seconds=index),
            updated_at=now - timedelta(seconds=index),
        )
        for index in range(400)
    )
    page = new_page(viewport={"width": 1366, "height": 768}, locale="ru-RU")
    log_in(page, "op_one")
    expect_live(page)
    expect(page.locator("#alert-count")).to_have_text("400")

    # At the oblast's zoom 400 alerts are a few clusters, not 400 dots
    clusters = page.locator("#map .marker-cluster.cluster-alerts")
    expect(clusters.first).to_be_visible()
    counts = [int(text) for text in clusters.all_inner_texts()]
    assert sum(counts) == 400 and len(counts) < 20

    # Leaflet's buttons and prefix are in Russian
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Приблизить")
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "Отдалить")
    expect(page.locator(".leaflet-control-attribution a").first).to_have_attribute(
        "title", "Библиотека JavaScript для интерактивных карт"
    )
    expect(page.locator(".leaflet-control-layers-toggle")).to_have_attribute("title", "Слои карты")


def test_the_units_of_the_scope_are_on_the_map_in_their_status_and_follow_the_feed(new_page, log_in):
    operator = UserFactory(username="op_one", centers=["uralsk"])
    near = in_worker_thread(make_unit, call_sign="Беркут-1", at=(51.2390, 51.3700))
    in_worker_thread(make_unit, call_sign="Беркут-2")  # no position yet: not on the map
    in_worker_thread(make_unit, call_sign="Жайык-1", center_code="syrym", at=(51.2300, 51.3700))  # not Uralsk's
    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, "op_one")
    expect_live(page)

    markers = page.locator("#map .unit-marker")
    expect(markers).to_have_count(1)
    marker = page.locator(f'#map .unit-marker[data-unit-id="{near.pk}"]')
    expect(marker).to_have_text("Беркут-1")
    expect(marker).to_have_attribute("data-status", "available")
    expect(page.locator("#map .unit-marker-icon")).to_have_attribute("title", "Беркут-1 · Available")

    # A status change reaches the map live
    in_worker_thread(unit_status_set, unit=near, status="off_duty", actor=operator)
    expect(marker).to_have_attribute("data-status", "off_duty")
    expect(page.locator("#map .unit-marker-icon")).to_have_attribute("title", "Беркут-1 · Off duty")

    # The switcher takes the units off the map and brings them back
    page.locator(".leaflet-control-layers").hover()
    switcher_box(page, "units").uncheck()
    expect(markers).to_have_count(0)
    switcher_box(page, "units").check()
    expect(markers).to_have_count(1)
