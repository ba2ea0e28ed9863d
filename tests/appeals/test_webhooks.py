"""Status changes reach the partner's webhook through the outbox: Standard Webhooks headers and signature,
verified with the reference library; retries with backoff for about three days; 410 disables the
endpoint; dead letters in the admin. Against a real HTTP server."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from appeals.models import Partner
from appeals.services import appeals as workflow
from appeals.services.partners import partner_rotate
from appeals.services.webhooks import WEBHOOK_CHANNEL
from opscenter.models import AuditEntry, OutboxMessage, OutboxStatus
from opscenter.services.outbox import outbox_deliver
from tests.appeals.receiver import HOSTNAME, PUBLIC_ADDRESS, WebhookReceiver, fake_dns, trust_the_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(monkeypatch, settings):
    trust_the_receiver(monkeypatch, settings)
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def partner_with_hook(receiver):
    from appeals.services.partners import partner_create

    partner, credentials = partner_create(code="egov", name="eGov Mobile", webhook_url=receiver.url)
    return partner, credentials


def answer(appeal, officer, capture, text="A patrol was sent.") -> OutboxMessage:
    with capture(execute=True):
        workflow.appeal_answer(appeal=appeal, actor=officer, text=text)
    return OutboxMessage.objects.filter(channel=WEBHOOK_CHANNEL).latest("created_at")


def test_a_status_change_arrives_signed_in_the_standard_webhooks_form(
    partner_with_hook, receiver, file_appeal, officer_uralsk, django_capture_on_commit_callbacks
):
    partner, credentials = partner_with_hook
    appeal = file_appeal(partner=partner)
    message = answer(appeal, officer_uralsk, django_capture_on_commit_callbacks)

    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.path == "/hooks/appeals"
    # over TLS verified against the partner's CA, by the partner's name: in SNI and in Host
    assert got.server_name == HOSTNAME
    assert got.headers["host"] == f"{HOSTNAME}:{receiver.port}"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["webhook-id"] == f"msg_{message.pk.hex}"
    assert abs(int(got.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60

    # the reference implementation accepts it
    payload = Webhook(credentials.webhook_secret).verify(got.body, got.headers)
    assert payload["type"] == "appeal.status_changed"
    assert payload["data"]["registration_number"] == appeal.registration_number
    assert payload["data"]["status"] == "answered"
    assert payload["data"]["text"] == "A patrol was sent."

    # and so does the spec, by hand: base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" with the decoded secret
    key = base64.b64decode(credentials.webhook_secret.removeprefix("whsec_"))
    signed = f"{got.headers['webhook-id']}.{got.headers['webhook-timestamp']}.".encode() + got.body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert got.headers["webhook-signature"] == expected
    # nothing internal leaks
    body = json.loads(got.body)
    assert "applicant" not in json.dumps(body) and officer_uralsk.username not in json.dumps(body)


def test_a_failure_is_retried_later_with_the_same_id_until_it_is_taken(
    partner_with_hook, receiver, file_appeal, officer_uralsk, django_capture_on_commit_callbacks
):
    partner, credentials = partner_with_hook
    receiver.statuses = [500, 503]
    message = answer(file_appeal(partner=partner), officer_uralsk, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        OutboxStatus.PENDING,
        1,
        "WebhookDeliveryFailed: HTTP 500",
    )
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=settings.OUTBOX_BACKOFF_BASE_SECONDS / 2 - 1)

    # not before its time
    assert outbox_deliver(message_pk=message.pk) == "not_due"
    for expected_status, expected_attempts in (("pending", 2), ("delivered", 3)):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        assert outbox_deliver(message_pk=message.pk) == expected_status
        assert OutboxMessage.objects.get(pk=message.pk).attempts == expected_attempts
    ids = {got.headers["webhook-id"] for got in receiver.received}
    assert len(receiver.received) == 3 and ids == {f"msg_{message.pk.hex}"}
    for got in receiver.received:
        Webhook(credentials.webhook_secret).verify(got.body, got.headers)
    # each attempt is kept with what the endpoint answered
    assert [(a.outcome, a.status_code, a.error) for a in message.attempt_log.all()] == [
        ("failed", 500, "WebhookDeliveryFailed: HTTP 500"),
        ("failed", 503, "WebhookDeliveryFailed: HTTP 503"),
        ("delivered", 204, ""),
    ]


def test_an_unreachable_endpoint_is_retried(
    file_appeal, officer_uralsk, django_capture_on_commit_callbacks, monkeypatch, settings
):
    from appeals.services.partners import partner_create

    trust_the_receiver(monkeypatch, settings)
    partner, _credentials = partner_create(code="down", name="Down", webhook_url="https://127.0.0.1:9/hooks")
    message = answer(file_appeal(partner=partner), officer_uralsk, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.last_error.startswith("WebhookDeliveryFailed: ConnectionError")


def test_410_gone_disables_the_endpoint_and_ends_the_message(
    partner_with_hook, receiver, file_appeal, officer_uralsk, django_capture_on_commit_callbacks
):
    partner, _credentials = partner_with_hook
    receiver.statuses = [410]
    appeal = file_appeal(partner=partner)
    message = answer(appeal, officer_uralsk, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert message.last_error.startswith("permanent: 410 Gone")
    partner.refresh_from_db()
    assert partner.webhook_enabled is False
    assert "410" in partner.webhook_disabled_reason
    # later changes are not queued for a disabled endpoint
    with django_capture_on_commit_callbacks(execute=True):
        workflow.appeal_close(appeal=appeal, actor=officer_uralsk)
    assert OutboxMessage.objects.filter(channel=WEBHOOK_CHANNEL).count() == 1
    assert len(receiver.received) == 1


def test_messages_queued_before_a_disable_end_without_a_request(
    partner_with_hook, receiver, file_appeal, officer_uralsk, django_capture_on_commit_callbacks
):
    partner, _credentials = partner_with_hook
    receiver.statuses = [500]
    message = answer(file_appeal(partner=partner), officer_uralsk, django_capture_on_commit_callbacks)
    Partner.objects.filter(pk=partner.pk).update(webhook_enabled=False, webhook_disabled_reason="410 Gone")
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver(message_pk=message.pk) == OutboxStatus.DEAD
    assert len(receiver.received) == 1


def test_after_about_three_days_a_failing_message_becomes_a_dead_letter(
    partner_with_hook, receiver, file_appeal, officer_uralsk, django_capture_on_commit_callbacks
):
    partner, _credentials = partner_with_hook
    receiver.statuses = [500, 500]
    message = answer(file_appeal(partner=partner), officer_uralsk, django_capture_on_commit_callbacks)
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now(),
        created_at=timezone.now() - timedelta(hours=settings.APPEALS_WEBHOOK_RETRY_HOURS, minutes=1),
    )
    assert outbox_deliver(message_pk=message.pk) == OutboxStatus.DEAD
    assert "gave up after 72 hours; last: HTTP 500" in OutboxMessage.objects.get(pk=message.pk).last_error


def test_the_retry_schedule_spans_about_three_days():
    """Even with the shortest jitter every time, the attempts outlast the 72-hour limit, so the sender's
    limit (not the count) ends them: at the first failure past 72 hours, at most one interval (6 h) later."""
    from opscenter.services.outbox import outbox_max_attempts

    assert outbox_max_attempts(WEBHOOK_CHANNEL) == settings.APPEALS_WEBHOOK_MAX_ATTEMPTS
    base, cap = settings.OUTBOX_BACKOFF_BASE_SECONDS, settings.OUTBOX_BACKOFF_MAX_SECONDS
    ceilings = [min(cap, base * 2 ** (attempt - 1)) for attempt in range(1, outbox_max_attempts(WEBHOOK_CHANNEL))]
    assert sum(c / 2 for c in ceilings) >= settings.APPEALS_WEBHOOK_RETRY_HOURS * 3600
    assert settings.APPEALS_WEBHOOK_RETRY_HOURS == 72
    assert cap <= 6 * 3600


def test_dead_letters_are_visible_and_replayable_in_the_admin(
    partner_with_hook, receiver, file_appeal, officer_uralsk, django_capture_on_commit_callbacks, client, administrator
):
    partner, _credentials = partner_with_hook
    receiver.statuses = [410]
    message = answer(file_appeal(partner=partner), officer_uralsk, django_capture_on_commit_callbacks)
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    page = client.get("/admin/opscenter/outboxmessage/?status__exact=dead")
    assert page.status_code == 200
    assert str(message.pk) in page.content.decode()

    # the partner fixed its endpoint: the admin turns it back on and replays the dead letter
    client.post("/admin/appeals/partner/", {"action": "enable_webhook", "_selected_action": [partner.pk]})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/opscenter/outboxmessage/", {"action": "replay", "_selected_action": [str(message.pk)]})
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    assert [got.headers["webhook-id"] for got in receiver.received] == [f"msg_{message.pk.hex}"] * 2


def test_during_a_rotation_webhooks_carry_both_signatures(
    partner_with_hook, receiver, file_appeal, officer_uralsk, django_capture_on_commit_callbacks
):
    partner, old = partner_with_hook
    new = partner_rotate(partner=partner, overlap_hours=2, request_secret=False)
    answer(file_appeal(partner=partner), officer_uralsk, django_capture_on_commit_callbacks)
    got = receiver.received[0]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old.webhook_secret).verify(got.body, got.headers)
    Webhook(new.webhook_secret).verify(got.body, got.headers)


def test_a_partners_webhook_settings_changed_in_the_admin_are_audited(kaspi, admin_client, monkeypatch):
    from tests.admin_forms import change_form_data

    fake_dns(monkeypatch, {"hooks.kaspi.kz": [PUBLIC_ADDRESS]})  # the new URL is checked: no real DNS in tests
    partner, _credentials = kaspi
    url = f"/admin/appeals/partner/{partner.pk}/change/"
    before = partner.webhook_url
    page = admin_client.get(url)

    response = admin_client.post(url, change_form_data(page, webhook_url="https://hooks.kaspi.kz/v2/appeals"))

    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="admin.change", object_type="appeals.partner")
    assert entry.data["fields"] == ["webhook_url"]
    assert entry.data["before"] == {"webhook_url": before}
    assert entry.data["after"] == {"webhook_url": "https://hooks.kaspi.kz/v2/appeals"}
