"""The outbox: written with its cause, delivered at least once with backoff, dead letter, replay."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from opscenter.models import AuditEntry, OutboxAttempt, OutboxAttemptOutcome, OutboxMessage, OutboxStatus
from opscenter.services import outbox
from opscenter.services.outbox import (
    PermanentFailure,
    outbox_backoff_seconds,
    outbox_claim,
    outbox_deliver,
    outbox_due_message_pks,
    outbox_enqueue,
    outbox_record_attempt,
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


# --- delivery outside transactions: a lease, a send in autocommit, the result in a second transaction ---


def due_message(**fields) -> OutboxMessage:
    now = timezone.now()
    return OutboxMessage.objects.create(channel="test", payload={}, created_at=now, next_attempt_at=now, **fields)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sender_runs_with_no_transaction_open_and_the_claim_already_committed(sender, monkeypatch):
    """A partner hanging on the line holds no row lock and no open transaction; what other connections
    see meanwhile is the committed lease."""
    seen = {}

    def send(message):
        seen["in_atomic_block"] = connection.in_atomic_block

        def look_from_another_connection():
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute(
                        "SELECT claim_token, claimed_by FROM opscenter_outboxmessage WHERE id = %s",
                        [message.pk.hex if other.vendor == "sqlite" else message.pk],
                    )
                    seen["row"] = cursor.fetchone()
            finally:
                other.close()

        thread = threading.Thread(target=look_from_another_connection)
        thread.start()
        thread.join(10)
        return 204

    outbox_register_sender("test", send)
    message = due_message()

    assert outbox_deliver(message_pk=message.pk, worker="worker-a") == OutboxStatus.DELIVERED
    assert seen["in_atomic_block"] is False
    token, claimed_by = seen["row"]
    assert token is not None and claimed_by == "worker-a"
    message.refresh_from_db()
    assert (message.claim_token, message.claimed_until, message.claimed_by) == (None, None, "")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_while_one_worker_sends_another_does_not_send_the_message(sender, monkeypatch):
    calls = []

    def send(message):
        calls.append(message.pk)
        if len(calls) == 1:  # a second worker picks the same message up meanwhile (a duplicate task)
            calls.append(outbox_deliver(message_pk=message.pk, worker="worker-b"))
        return 200

    outbox_register_sender("test", send)
    message = due_message()
    assert outbox_deliver(message_pk=message.pk, worker="worker-a") == OutboxStatus.DELIVERED
    assert calls == [message.pk, "leased"]
    assert OutboxAttempt.objects.filter(message=message).count() == 1


def test_an_expired_lease_is_claimed_again_and_the_stale_workers_late_result_changes_nothing(sender):
    message = due_message()
    claimed, stale_token = outbox_claim(message_pk=message.pk, worker="worker-a")
    assert claimed is not None
    assert outbox_claim(message_pk=message.pk, worker="worker-b") == (None, "leased")
    assert outbox_due_message_pks() == []  # the sweep leaves a leased message alone

    # worker-a hangs past its lease: the sweep finds the message again and worker-b delivers it
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert outbox_due_message_pks() == [message.pk]
    assert outbox_deliver(message_pk=message.pk, worker="worker-b") == OutboxStatus.DELIVERED
    first = OutboxAttempt.objects.get(claim_token=stale_token)
    assert first.outcome == OutboxAttemptOutcome.LEASE_EXPIRED

    # worker-a finally comes back with a failure: kept on its attempt, not applied to the message
    result = outbox_record_attempt(
        message_pk=message.pk,
        claim_token=stale_token,
        duration_ms=130_000,
        status_code=504,
        error=ConnectionError("timed out"),
    )
    assert result == "late"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.DELIVERED, 2, "")
    first.refresh_from_db()
    assert (first.late, first.status_code, first.duration_ms, first.worker) == (True, 504, 130_000, "worker-a")
    assert first.error == "ConnectionError: timed out"
    assert [(a.number, a.worker, a.outcome, a.late) for a in OutboxAttempt.objects.filter(message=message)] == [
        (1, "worker-a", OutboxAttemptOutcome.FAILED, True),
        (2, "worker-b", OutboxAttemptOutcome.DELIVERED, False),
    ]


class Answering:
    """A sender that answers like an HTTP endpoint: a status code, or an error carrying one."""

    def __init__(self, answers):
        self.answers = list(answers)

    def __call__(self, message):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_every_attempt_is_kept_with_its_time_duration_and_status_code_or_error(sender, monkeypatch):
    failure = ConnectionError("HTTP 503")
    failure.status_code = 503
    outbox_register_sender("test", Answering([failure, ConnectionError("connection refused"), 204]))
    message = due_message()
    for _ in range(3):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        outbox_deliver(message_pk=message.pk, worker="worker-a")

    attempts = list(OutboxAttempt.objects.filter(message=message))
    assert [(a.number, a.outcome, a.status_code, a.error) for a in attempts] == [
        (1, OutboxAttemptOutcome.FAILED, 503, "ConnectionError: HTTP 503"),
        (2, OutboxAttemptOutcome.FAILED, None, "ConnectionError: connection refused"),
        (3, OutboxAttemptOutcome.DELIVERED, 204, ""),
    ]
    for attempt in attempts:
        assert attempt.started_at <= attempt.finished_at
        assert attempt.duration_ms is not None and attempt.duration_ms >= 0
        assert (attempt.worker, attempt.late) == ("worker-a", False)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DELIVERED, 3)


def test_a_permanent_failure_and_the_last_attempt_are_dead_on_the_attempt_too(sender, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    outbox_register_sender("test", Answering([PermanentFailure("410 Gone", status_code=410)]))
    gone = due_message()
    assert outbox_deliver(message_pk=gone.pk) == OutboxStatus.DEAD
    outbox_register_sender("test", Answering([ConnectionError("down")]))
    exhausted = due_message()
    assert outbox_deliver(message_pk=exhausted.pk) == OutboxStatus.DEAD
    assert [(a.outcome, a.status_code, a.error) for a in OutboxAttempt.objects.order_by("started_at")] == [
        (OutboxAttemptOutcome.DEAD, 410, "permanent: 410 Gone"),
        (OutboxAttemptOutcome.DEAD, None, "ConnectionError: down"),
    ]


def test_a_worker_that_died_mid_send_leaves_its_attempt(sender):
    message = due_message()
    outbox_claim(message_pk=message.pk, worker="worker-a")  # and then the process was killed
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now())
    assert outbox_deliver(message_pk=message.pk, worker="worker-b") == OutboxStatus.DELIVERED
    assert [(a.worker, a.outcome, a.finished_at is None) for a in OutboxAttempt.objects.filter(message=message)] == [
        ("worker-a", OutboxAttemptOutcome.LEASE_EXPIRED, True),
        ("worker-b", OutboxAttemptOutcome.DELIVERED, False),
    ]


def test_the_admin_shows_a_messages_attempts(sender, admin_client):
    outbox_register_sender("test", Answering([PermanentFailure("410 Gone", status_code=410)]))
    message = due_message()
    outbox_deliver(message_pk=message.pk, worker="worker-a")
    page = admin_client.get(f"/admin/opscenter/outboxmessage/{message.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'id="attempt_log-group"' in content  # the inline of attempts, whatever the admin's language
    assert "permanent: 410 Gone" in content and "410" in content and "worker-a" in content
