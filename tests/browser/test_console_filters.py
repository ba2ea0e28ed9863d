"""Search and filters of the console's list in Chromium: the same rule as the REST list's filters on the
same alerts (filters.js against opscenter.selectors.alert_list), the list narrowed as the operator types
and ticks, and saved views that follow the operator to another console."""

from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from playwright.sync_api import expect
from rest_framework.test import APIClient

from opscenter.models import Alert
from opscenter.serializers import AlertSerializer
from tests.browser.test_dashboard import expect_live, raise_alert, row
from tests.factories import UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

FILTERS_JS = Path(settings.BASE_DIR) / "opscenter" / "static" / "opscenter" / "filters.js"

ALERTS = [
    # title, address, kind, source, severity, district
    ("Тревожная кнопка: Школа № 12", "г. Уральск, ул. Абая 3", "panic", "alarms", 1, "uralsk"),
    ("ТРЕВОЖНАЯ КНОПКА: детский сад «Балапан»", "Теректі ауданы, Федоровка", "panic", "alarms", 2, "terekti"),
    ("Дабыл түймесі: Мектеп № 5", "Орал қ., Сырым Датұлы көшесі 7", "duress", "alarms", 1, "uralsk"),
    ("Выход из зоны", "Акжаикский район, с. Чапаево", "zone_exit", "bracelets", 2, "akzhaik"),
    ("Браслет снят", "", "tamper", "bracelets", 3, "terekti"),
    ("Обращение: драка у школы", "г. Уральск, пр. Достык 50", "child_incident", "appeals", 2, "uralsk"),
    ("Срок рассмотрения истекает", "Кабинет 5_%", "deadline", "appeals", 4, None),
]

CASES = [
    {},
    {"q": "школ"},
    {"q": "ШКОЛА"},
    {"q": "тревожная кнопка"},
    {"q": "мектеп"},
    {"q": "ҚАЛА"},  # no alert's title, address or kind holds it (Орал қ. is short)
    {"q": "сырым көшесі"},
    {"q": "panic"},
    {"q": "5_%"},
    {"q": "%"},
    {"severity": [1]},
    {"severity": [2, 3]},
    {"source": ["bracelets"]},
    {"source": ["alarms", "appeals"], "severity": [2]},
    {"district": ["uralsk"]},
    {"district": ["terekti", "akzhaik"], "q": "з"},
    {"q": "уральск", "source": ["appeals"], "district": ["uralsk"], "severity": [2]},
]


def query_string(filters: dict) -> list[tuple[str, str]]:
    params = [("status", "open"), ("limit", "2000")]
    if filters.get("q"):
        params.append(("q", filters["q"]))
    for name in ("severity", "source", "district"):
        params.extend((name, str(value)) for value in filters.get(name, []))
    return params


def test_the_console_filters_and_the_rest_list_keep_the_same_alerts(browser):
    operator = UserFactory(username="op_all", role="administrator")
    for title, address, kind, source, severity, code in ALERTS:
        raise_alert(
            title=title,
            address=address,
            kind=kind,
            source=source,
            severity=severity,
            district=district(code) if code else None,
            **({} if code else {"center": district("uralsk").center}),
        )
    api = APIClient()
    api.force_login(operator)
    every = AlertSerializer(Alert.objects.select_related("center", "district"), many=True).data
    page = browser.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(FILTERS_JS))

    sizes = []
    for filters in CASES:
        response = api.get("/api/v1/alerts/?" + urlencode(query_string(filters)))
        assert response.status_code == 200, response.json()
        by_rest = sorted(alert["id"] for alert in response.json()["results"])
        by_console = sorted(
            page.evaluate(
                "([alerts, filters]) => alerts.filter(OpscenterFilters.compile(filters)).map(a => a.id)",
                [list(every), filters],
            )
        )
        assert by_console == by_rest, filters
        sizes.append(len(by_rest))
    # the cases tell the alerts apart: most keep some and not all
    assert sizes[0] == len(ALERTS) and len(set(sizes)) >= 5 and 0 in sizes
    page.close()


def test_typing_and_ticking_narrow_the_list_and_a_saved_view_follows_the_operator(new_page, log_in):
    UserFactory(username="op_one", centers=["uralsk"])
    school = raise_alert(title="Тревожная кнопка: Школа № 12", source="alarms", severity=1, district=district("uralsk"))
    garden = raise_alert(
        title="Тревожная кнопка: детский сад", source="alarms", severity=2, district=district("terekti")
    )
    bracelet = raise_alert(
        title="Выход из зоны", source="bracelets", kind="zone_exit", severity=2, district=district("akzhaik")
    )
    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, "op_one")
    expect_live(page)
    rows = page.locator("#alert-list .alert-row")
    expect(rows).to_have_count(3)

    # Typing narrows the list as it goes; the count stays the whole count, and says what is shown
    page.keyboard.press("/")
    expect(page.locator("#filter-q")).to_be_focused()
    page.keyboard.type("кнопка")
    expect(rows).to_have_count(2)
    expect(row(page, bracelet)).to_have_count(0)
    expect(page.locator("#alert-count")).to_have_text("3")
    expect(page.locator("#alert-shown")).to_have_text("Shown: 2 of 3")

    # A severity and a district narrow it further, and j walks only what is shown
    page.locator("#filter-more summary").click()
    page.locator("input[name=severity][value='2']").check()
    expect(rows).to_have_count(1)
    expect(row(page, garden)).to_be_visible()
    page.select_option("#filter-district", "uralsk")
    expect(rows).to_have_count(0)
    expect(page.locator("#alert-list-nomatch")).to_be_visible()
    page.select_option("#filter-district", "terekti")
    expect(rows).to_have_count(1)

    # Saved under a name, on the server
    page.locator("[data-command=save-view]").click()
    page.fill("#saved-view-name", "Сады P2")
    page.locator("[data-command=save-view-confirm]").click()
    expect(page.locator("#saved-view option:checked")).to_have_text("Сады P2")

    # Cleared, all is back
    page.locator("[data-command=clear]").click()
    expect(rows).to_have_count(3)

    # At another console the operator picks the view, and sees what they saved
    other = new_page(viewport={"width": 1366, "height": 768})
    log_in(other, "op_one")
    expect_live(other)
    expect(other.locator("#alert-list .alert-row")).to_have_count(3)
    other.select_option("#saved-view", label="Сады P2")
    expect(other.locator("#alert-list .alert-row")).to_have_count(1)
    expect(row(other, garden)).to_be_visible()
    expect(other.locator("#filter-q")).to_have_value("кнопка")

    # A new alert that does not match stays out of the list; one that matches comes in
    raise_alert(title="Выход из зоны", source="bracelets", severity=2, district=district("terekti"))
    matching = raise_alert(title="Тревожная кнопка: ясли", source="alarms", severity=2, district=district("terekti"))
    expect(row(other, matching)).to_be_visible()
    expect(other.locator("#alert-list .alert-row")).to_have_count(2)
    expect(other.locator("#alert-count")).to_have_text("5")
    assert school.pk  # the P1 school stays out of this view throughout
    expect(row(other, school)).to_have_count(0)
