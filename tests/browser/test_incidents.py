"""Incidents and pre-plans on the console, in headless Chromium against a real Daphne and Redis."""

import pytest
from playwright.sync_api import expect

from opscenter.models import Alert, Incident, PrePlan
from opscenter.services.alerts import alert_raise
from tests.browser.conftest import in_worker_thread
from tests.factories import UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def raise_panic(title: str) -> Alert:
    return in_worker_thread(
        alert_raise, source="test", kind="panic", severity=1, title=title, district=district("uralsk"),
        latitude=51.23, longitude=51.37,
    )  # fmt: skip


def make_plan() -> None:
    plan = PrePlan.objects.create(
        source="test", kind="panic", instructions_ru="Отправьте наряд.\nПерезвоните на объект.",
        instructions_kk="Жасақты жіберіңіз.\nНысанға қайта қоңырау шалыңыз.",
    )  # fmt: skip
    plan.contacts.create(name="ДЧ УП г. Уральск", phone="+7 7112 93-02-02")


WORDS = {
    "ru": {
        "row": "инцидент №{id}", "name": "Инцидент №{id}", "steps": ["Отправьте наряд.", "Перезвоните на объект."],
        "linked": "Привязана к инциденту №{id}.", "false_alarm": "Ложная тревога",
    },
    "kk": {
        "row": "№{id} оқиға", "name": "№{id} оқиға", "steps": ["Жасақты жіберіңіз.", "Нысанға қайта қоңырау шалыңыз."],
        "linked": "№{id} оқиғаға байланыстырылды.", "false_alarm": "Жалған дабыл",
    },
}  # fmt: skip


@pytest.mark.parametrize(("size", "language"), [("desktop", "ru"), ("phone", "kk")])
def test_two_alerts_are_linked_into_an_incident_from_the_console_and_resolved_as_one(new_page, log_in, size, language):
    # Given an operator with two panics of one school open, and a pre-plan for panics
    words = WORDS[language]
    UserFactory(username="op_incidents", centers=["uralsk"], language=language)
    in_worker_thread(make_plan)
    first, second = raise_panic("Panic: School No. 5, hall"), raise_panic("Panic: School No. 5, gym")
    page = new_page(**(PHONE if size == "phone" else {}))
    log_in(page, "op_incidents")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    rows = {alert.pk: page.locator(f'#alert-list .alert-row[data-alert-id="{alert.pk}"]') for alert in (first, second)}

    # When they choose both in the list and link them
    for alert in (first, second):
        rows[alert.pk].locator(".row-pick").check()
    expect(page.locator("#incident-bar")).to_be_visible()
    expect(page.locator("#detail")).to_be_hidden()  # choosing does not open the alert
    page.locator("#incident-bar [data-command=link-chosen]").click()

    # Then one incident holds both: the rows say so, the detail shows the incident and its alerts
    panel = page.locator("#incident-panel")
    expect(panel).to_be_visible()
    incident = in_worker_thread(lambda: Incident.objects.get())
    for alert in (first, second):
        expect(rows[alert.pk].locator(".row-incident")).to_have_text(words["row"].format(id=incident.pk))
    expect(panel.locator("[data-part=name]")).to_have_text(words["name"].format(id=incident.pk))
    expect(panel.locator(".incident-alerts li")).to_have_count(2)
    expect(page.locator("#incident-bar")).to_be_hidden()
    # and the pre-plan: what to do, whom to call back
    plan = page.locator("#preplan")
    expect(plan.locator(".preplan-steps li")).to_have_text(words["steps"])
    expect(plan.locator(".preplan-contacts a")).to_have_attribute("href", "tel:+77112930202")
    # and each alert's own timeline says it was linked
    expect(page.locator("#timeline")).to_contain_text(words["linked"].format(id=incident.pk))

    # When they resolve the incident without a disposition, nothing is sent; with one, both alerts close
    panel.locator("details[data-command=incident-resolve] summary").click()
    panel.locator("form[data-incident-action=resolve] button[type=submit]").click()
    expect(rows[first.pk]).to_be_visible()
    panel.locator("#incident-disposition").select_option("false_alarm")
    panel.locator("#incident-note").fill("Нажал ученик")
    panel.locator("form[data-incident-action=resolve] button[type=submit]").click()

    for alert in (first, second):
        expect(rows[alert.pk]).to_have_count(0)
    expect(page.locator("#alert-count")).to_have_text("0")
    expect(panel.locator("[data-part=status]")).to_contain_text(words["false_alarm"])
    resolved = in_worker_thread(
        lambda: list(Alert.objects.order_by("pk").values_list("status", "disposition", "incident"))
    )
    assert resolved == [("resolved", "false_alarm", incident.pk)] * 2
    assert in_worker_thread(lambda: Incident.objects.get().status) == "resolved"
    no_sideways = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways


def test_an_alert_is_linked_to_an_open_incident_from_its_detail_and_unlinked_again(new_page, log_in):
    # Given an incident holding one alert, and a second alert of the same school on its own
    from opscenter.services.incidents import incident_create

    operator = UserFactory(username="op_detail", centers=["uralsk"], language="ru")
    first, second = raise_panic("Panic: School No. 5, hall"), raise_panic("Panic: School No. 5, gym")
    incident = in_worker_thread(incident_create, actor=operator, alerts=[first])
    page = new_page()
    log_in(page, "op_detail")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    # When the operator opens the second alert and links it to that incident
    page.locator(f'#alert-list .alert-row[data-alert-id="{second.pk}"] .row-title').click()
    link = page.locator("#incident-link")
    link.locator("summary").click()
    link.locator("#incident-choice").select_option(str(incident.pk))
    link.locator("button[type=submit]").click()

    # Then the detail shows the incident with both alerts, and the link form is gone
    panel = page.locator("#incident-panel")
    expect(panel.locator(".incident-alerts li")).to_have_count(2)
    expect(link).to_be_hidden()
    expect(page.locator(f'#alert-list .alert-row[data-alert-id="{second.pk}"]')).to_have_attribute(
        "data-incident", str(incident.pk)
    )

    # When they unlink it again, it is on its own, and the incident keeps the first
    panel.locator("[data-command=incident-unlink]").click()
    expect(panel).to_be_hidden()
    expect(link).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text(f"Отвязана от инцидента №{incident.pk}.")
    assert in_worker_thread(lambda: list(Alert.objects.order_by("pk").values_list("incident", flat=True))) == [
        incident.pk,
        None,
    ]
