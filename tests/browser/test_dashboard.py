"""The operator's dashboard in headless Chromium, against a real Daphne and the Redis channel layer."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from opscenter.models import Alert, AlertEvent, AlertStatus, User
from opscenter.services.alerts import alert_escalate, alert_raise, alert_resolve
from opscenter.services.users import user_scope_set
from tests.browser.conftest import in_worker_thread
from tests.factories import PASSWORD, UserFactory, center, district, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

COUNT_OSCILLATORS = """
window.oscillatorsStarted = 0;
const originalStart = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.oscillatorsStarted += 1;
  return originalStart.apply(this, args);
};
"""
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def raise_alert(**fields) -> Alert:
    fields = {"source": "test", "kind": "panic", "severity": 1, **fields}
    return in_worker_thread(alert_raise, **fields)


def resolve_as_system(*, alert_pk: int) -> Alert:
    return alert_resolve(alert=Alert.objects.get(pk=alert_pk), actor=None, disposition="technical")


def row(page, alert: Alert):
    return page.locator(f'#alert-list .alert-row[data-alert-id="{alert.pk}"]')


def expect_live(page, *, timeout: float = 10_000) -> None:
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=timeout)


def test_an_alert_appears_live_and_a_keyboard_acknowledgement_reaches_the_other_operator(new_page, log_in):
    # Given two operators of the Uralsk center with the dashboard open
    UserFactory(username="op_one", centers=["uralsk"])
    UserFactory(username="op_two", centers=["uralsk"])
    first, second = new_page(), new_page()
    first.add_init_script(COUNT_OSCILLATORS)
    log_in(first, "op_one")
    log_in(second, "op_two")
    expect_live(first)
    expect_live(second)
    first.locator("#alert-list-heading").click()  # browsers allow sound only after a gesture
    latitude, longitude = settings.MAP_CENTER

    # When a service raises an alert
    alert = raise_alert(
        title="Panic button: school 12",
        district=district("uralsk"),
        latitude=latitude,
        longitude=longitude,
        address="Dostyk 12",
    )

    # Then it appears on both pages without a reload, as a new P1
    for page in (first, second):
        expect(row(page, alert)).to_have_attribute("data-status", "new")
        expect(row(page, alert)).to_have_attribute("data-severity", "1")
        expect(row(page, alert)).to_contain_text("Panic button: school 12")
        expect(page.locator("#alert-count")).to_have_text("1")
    # a new P1 beeps (three tones), and its age runs
    first.wait_for_function("window.oscillatorsStarted >= 3")
    expect(row(first, alert).locator(".row-age")).not_to_have_text("0:00")

    # When the first operator selects it and presses `a`
    first.keyboard.press("j")
    expect(row(first, alert)).to_have_attribute("aria-selected", "true")
    first.keyboard.press("a")

    # Then both pages show it acknowledged by the first operator
    expect(row(first, alert)).to_have_attribute("data-status", "acknowledged")
    expect(row(second, alert)).to_have_attribute("data-status", "acknowledged")
    expect(row(second, alert).locator(".row-status")).to_contain_text("op_one")
    stored = Alert.objects.select_related("acknowledged_by").get(pk=alert.pk)
    assert (stored.status, stored.acknowledged_by.username) == (AlertStatus.ACKNOWLEDGED, "op_one")

    # And the map works without tiles: a click on the alert's marker opens its detail and timeline
    expect(second.locator("#map-notice")).to_be_visible()
    box = second.locator("#map").bounding_box()
    second.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    detail = second.locator("#detail")
    expect(detail).to_be_visible()
    expect(detail).to_have_attribute("data-alert-id", str(alert.pk))
    expect(detail.locator("#timeline li")).to_have_count(2)
    expect(detail.locator("#timeline li").nth(1)).to_contain_text("op_one")
    expect(detail.locator("[data-command=acknowledge]")).to_be_hidden()
    second.keyboard.press("Escape")
    expect(detail).to_be_hidden()


def test_the_dashboard_dispatches_and_resolves_and_the_resolved_alert_leaves(new_page, log_in):
    UserFactory(username="op_one", centers=["uralsk"])
    page = new_page()
    log_in(page, "op_one")
    expect_live(page)
    alert = raise_alert(severity=2, title="Bracelet tamper", district=district("akzhaik"))
    unit = in_worker_thread(make_unit, call_sign="Patrol 7a", at=(51.2, 51.4))
    expect(row(page, alert)).to_be_visible()

    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    detail = page.locator("#detail")
    expect(detail).to_have_attribute("data-alert-id", str(alert.pk))
    detail.locator("details[data-command=dispatch] summary").click()
    picked = detail.locator(f'.picker-row[data-unit-id="{unit.pk}"] input')
    expect(picked).to_be_focused()  # the nearest available unit
    # Pressing `a` on the picker must not acknowledge anything: keys in inputs are the user's.
    page.keyboard.press("a")
    page.keyboard.press("Space")
    detail.locator("form[data-action=dispatch] button[type=submit]").click()
    expect(row(page, alert)).to_have_attribute("data-status", "dispatched")
    expect(row(page, alert).locator(".row-status")).to_contain_text("Patrol 7a")

    detail.locator("details[data-command=resolve] summary").click()
    detail.locator("#resolve-disposition").select_option("false_alarm")
    detail.locator("#resolve-note").fill("Child pressed it")
    detail.locator("form[data-action=resolve] button[type=submit]").click()

    expect(row(page, alert)).to_have_count(0)
    expect(page.locator("#alert-count")).to_have_text("0")
    stored = Alert.objects.get(pk=alert.pk)
    assert (stored.status, stored.disposition, stored.dispatch_unit) == ("resolved", "false_alarm", "Patrol 7a")
    actions = list(AlertEvent.objects.filter(alert=alert).values_list("action", flat=True))
    assert actions == ["raised", "dispatched", "unit_cleared", "resolved"]  # the unit is free again


def test_an_operator_of_syrym_does_not_see_an_alert_of_uralsk(new_page, log_in):
    UserFactory(username="op_uralsk", centers=["uralsk"])
    UserFactory(username="op_syrym", centers=["syrym"])
    uralsk_page, syrym_page = new_page(), new_page()
    log_in(uralsk_page, "op_uralsk")
    log_in(syrym_page, "op_syrym")
    expect_live(uralsk_page)
    expect_live(syrym_page)

    uralsk_alert = raise_alert(title="Uralsk alarm", district=district("uralsk"))
    syrym_alert = raise_alert(title="Syrym alarm", district=district("syrym"))

    expect(row(uralsk_page, uralsk_alert)).to_be_visible()
    # The Syrym alert was published after the Uralsk one: once it is shown, the other had its chance.
    expect(row(syrym_page, syrym_alert)).to_be_visible()
    expect(row(syrym_page, uralsk_alert)).to_have_count(0)
    expect(row(uralsk_page, syrym_alert)).to_have_count(0)

    # Nor in the snapshot of a fresh connection
    syrym_page.reload()
    expect_live(syrym_page)
    expect(row(syrym_page, syrym_alert)).to_be_visible()
    expect(syrym_page.locator("#alert-list .alert-row")).to_have_count(1)


def test_a_district_officer_sees_the_alerts_of_the_district_on_a_phone(new_page, log_in):
    UserFactory(username="officer_terekti", role="district_officer", districts=["terekti"])
    page = new_page(**PHONE)
    log_in(page, "officer_terekti")
    expect_live(page)
    terekti = district("terekti")

    alert = raise_alert(
        severity=2,
        title="Exclusion zone entered",
        district=terekti,
        latitude=terekti.seat_latitude,
        longitude=terekti.seat_longitude,
    )
    other = raise_alert(severity=2, title="Not for Terekti", district=district("akzhaik"))

    expect(row(page, alert)).to_be_visible()
    expect(row(page, alert)).to_contain_text(str(terekti.name))
    expect(row(page, other)).to_have_count(0)
    # The list stacks above the map, and nothing is wider than the phone
    list_box = page.locator("#alert-list").bounding_box()
    map_box = page.locator("#map").bounding_box()
    assert list_box["y"] + list_box["height"] <= map_box["y"]
    assert map_box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("#map canvas")).to_have_count(1)

    # A tap opens the detail over the whole screen; an officer cannot act on alerts, only comment
    row(page, alert).tap()
    detail = page.locator("#detail")
    expect(detail).to_be_visible()
    assert detail.bounding_box()["width"] == 390
    expect(detail.locator("[data-command=acknowledge]")).to_have_count(0)
    expect(detail.locator("details[data-command=resolve]")).to_have_count(0)
    expect(detail.locator("details[data-command=comment]")).to_be_visible()
    detail.locator("button[data-command=close]").tap()
    expect(detail).to_be_hidden()


def test_after_a_lost_connection_the_snapshot_replaces_the_list(new_page, log_in):
    # Given an operator's page whose feed goes through a route the test controls
    UserFactory(username="op_one", centers=["uralsk"])
    page = new_page()
    sockets = []
    server_reachable = {"now": True}

    def route(socket):
        sockets.append(socket)
        if server_reachable["now"]:
            socket.connect_to_server()

    page.route_web_socket("**/ws/alerts/", route)
    log_in(page, "op_one")
    expect_live(page)
    stale = raise_alert(title="Resolved while away", district=district("uralsk"))
    expect(row(page, stale)).to_be_visible()

    # When the connection drops, and while the server is out of reach one alert is resolved and
    # another raised
    server_reachable["now"] = False
    sockets[0].close(code=4000)
    expect(page.locator("#connection")).to_have_attribute("data-state", "reconnecting")
    in_worker_thread(resolve_as_system, alert_pk=stale.pk)
    fresh = raise_alert(severity=3, title="Raised while away", district=district("uralsk"))
    expect(row(page, stale)).to_be_visible()

    # Then, the server back, the page reconnects by itself and the snapshot replaces the list
    server_reachable["now"] = True
    if len(sockets) > 1:
        sockets[-1].connect_to_server()
    expect_live(page)
    expect(row(page, fresh)).to_be_visible()
    expect(row(page, stale)).to_have_count(0)
    expect(page.locator("#alert-count")).to_have_text("1")
    assert len(sockets) == 2


def test_an_escalation_shows_a_banner_to_the_supervisor(new_page, log_in):
    UserFactory(username="sup_uralsk", role="supervisor", centers=["uralsk"])
    page = new_page()
    log_in(page, "sup_uralsk")
    expect_live(page)
    alert = raise_alert(title="Nobody answered", district=district("uralsk"))
    expect(row(page, alert)).to_be_visible()

    in_worker_thread(alert_escalate, alert=alert, level=1)

    banner = page.locator(f'#banners .banner[data-alert-id="{alert.pk}"]')
    expect(banner).to_contain_text("Nobody answered")
    banner.get_by_role("button", name="Show").click()
    expect(page.locator("#detail")).to_have_attribute("data-alert-id", str(alert.pk))
    expect(row(page, alert)).to_have_class(re.compile(r"\bescalated\b"))


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_dashboard_holds_ten_thousand_open_alerts(new_page, log_in, screen):
    # Given 10,000 open alerts in the operator's scope (far past the old snapshot's 1 MiB message)
    UserFactory(username="op_one", centers=["uralsk"])
    uralsk, district_uralsk, now = center("uralsk"), district("uralsk"), timezone.now()
    Alert.objects.bulk_create(
        (
            Alert(
                source="test",
                kind="load",
                severity=2 + index % 3,
                title=f"Load {index}",
                center=uralsk,
                district=district_uralsk,
                address=f"Dostyk {index}",
                latitude=51.0 + (index % 100) / 100,
                longitude=51.0 + (index // 100) / 100,
                raised_at=now - timedelta(seconds=index),
                updated_at=now - timedelta(seconds=index),
            )
            for index in range(10_000)
        ),
        batch_size=2000,
    )

    # When the operator opens the dashboard, at a desk (1366×768) or on a phone
    page = new_page(**PHONE) if screen == "phone" else new_page(viewport={"width": 1366, "height": 768})
    log_in(page, "op_one")
    # A correctness test, not a timing one: a busy machine may take long over the 10,000-alert snapshot.
    expect_live(page, timeout=90_000)

    # Then the count is the whole count, and only the rows in sight are in the document
    expect(page.locator("#alert-count")).to_have_text("10000")
    assert 0 < int(page.locator("#dashboard").get_attribute("data-rows-rendered")) < 100
    assert page.locator("#alert-list .alert-row").count() < 100

    # A new P1 goes to the top of the list, live
    alert = raise_alert(title="Critical among many", district=district_uralsk)
    expect(page.locator("#alert-list .alert-row").first).to_have_attribute("data-alert-id", str(alert.pk))
    expect(page.locator("#alert-count")).to_have_text("10001")

    # The keyboard still walks the list: P2s follow, the oldest first
    page.keyboard.press("j")
    page.keyboard.press("j")
    oldest_p2 = Alert.objects.filter(severity=2).order_by("raised_at").first()
    expect(row(page, oldest_p2)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("a")
    expect(row(page, oldest_p2)).to_have_attribute("data-status", "acknowledged")
    page.keyboard.press("k")
    expect(row(page, alert)).to_have_attribute("aria-selected", "true")

    # And the end of the list is there when scrolled to: the newest P4 is last
    page.locator("#alert-list").evaluate("list => { list.scrollTop = list.scrollHeight; }")
    newest_p4 = Alert.objects.filter(severity=4).order_by("-raised_at").first()
    expect(page.locator("#alert-list .alert-row").last).to_have_attribute("data-alert-id", str(newest_p4.pk))
    assert page.locator("#alert-list .alert-row").count() < 100


def test_wrong_passwords_lock_the_sign_in_out(new_page):
    UserFactory(username="op_one", centers=["uralsk"])
    page = new_page()
    page.goto("/login/")

    for _attempt in range(4):
        page.fill("#id_username", "op_one")
        page.fill("#id_password", "not-the-password")
        page.click("#login-form button[type=submit]")
        expect(page.locator("#login-errors")).to_be_visible()
    page.fill("#id_username", "op_one")
    page.fill("#id_password", "not-the-password")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#locked-out")).to_be_visible()

    # Even the right password is refused now
    page.goto("/login/")
    page.fill("#id_username", "op_one")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#locked-out")).to_be_visible()
    expect(page.locator("#current-user")).to_have_count(0)


def test_the_chosen_language_is_kept_on_the_user(new_page, log_in):
    UserFactory(username="op_one", centers=["uralsk"])
    page = new_page(locale="en-US")
    log_in(page, "op_one")

    page.select_option("#language-select", "kk")
    page.click(".language-form button[type=submit]")

    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect_live(page)
    assert User.objects.get(username="op_one").language == "kk"
    # Another device, whose browser asks for English, gets the user's language after signing in
    other_device = new_page(locale="en-US")
    log_in(other_device, "op_one")
    expect(other_device.locator("html")).to_have_attribute("lang", "kk")


def test_an_alert_moved_to_another_center_leaves_the_old_screens_and_reaches_the_new(new_page, log_in):
    from opscenter.services.alerts import alert_relocate

    UserFactory(username="op_uralsk", centers=["uralsk"])
    UserFactory(username="op_syrym", centers=["syrym"])
    uralsk_page, syrym_page = new_page(), new_page()
    log_in(uralsk_page, "op_uralsk")
    log_in(syrym_page, "op_syrym")
    expect_live(uralsk_page)
    expect_live(syrym_page)
    alert = raise_alert(title="Appeal: domestic violence", district=district("uralsk"))
    expect(row(uralsk_page, alert)).to_be_visible()
    row(uralsk_page, alert).click()
    uralsk_page.keyboard.press("Enter")
    expect(uralsk_page.locator("#detail")).to_be_visible()

    in_worker_thread(alert_relocate, alert=alert, center=center("syrym"), district=district("syrym"), actor=None)

    expect(row(syrym_page, alert)).to_be_visible()
    expect(row(uralsk_page, alert)).to_have_count(0)
    expect(uralsk_page.locator("#detail")).to_be_hidden()
    expect(uralsk_page.locator("#alert-count")).to_have_text("0")


def test_a_message_lost_on_the_way_is_noticed_by_its_number_and_read_again_over_rest(new_page, log_in):
    # Given an operator's page whose feed goes through a route that loses one alert on the way
    UserFactory(username="op_one", centers=["uralsk"])
    page = new_page()

    def route(socket):
        server = socket.connect_to_server()

        def forward(message):
            if "Lost on the way" not in str(message):
                socket.send(message)

        server.on_message(forward)

    page.route_web_socket("**/ws/alerts/", route)
    log_in(page, "op_one")
    expect_live(page)

    # When an alert's message is lost, and the next one arrives with the number after it
    lost = raise_alert(title="Lost on the way", district=district("uralsk"))
    after = raise_alert(severity=2, title="Arrived", district=district("uralsk"))

    # Then the page sees the gap, reads the open alerts over REST and shows the lost one too
    expect(row(page, after)).to_be_visible()
    expect(row(page, lost)).to_be_visible()
    expect(page.locator("#dashboard")).to_have_attribute("data-resyncs", "1")
    expect(page.locator("#alert-count")).to_have_text("2")


def test_a_scope_taken_away_clears_the_screen_and_says_so(new_page, log_in):
    # Given an operator with an alert of their center on the screen
    operator = UserFactory(username="op_one", centers=["uralsk"])
    page = new_page()
    log_in(page, "op_one")
    expect_live(page)
    alert = raise_alert(title="Seen until the scope goes", district=district("uralsk"))
    expect(row(page, alert)).to_be_visible()
    row(page, alert).click()
    expect(page.locator("#detail")).to_be_visible()

    # When an administrator takes the operator's center away
    in_worker_thread(user_scope_set, user=operator, actor=None, centers=[])

    # Then nothing of the alerts stays on the page, and it does not reconnect
    expect(page.locator("#connection")).to_have_attribute("data-state", "forbidden")
    expect(page.locator("#alert-list .alert-row")).to_have_count(0)
    expect(page.locator("#detail")).to_be_hidden()
    expect(page.locator("#alert-count")).to_have_text("0")


def test_a_page_reconnecting_after_its_session_ended_clears_the_screen_and_says_so(new_page, log_in):
    # Given an operator's page with an alert, whose feed goes through a route the test controls
    UserFactory(username="op_one", centers=["uralsk"])
    page = new_page()
    sockets = []

    def route(socket):
        sockets.append(socket)
        socket.connect_to_server()

    page.route_web_socket("**/ws/alerts/", route)
    log_in(page, "op_one")
    expect_live(page)
    alert = raise_alert(title="Seen before the session ended", district=district("uralsk"))
    expect(row(page, alert)).to_be_visible()

    # When the session ends on the server (expired, cleared) and the connection drops
    Session.objects.all().delete()
    sockets[0].close(code=4000)

    # Then the reconnecting page is told it is signed out (4401): nothing of the alerts stays, and it
    # goes to the sign-in page, to come back here afterwards
    expect(page).to_have_url(re.compile(r"/login/\?next=%2F$"))
    expect(page.locator("#alert-list .alert-row")).to_have_count(0)
    assert len(sockets) == 2


def test_a_killed_feed_greys_the_list_with_the_time_it_was_true_and_reconnecting_restores_it(new_page, log_in):
    # Given an operator's page whose feed goes through a route the test controls, with an alert shown
    UserFactory(username="op_one", centers=["uralsk"])
    page = new_page()
    sockets = []
    server_reachable = {"now": True}

    def route(socket):
        sockets.append(socket)
        if server_reachable["now"]:
            socket.connect_to_server()

    page.route_web_socket("**/ws/alerts/", route)
    log_in(page, "op_one")
    expect_live(page)
    alert = raise_alert(title="Shown when the feed dies", district=district("uralsk"))
    expect(row(page, alert)).to_be_visible()
    expect(page.locator("#feed-down")).to_be_hidden()

    # When the feed is killed and the server stays out of reach
    server_reachable["now"] = False
    sockets[0].close(code=4000)

    # Then the whole list says so: a banner with the time the data was last true, greyed, ages stopped
    banner = page.locator("#feed-down")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(re.compile(r"Data as of \d\d:\d\d:\d\d"))
    expect(page.locator("#dashboard")).to_have_attribute("data-connection", "reconnecting")
    assert "grayscale" in page.locator("#alert-list").evaluate("list => getComputedStyle(list).filter")
    age = row(page, alert).locator(".row-age").text_content()
    page.wait_for_timeout(2200)  # two ticks of the age timer
    assert row(page, alert).locator(".row-age").text_content() == age

    # When the server is reachable again, the page reconnects by itself and the list is live again
    server_reachable["now"] = True
    if len(sockets) > 1:
        sockets[-1].connect_to_server()
    expect_live(page)
    expect(banner).to_be_hidden()
    assert page.locator("#alert-list").evaluate("list => getComputedStyle(list).filter") == "none"
    expect(row(page, alert)).to_be_visible()
    expect(row(page, alert).locator(".row-age")).not_to_have_text(age)


def test_an_ended_session_leads_to_the_sign_in_page_and_back(new_page, log_in):
    operator = UserFactory(username="op_one", centers=["uralsk"])
    page = new_page()
    log_in(page, "op_one")
    expect_live(page)

    # When the session ends (here: the password was changed, which ends every session signed in before)
    in_worker_thread(_password_set, user=operator, password="a-new-password-42")

    # Then the page goes to the sign-in page, and after it back to the dashboard
    expect(page).to_have_url(re.compile(r"/login/\?next=%2F$"))
    page.fill("#id_username", "op_one")
    page.fill("#id_password", "a-new-password-42")
    page.click("#login-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/$"))
    expect_live(page)


def _password_set(*, user: User, password: str) -> None:
    from opscenter.services.users import user_password_set

    user_password_set(user=user, actor=None, password=password)


def test_a_stale_acknowledge_is_refused_and_shows_who_holds_the_alert(new_page, log_in):
    # Given an operator whose page stops hearing the feed, with a new alert on it
    UserFactory(username="op_one", first_name="Арман", last_name="Иванов", centers=["uralsk"])
    second = UserFactory(username="op_two", centers=["uralsk"])
    page = new_page()
    forwarding = {"on": True}

    def route(socket):
        server = socket.connect_to_server()
        server.on_message(lambda message: socket.send(message) if forwarding["on"] else None)

    page.route_web_socket("**/ws/alerts/", route)
    log_in(page, "op_two")
    expect_live(page)
    alert = raise_alert(title="Taken by a colleague", district=district("uralsk"))
    expect(row(page, alert)).to_have_attribute("data-status", "new")

    # When a colleague acknowledges it meanwhile, unseen by this page, and this operator acknowledges too
    forwarding["on"] = False
    from opscenter.services.alerts import alert_acknowledge

    taken = in_worker_thread(alert_acknowledge, alert=alert, actor=User.objects.get(username="op_one"))
    page.keyboard.press("j")  # selects the row (still "new" here) without reading it again
    expect(row(page, alert)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("a")

    # Then the console says who holds it and since when, and shows it as it is
    local = timezone.localtime(taken.acknowledged_at).strftime("%H:%M")
    expect(page.locator(".toast-error")).to_have_text(f"Acknowledged by Иванов А. at {local}")
    expect(row(page, alert)).to_have_attribute("data-status", "acknowledged")
    # and so does the detail, where the operator acknowledges from it
    row(page, alert).click()
    expect(page.locator("#detail [data-command=acknowledge]")).to_be_hidden()
    expect(page.locator(".toast-done")).to_have_count(0)
    stored = Alert.objects.get(pk=alert.pk)
    assert (stored.acknowledged_by.username, second.username) == ("op_one", "op_two")


def test_resolving_needs_a_disposition_chosen_and_says_resolve_not_close(new_page, log_in):
    UserFactory(username="op_one", centers=["uralsk"])
    page = new_page()
    log_in(page, "op_one")
    expect_live(page)
    alert = raise_alert(severity=2, title="Needs a finding", district=district("uralsk"))
    row(page, alert).click()
    detail = page.locator("#detail")
    expect(detail).to_be_visible()

    # The panel's close and the alert's resolve are worded apart
    expect(detail.get_by_role("button", name="Hide the panel")).to_be_visible()
    summary = detail.locator("details[data-command=resolve] summary")
    expect(summary).to_have_text("Resolve the alert…")

    # When the operator submits the resolve form without choosing a disposition
    summary.click()
    select = detail.locator("#resolve-disposition")
    expect(select).to_have_value("")
    detail.locator("form[data-action=resolve] button[type=submit]").click()

    # Then it is refused: nothing is chosen for them and the alert stays open
    assert select.evaluate("field => field.validity.valueMissing") is True
    expect(row(page, alert)).to_be_visible()
    expect(page.locator(".toast-done")).to_have_count(0)
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.NEW

    # And once one is chosen, it resolves
    select.select_option("false_alarm")
    detail.locator("form[data-action=resolve] button[type=submit]").click()
    expect(row(page, alert)).to_have_count(0)
    assert Alert.objects.get(pk=alert.pk).disposition == "false_alarm"


RECORD_TONES = """
window.tones = [];
const originalToneStart = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.tones.push(this.frequency.value);
  return originalToneStart.apply(this, args);
};
"""


def tones_of(page, frequency: int) -> int:
    return page.evaluate(f"window.tones.filter(tone => Math.round(tone) === {frequency}).length")


def test_the_shift_starts_with_sound_p1_and_p2_sound_apart_a_p1_repeats_and_the_title_counts_what_is_new(
    new_page, log_in
):
    # Given an operator who allowed desktop notifications, at the start of the shift
    operator = UserFactory(username="op_one", centers=["uralsk"])
    page = new_page(permissions=["notifications"])
    page.add_init_script(RECORD_TONES)
    log_in(page, "op_one")
    expect_live(page)
    prompt = page.locator("#shift-start")
    expect(prompt).to_be_visible()

    # When they turn the sound on with one click, the prompt goes
    prompt.get_by_role("button", name="Turn the sound on").click()
    expect(page.locator("#dashboard")).to_have_attribute("data-sound", "ready")
    expect(prompt).to_be_hidden()

    # Then a new P2 sounds its own tone, and the title counts it
    p2 = raise_alert(severity=2, title="A P2", district=district("uralsk"))
    expect(row(page, p2)).to_be_visible()
    page.wait_for_function("window.tones.filter(tone => Math.round(tone) === 523).length >= 2")
    expect(page).to_have_title(re.compile(r"^\(1\) "))

    # and a new P1 another, again and again until it is acknowledged
    p1 = raise_alert(severity=1, title="A P1", district=district("uralsk"))
    expect(row(page, p1)).to_be_visible()
    expect(page).to_have_title(re.compile(r"^\(2\) "))
    page.wait_for_function("window.tones.filter(tone => Math.round(tone) === 880).length >= 6", timeout=20_000)
    assert tones_of(page, 523) == 2  # the P2 sounded once

    from opscenter.services.alerts import alert_acknowledge

    in_worker_thread(alert_acknowledge, alert=p1, actor=operator)
    expect(row(page, p1)).to_have_attribute("data-status", "acknowledged")
    expect(page).to_have_title(re.compile(r"^\(1\) "))
