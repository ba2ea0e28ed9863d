"""The outbox: written with its cause, delivered at least once with backoff, dead letter, replay."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from opscenter.models import AuditEntry, OutboxMessage, OutboxStatus
from opscenter.services import outbox
from opscenter.services.outbox import (
    PermanentFailure,
    outbox_backoff_seconds,
    outbox_deliver,
    outbox_enqueue,
    outbox_register_sender,
    outbox_replay,
)
from opscenter.tasks import deliver_due_outbox

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self, failures=0, error=ConnectionError):
        self.failures, self.error, self.delivered = failures, error, []

    def __call__(self, message):
        if self.failures:
            self.failures -= 1
            raise self.error("partner down")
        self.delivered.append((str(message.pk), message.payload))


@pytest.fixture
def sender(monkeypatch):
    monkeypatch.setattr(outbox, "_senders", {})
    monkeypatch.setattr(outbox, "_max_attempts", {})
    recorder = Recorder()
    outbox_register_sender("test", recorder)
    return recorder


def test_a_message_is_not_written_when_its_cause_rolls_back(sender):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(channel="test", payload={"n": 1})
        raise RuntimeError("the cause failed")
    assert OutboxMessage.objects.count() == 0
    assert sender.delivered == []


def test_delivery_happens_after_commit(sender, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = outbox_enqueue(channel="test", payload={"n": 1})
    assert sender.delivered == []

    for callback in callbacks:
        callback()  # eager Celery: the delivery task runs here

    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    assert sender.delivered == [(str(message.pk), {"n": 1})]


def test_a_failure_is_retried_later_with_backoff(sender, settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 30
    sender.failures = 1
    message = outbox_enqueue(channel="test", payload={})

    assert outbox_deliver(message_pk=message.pk) == OutboxStatus.PENDING
    message.refresh_from_db()
    assert message.attempts == 1
    assert "partner down" in message.last_error
    assert 15 <= (message.next_attempt_at - timezone.now()).total_seconds() <= 30
    assert outbox_deliver(message_pk=message.pk) == "not_due"

    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver(message_pk=message.pk) == OutboxStatus.DELIVERED
    assert len(sender.delivered) == 1


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS, settings.OUTBOX_BACKOFF_MAX_SECONDS = 10, 300
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (6, 300), (20, 300)]:
        delays = [outbox_backoff_seconds(attempts) for _ in range(50)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(set(delays)) > 1


def test_after_the_last_attempt_the_message_is_a_dead_letter(sender, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    sender.failures = 99
    message = outbox_enqueue(channel="test", payload={})
    for _ in range(3):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        outbox_deliver(message_pk=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 3)


def test_a_channel_may_ask_for_more_attempts_than_the_default(sender, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    outbox_register_sender("patient", sender, max_attempts=4)
    sender.failures = 99
    message = outbox_enqueue(channel="patient", payload={})
    for _ in range(4):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        outbox_deliver(message_pk=message.pk)
        message.refresh_from_db()
        if message.attempts < 4:
            assert message.status == OutboxStatus.PENDING
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 4)


def test_a_permanent_failure_is_a_dead_letter_at_once(sender, django_capture_on_commit_callbacks):
    sender.failures, sender.error = 1, PermanentFailure
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(channel="test", payload={})
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 1)


def test_a_message_with_no_sender_waits_rather_than_vanishes(sender, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(channel="nobody", payload={})
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert "No sender" in message.last_error


def test_replay_gives_a_dead_letter_fresh_attempts(sender, administrator, django_capture_on_commit_callbacks):
    sender.failures, sender.error = 1, PermanentFailure
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(channel="test", payload={"n": 7})
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD

    with django_capture_on_commit_callbacks(execute=True):
        outbox_replay(message=message, actor=administrator)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DELIVERED, 1)
    assert sender.delivered == [(str(message.pk), {"n": 7})]
    assert AuditEntry.objects.filter(action="outbox.replay", actor=administrator).count() == 1


def test_a_delivered_message_is_not_sent_again(sender):
    message = outbox_enqueue(channel="test", payload={})
    assert outbox_deliver(message_pk=message.pk) == OutboxStatus.DELIVERED
    assert outbox_deliver(message_pk=message.pk) == "skipped"
    assert len(sender.delivered) == 1


def test_the_sweep_delivers_due_messages_the_broker_lost(sender):
    message = OutboxMessage.objects.create(
        channel="test", payload={}, created_at=timezone.now(), next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert deliver_due_outbox.apply().get() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED


def test_the_admin_replay_action(sender, admin_client, django_capture_on_commit_callbacks):
    sender.failures, sender.error = 1, PermanentFailure
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(channel="test", payload={})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/opscenter/outboxmessage/", {"action": "replay", "_selected_action": [str(message.pk)]}
        )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
