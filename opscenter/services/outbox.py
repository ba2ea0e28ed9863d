"""The outbox: enqueue a message with its cause, deliver it at least once, dead-letter, replay.

A sender is registered per channel by the app that owns it (`outbox_register_sender("partner_webhook",
send)`); it receives the message, returns the status code the other side answered (or None), and raises
on failure: `PermanentFailure` ends the message at once (a 410 Gone, say), anything else is retried with
exponential backoff and jitter. An exception may carry the answer's `status_code`; it is kept with the
attempt.

Delivery holds no transaction while the sender talks to the outside (Saleor's webhook transport): a
short transaction claims the message under a lease and records the attempt, the sender runs in
autocommit, a second short transaction records the result, if the lease is still this worker's.
"""

import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from opscenter.models import OutboxAttempt, OutboxAttemptOutcome, OutboxMessage, OutboxStatus, User
from opscenter.services.audit import audit_record

logger = logging.getLogger(__name__)

Sender = Callable[[OutboxMessage], int | None]
_senders: dict[str, Sender] = {}
_max_attempts: dict[str, int] = {}  # per channel, where a partner's contract asks for more (or fewer)
WORKER = f"{socket.gethostname()}:{os.getpid()}"


class PermanentFailure(Exception):
    """The destination will never accept this message: do not retry."""

    def __init__(self, *args, status_code: int | None = None) -> None:
        super().__init__(*args)
        self.status_code = status_code


def outbox_register_sender(channel: str, sender: Sender, *, max_attempts: int | None = None) -> None:
    """Deliver `channel`'s messages with `sender`; `max_attempts` overrides OUTBOX_MAX_ATTEMPTS for it
    (the backoff doubles up to OUTBOX_BACKOFF_MAX_SECONDS, so attempts decide how long retries last)."""
    _senders[channel] = sender
    if max_attempts is not None:
        _max_attempts[channel] = max_attempts
    else:
        _max_attempts.pop(channel, None)


def outbox_max_attempts(channel: str) -> int:
    return _max_attempts.get(channel, settings.OUTBOX_MAX_ATTEMPTS)


def outbox_enqueue(*, channel: str, payload: dict, destination: str = "") -> OutboxMessage:
    """Write a message in the caller's transaction; delivery is queued only once it commits."""
    now = timezone.now()
    message = OutboxMessage.objects.create(
        channel=channel, destination=destination, payload=payload, created_at=now, next_attempt_at=now
    )
    _schedule_on_commit(message.pk)
    return message


def _schedule_on_commit(message_pk, countdown: float = 0) -> None:
    from opscenter.tasks import deliver_outbox_message

    transaction.on_commit(
        lambda: deliver_outbox_message.apply_async(args=(str(message_pk),), countdown=countdown), robust=True
    )


def outbox_backoff_seconds(attempts: int) -> float:
    """Exponential backoff with "equal jitter" (AWS Architecture Blog): half of min(cap, base * 2^(n-1))
    fixed, half random, so retries spread out but never come back at once."""
    ceiling = min(settings.OUTBOX_BACKOFF_MAX_SECONDS, settings.OUTBOX_BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
    return random.uniform(ceiling / 2, ceiling)


def _claimable(now) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


@transaction.atomic
def outbox_claim(*, message_pk, worker: str = WORKER) -> tuple[OutboxMessage | None, str]:
    """Take a due, pending message whose lease (if any) has run out, for OUTBOX_LEASE_SECONDS, and write
    its attempt; commits before anything is sent. Returns the message and its new `claim_token`, or None
    and why not: "skipped" (delivered, dead or gone), "not_due", "leased" (another worker has it)."""
    now = timezone.now()
    token = uuid.uuid4()
    claimed = (
        OutboxMessage.objects.filter(_claimable(now), pk=message_pk).update(
            claim_token=token,
            claimed_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
            claimed_by=worker[:200],
            attempts=F("attempts") + 1,
        )
        == 1
    )  # one conditional UPDATE: of two workers claiming at once, exactly one matches
    message = OutboxMessage.objects.filter(pk=message_pk).first()
    if not claimed:
        if message is None or message.status != OutboxStatus.PENDING:
            return None, "skipped"
        return None, "not_due" if message.next_attempt_at > now else "leased"
    assert message is not None
    # The attempts of a worker that never came back: their lease ran out, this claim replaces them.
    OutboxAttempt.objects.filter(message=message, outcome=OutboxAttemptOutcome.SENDING).update(
        outcome=OutboxAttemptOutcome.LEASE_EXPIRED
    )
    OutboxAttempt.objects.create(
        message=message, number=message.attempts, claim_token=token, worker=worker[:200], started_at=now
    )
    return message, str(token)


def outbox_deliver(*, message_pk, worker: str = WORKER) -> str:
    """Try one delivery of a due, pending message; returns its status afterwards (or why nothing was sent:
    see outbox_claim; "late" when the lease had passed to another worker before the result came). Safe to
    run twice at once: the lease makes one worker send."""
    message, token = outbox_claim(message_pk=message_pk, worker=worker)
    if message is None:
        return token
    sender = _senders.get(message.channel)
    started = time.monotonic()
    status_code: int | None = None
    error: Exception | None = None
    try:
        if sender is None:
            raise LookupError(f"No sender is registered for channel {message.channel!r}.")
        status_code = sender(message)  # no transaction is open here: a slow partner holds no lock
    except Exception as failure:
        error = failure
        status_code = getattr(failure, "status_code", None)
    return outbox_record_attempt(
        message_pk=message.pk,
        claim_token=token,
        duration_ms=round((time.monotonic() - started) * 1000),
        status_code=status_code,
        error=error,
    )


@transaction.atomic
def outbox_record_attempt(
    *, message_pk, claim_token: str, duration_ms: int, status_code: int | None, error: Exception | None
) -> str:
    """Record a send's result on its attempt and, if the lease is still `claim_token`'s, on the message:
    delivered, retried later with backoff, or a dead letter. Returns the message's status, or "late"."""
    now = timezone.now()
    message = OutboxMessage.objects.select_for_update().get(pk=message_pk)
    attempt = OutboxAttempt.objects.select_for_update().get(claim_token=claim_token)
    attempt.finished_at, attempt.duration_ms, attempt.status_code = now, duration_ms, status_code
    if error is None:
        attempt.outcome, attempt.error = OutboxAttemptOutcome.DELIVERED, ""
    elif isinstance(error, PermanentFailure):
        attempt.outcome, attempt.error = OutboxAttemptOutcome.DEAD, f"permanent: {error}"[:2000]
    else:
        attempt.error = f"{type(error).__name__}: {error}"[:2000]
        exhausted = message.attempts >= outbox_max_attempts(message.channel)
        attempt.outcome = OutboxAttemptOutcome.DEAD if exhausted else OutboxAttemptOutcome.FAILED
    if message.claim_token is None or str(message.claim_token) != claim_token:
        # Our lease ran out and another worker took the message over (or it was replayed): its result is
        # the one that counts. This one is kept on the attempt only.
        attempt.late = True
        attempt.save()
        logger.warning("Outbox message %s: a late result of attempt %s was not applied", message.pk, attempt.number)
        return "late"
    attempt.save()
    message.claim_token, message.claimed_until, message.claimed_by = None, None, ""
    if attempt.outcome == OutboxAttemptOutcome.DELIVERED:
        message.status, message.delivered_at, message.last_error = OutboxStatus.DELIVERED, now, ""
    else:
        message.last_error = attempt.error
        if attempt.outcome == OutboxAttemptOutcome.DEAD:
            message.status = OutboxStatus.DEAD
            logger.warning("Outbox message %s is a dead letter: %s", message.pk, message.last_error)
        else:
            delay = outbox_backoff_seconds(message.attempts)
            message.next_attempt_at = now + timedelta(seconds=delay)
            _schedule_on_commit(message.pk, countdown=delay)
    message.save(
        update_fields=[
            "status",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "claim_token",
            "claimed_until",
            "claimed_by",
        ]
    )
    return message.status


def outbox_due_message_pks(*, limit: int = 500) -> list:
    """Pending messages whose time has come and whose lease (if any) has run out: the sweep that covers a
    retry the broker lost and a worker that died mid-send."""
    return list(
        OutboxMessage.objects.filter(_claimable(timezone.now()))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def outbox_replay(*, message: OutboxMessage, actor: User) -> OutboxMessage:
    """Give a dead letter (or a stuck message) a fresh set of attempts."""
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(actor=actor, action="outbox.replay", obj=message)
    _schedule_on_commit(message.pk)
    return message
