"""Every page at phone widths (390×844, 360×740) as the person who uses it, the wallboard and the shift
log included: nothing scrolls sideways (document.scrollingElement.scrollWidth <= innerWidth), the header
stays compact, and appeals are cards."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appeals.models import Appeal
from bracelets.services.registry import bracelet_add, person_enrol
from tests.appeals.conftest import appeal_input
from tests.browser.conftest import in_worker_thread
from tests.browser.test_dashboard import raise_alert
from tests.factories import UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

SIZES = {"390": (390, 844), "360": (360, 740)}

# What sticks out past the right edge, to say which element when the page scrolls sideways.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const out = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && getComputedStyle(element).position !== "fixed") {
      out.push(element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
               (element.className && typeof element.className === "string" ? "." + element.className.split(" ").join(".") : "") +
               " right=" + Math.round(box.right));
    }
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: width, out: out.slice(0, 8)};
}"""


def phone(new_page, size: str):
    width, height = SIZES[size]
    return new_page(viewport={"width": width, "height": height}, device_scale_factor=2, is_mobile=True, has_touch=True)


def assert_fits(page, what: str) -> None:
    page.wait_for_load_state("load")
    found = page.evaluate(OVERFLOW)
    assert found["scrollWidth"] <= found["innerWidth"], f"{what} scrolls sideways: {found}"


@pytest.fixture
def people():
    from appeals.services.appeals import appeal_submit
    from appeals.services.partners import partner_create

    UserFactory(username="op_one", centers=["uralsk"])
    UserFactory(username="sup_one", role="supervisor", centers=["uralsk"])
    officer = UserFactory(username="officer_one", role="district_officer", districts=["uralsk"])
    UserFactory(username="officer_kk", role="district_officer", districts=["uralsk"], language="kk")
    partner, _credentials = partner_create(code="kaspi", name="Kaspi.kz")
    appeal = in_worker_thread(
        appeal_submit,
        partner=partner,
        data=appeal_input(
            description="Каждое утро машины паркуются на тротуаре у школы № 5, дети выходят на проезжую часть."
        ),
    )
    bracelet_add(unique_id="100200300", model="GPS-01")
    now = timezone.now()
    person = person_enrol(
        unique_id="100200300",
        iin="850101300011",
        full_name="Ахметов Серик Болатович",
        district=district("uralsk"),
        home_latitude=51.23,
        home_longitude=51.37,
        home_radius_m=60,
        measure="house_arrest",
        home_address="г. Уральск, проспект Назарбаева, дом 211, квартира 48",
        order_starts_at=now - timedelta(days=30),
        order_ends_at=now + timedelta(days=335),
        responsible_officer=officer,
    )
    raise_alert(
        title="Тревожная кнопка: КГУ «Общеобразовательная школа-гимназия № 12 имени Абая Кунанбаева»",
        address="г. Уральск, микрорайон Строитель, улица Курмангазы, дом 155/1",
        district=district("uralsk"),
    )
    return {"appeal": Appeal.objects.get(pk=appeal.pk), "person": person}


@pytest.mark.parametrize("size", list(SIZES))
def test_no_page_scrolls_sideways_on_a_phone(new_page, log_in, people, size):
    # Signed out: the sign-in page
    page = phone(new_page, size)
    page.goto("/login/")
    assert_fits(page, "the sign-in page")

    # The operator: the dashboard (its filters open too), the API's documentation
    log_in(page, "op_one")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(page.locator("#alert-list .alert-row")).to_have_count(1)
    assert_fits(page, "the dashboard")
    page.locator("#filter-more summary").click()
    assert_fits(page, "the dashboard with its filters open")
    page.locator("#alert-list .alert-row").first.tap()
    expect(page.locator("#detail")).to_be_visible()
    assert_fits(page, "the dashboard's detail")
    # the header is compact: well under a fifth of the screen
    assert page.locator(".topbar").bounding_box()["height"] <= SIZES[size][1] / 5
    page.goto("/api/v1/docs/")
    assert_fits(page, "the API documentation")

    # The district officer: appeals (a list of cards), an appeal, bracelets, a person's card
    officer = phone(new_page, size)
    log_in(officer, "officer_one")
    officer.goto("/appeals/")
    assert_fits(officer, "the appeals list")
    cards = officer.locator("#appeal-list .appeal-row")
    expect(cards).to_have_count(1)
    assert cards.evaluate("row => getComputedStyle(row).display") == "block"  # a card, not a table row
    assert officer.locator("#appeal-list thead").bounding_box()["height"] <= 1
    officer.goto(f"/appeals/{people['appeal'].pk}/")
    assert_fits(officer, "an appeal")
    officer.goto("/bracelets/")
    assert_fits(officer, "the bracelets list")
    officer.goto(f"/bracelets/people/{people['person'].pk}/")
    assert_fits(officer, "the reason asked before a person's card")
    officer.fill("textarea[name=reason], input[name=reason]", "Проверка по делу 123")
    officer.locator("form button[type=submit]").last.click()
    expect(officer.locator("#track-map")).to_be_visible()
    assert_fits(officer, "a person's card")

    # The supervisor: the reports, the wallboard and the shift log
    supervisor = phone(new_page, size)
    log_in(supervisor, "sup_one")
    supervisor.goto("/alarms/report/")
    assert_fits(supervisor, "the alarm report")
    supervisor.goto("/appeals/summary/")
    assert_fits(supervisor, "the appeals summary")
    supervisor.goto("/wallboard/")
    assert_fits(supervisor, "the wallboard")
    supervisor.goto("/shift-log/")
    assert_fits(supervisor, "the shift log")

    # A district officer in Kazakh (longer words), whose own list is empty: the bracelets list is cards too
    kazakh = phone(new_page, size)
    log_in(kazakh, "officer_kk")
    for path, what in [("/appeals/", "the appeals list in Kazakh"), ("/bracelets/", "the empty own bracelets list in Kazakh"),
                       ("/bracelets/?all=1", "the bracelets list in Kazakh")]:  # fmt: skip
        kazakh.goto(path)
        assert_fits(kazakh, what)
    expect(kazakh.locator("#people .person-row")).to_have_count(1)
    assert kazakh.locator("#people .person-row").evaluate("row => getComputedStyle(row).display") == "block"
