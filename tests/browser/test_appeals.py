"""An appeal end to end: a partner files it (signed, over HTTP, with a photo) through a real Daphne; it
appears in the district officer's list; the officer opens it, sees the photo and answers; the partner's
own webhook receiver gets the signed status change."""

import json
import time
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from appeals.models import Appeal
from appeals.services.partners import partner_create
from appeals.services.webhooks import WEBHOOK_CHANNEL
from appeals.signing import request_signature
from opscenter.models import OutboxMessage, OutboxStatus
from opscenter.services.outbox import outbox_deliver
from tests.appeals.conftest import appeal_body
from tests.appeals.receiver import WebhookReceiver, trust_the_receiver
from tests.appeals.test_attachments import png
from tests.browser.conftest import in_worker_thread
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


@pytest.fixture
def receiver(monkeypatch, settings):
    trust_the_receiver(monkeypatch, settings)  # the webhooks are delivered in this process (deliver_webhooks)
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


def signed_post(server_url: str, credentials, path: str, body: bytes, content_type: str, headers=None) -> dict:
    timestamp = str(int(time.time()))
    signature = request_signature(secret=credentials.secret, timestamp=timestamp, method="POST", path=path, body=body)
    request = urllib.request.Request(
        server_url + path,
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Partner-Key": credentials.key_id,
            "X-Timestamp": timestamp,
            "X-Signature": signature,
            **(headers or {}),
        },
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status == 201
        return json.loads(response.read())


def multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def deliver_webhooks() -> list[str]:
    """What the Celery worker does: deliver the due outbox messages (here, in this process)."""
    pks = list(
        OutboxMessage.objects.filter(channel=WEBHOOK_CHANNEL, status=OutboxStatus.PENDING).values_list("pk", flat=True)
    )
    return [outbox_deliver(message_pk=pk) for pk in pks]


def test_an_appeal_from_a_partner_is_answered_by_the_officer_and_the_partner_is_told(
    new_page, log_in, server_url, receiver
):
    # Given Kaspi.kz registered with its webhook, and a district officer of Uralsk
    _partner, credentials = in_worker_thread(partner_create, code="kaspi", name="Kaspi.kz", webhook_url=receiver.url)
    UserFactory(username="officer_uralsk", role="district_officer", districts=["uralsk"], first_name="Бауыржан")

    # When Kaspi uploads a photo and files an appeal with it, signed, with an Idempotency-Key
    body, content_type = multipart("photo.jpg", png())
    photo = signed_post(server_url, credentials, "/api/v1/partner/attachments", body, content_type)
    filed = signed_post(
        server_url,
        credentials,
        "/api/v1/partner/appeals",
        json.dumps(appeal_body(attachments=[photo["id"]], description="Машина на тротуаре возле школы №5.")).encode(),
        "application/json",
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    number = filed["registration_number"]
    assert filed["status"] == "registered"

    # Then it appears in the officer's list
    page = new_page()
    log_in(page, "officer_uralsk")
    page.goto("/appeals/")
    row = page.locator(f'#appeal-list .appeal-row[data-number="{number}"]')
    expect(row).to_have_attribute("data-status", "registered")
    expect(row).to_contain_text("Машина на тротуаре")

    # When the officer opens it, the photo (the applicant's) waits for a reason, in an empty field
    row.get_by_role("link", name=number).click()
    expect(page.locator("#appeal")).to_have_attribute("data-status", "registered")
    expect(page.locator("#attachments-hidden")).to_be_visible()
    expect(page.locator("#applicant-reason")).to_have_value("")
    page.fill("#applicant-reason", "Рассмотрение обращения")
    page.click("#applicant-form button[type=submit]")
    # then the applicant and the photo show in the page
    expect(page.locator("#applicant-data")).to_be_visible()
    image = page.locator("#attachments img")
    expect(image).to_be_visible()
    page.wait_for_function("document.querySelector('#attachments img').naturalWidth === 1")

    # and answers it
    page.fill("#answer-text", "Водитель привлечён к ответственности, протокол составлен.")
    page.click("#answer-form button[type=submit]")
    expect(page.locator("#appeal")).to_have_attribute("data-status", "answered")
    expect(page.locator("#appeal-answer")).to_contain_text("протокол составлен")

    # Then the partner's webhook receives the signed status change
    assert in_worker_thread(deliver_webhooks) == [OutboxStatus.DELIVERED]
    events = [Webhook(credentials.webhook_secret).verify(got.body, got.headers) for got in receiver.received]
    answered = [event for event in events if event["data"]["status"] == "answered"]
    assert len(answered) == 1
    assert answered[0]["type"] == "appeal.status_changed"
    assert answered[0]["data"]["registration_number"] == number
    assert answered[0]["data"]["text"] == "Водитель привлечён к ответственности, протокол составлен."
    assert Appeal.objects.get(registration_number=number).status == "answered"
