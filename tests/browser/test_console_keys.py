"""The console by keyboard alone, in Chromium: a skip link to the work, d/r/c open dispatch, resolve and
comment on the selected alert, focus lands where the work is after each action (the next row after an
acknowledgement from the list; the detail's next action after one from the detail; the next alert after
a resolve), a help overlay lists the keys; and the rendered severity badges hold AA contrast."""

import pytest
from playwright.sync_api import expect

from opscenter.models import Alert, AlertEvent, AlertStatus
from tests.browser.test_dashboard import expect_live, raise_alert, row
from tests.factories import UserFactory, district, make_unit
from tests.opscenter.test_contrast import AA_NORMAL_TEXT, contrast

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_the_keys_work_an_alert_through_and_focus_follows_the_work(new_page, log_in):
    UserFactory(username="op_one", centers=["uralsk"])
    first = raise_alert(severity=1, title="First panic", district=district("uralsk"))
    second = raise_alert(severity=1, title="Second panic", district=district("uralsk"))
    third = raise_alert(severity=2, title="Third", district=district("terekti"))
    make_unit("Патруль 12", at=(51.23, 51.37))
    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, "op_one")
    expect_live(page)
    expect(page.locator("#alert-list .alert-row")).to_have_count(3)

    # The skip link is the first stop of the keyboard and leads past the header to the content
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()

    # a from the list: acknowledged, and the selection moves to the next row, focus in the list
    page.keyboard.press("j")
    expect(row(page, first)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("a")
    expect(row(page, first)).to_have_attribute("data-status", "acknowledged")
    expect(row(page, second)).to_have_attribute("aria-selected", "true")
    expect(page.locator("#alert-list")).to_be_focused()

    # From the detail: acknowledge, and focus lands on its next action, dispatch
    page.keyboard.press("Enter")
    detail = page.locator("#detail")
    expect(detail).to_have_attribute("data-alert-id", str(second.pk))
    detail.locator("[data-command=acknowledge]").focus()
    page.keyboard.press("Enter")
    expect(row(page, second)).to_have_attribute("data-status", "acknowledged")
    expect(detail.locator("details[data-command=dispatch] summary")).to_be_focused()

    # d opens dispatch with the cursor in its first field; after dispatching, focus is on resolve
    page.locator("#alert-list").focus()
    page.keyboard.press("d")
    expect(detail.locator("details[data-command=dispatch]")).to_have_attribute("open", "")
    expect(
        detail.locator("details[data-command=dispatch] input, details[data-command=dispatch] select").first
    ).to_be_focused()
    page.keyboard.press("Space")  # the nearest available unit, the picker's first choice
    detail.locator("details[data-command=dispatch] button[type=submit]").press("Enter")
    expect(row(page, second)).to_have_attribute("data-status", "dispatched")
    expect(detail.locator("details[data-command=resolve] summary")).to_be_focused()

    # c opens the comment; after it is added, focus is back on the comment
    page.locator("#alert-list").focus()
    page.keyboard.press("c")
    expect(page.locator("#comment-text")).to_be_focused()
    page.keyboard.type("Наряд на месте")
    detail.locator("form[data-action=comment] button[type=submit]").press("Enter")
    expect(detail.locator("details[data-command=comment] summary")).to_be_focused()
    assert AlertEvent.objects.filter(alert_id=second.pk, action="commented", text="Наряд на месте").exists()

    # r opens resolve at its disposition; once resolved, the alert leaves and the next one is selected
    page.locator("#alert-list").focus()
    page.keyboard.press("r")
    expect(page.locator("#resolve-disposition")).to_be_focused()
    page.locator("#resolve-disposition").select_option("false_alarm")
    detail.locator("form[data-action=resolve] button[type=submit]").press("Enter")
    expect(row(page, second)).to_have_count(0)
    expect(row(page, third)).to_have_attribute("aria-selected", "true")
    expect(page.locator("#alert-list")).to_be_focused()
    stored = Alert.objects.get(pk=second.pk)
    assert (stored.status, stored.dispatch_unit, stored.disposition) == (
        AlertStatus.RESOLVED,
        "Патруль 12",
        "false_alarm",
    )

    # ? shows every key; Esc closes the help and leaves the detail as it was
    page.keyboard.press("?")
    help_dialog = page.locator("#keys-help")
    expect(help_dialog).to_be_visible()
    for key in ("j", "a", "d", "r", "c", "/", "?"):
        expect(help_dialog.locator("kbd", has_text=key).first).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()


def test_the_rendered_severity_badges_hold_aa_contrast(new_page, log_in):
    UserFactory(username="op_one", centers=["uralsk"])
    for severity in (1, 2, 3, 4):
        raise_alert(severity=severity, title=f"P{severity}", district=district("uralsk"))
    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, "op_one")
    expect_live(page)
    expect(page.locator("#alert-list .alert-row")).to_have_count(4)
    colours = page.evaluate(
        """() => Array.from(document.querySelectorAll('#alert-list .severity-badge')).map(badge => {
             const style = getComputedStyle(badge);
             const hex = value => '#' + value.match(/\\d+/g).slice(0, 3).map(n => Number(n).toString(16).padStart(2, '0')).join('');
             return [badge.textContent, hex(style.color), hex(style.backgroundColor)];
           })"""
    )
    assert sorted(label for label, _text, _behind in colours) == ["P1", "P2", "P3", "P4"]
    for label, text, behind in colours:
        assert contrast(text, behind) >= AA_NORMAL_TEXT, (label, text, behind)
