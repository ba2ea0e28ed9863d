"""The outbox: enqueue a message with its cause, deliver it at least once, dead-letter, replay.

A sender is registered per channel by the app that owns it (`outbox_register_sender("partner_webhook",
send)`); it receives the message and raises on failure: `PermanentFailure` ends the message at once
(a 410 Gone, say), anything else is retried with exponential backoff and full jitter.
"""

import logging
import random
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opscenter.models import OutboxMessage, OutboxStatus, User
from opscenter.services.audit import audit_record

logger = logging.getLogger(__name__)

Sender = Callable[[OutboxMessage], None]
_senders: dict[str, Sender] = {}
_max_attempts: dict[str, int] = {}  # per channel, where a partner's contract asks for more (or fewer)


class PermanentFailure(Exception):
    """The destination will never accept this message: do not retry."""


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
        lambda: deliver_outbox_message.apply_async(args=[str(message_pk)], countdown=countdown), robust=True
    )


def outbox_backoff_seconds(attempts: int) -> float:
    """Exponential backoff with "equal jitter" (AWS Architecture Blog): half of min(cap, base * 2^(n-1))
    fixed, half random, so retries spread out but never come back at once."""
    ceiling = min(settings.OUTBOX_BACKOFF_MAX_SECONDS, settings.OUTBOX_BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
    return random.uniform(ceiling / 2, ceiling)


def outbox_deliver(*, message_pk) -> str:
    """Try one delivery of a due, pending message; returns its status afterwards. Safe to run twice at
    once: the row lock (skipped by others) makes one worker deliver."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_pk, status=OutboxStatus.PENDING)
            .first()
        )
        if message is None:
            return "skipped"
        now = timezone.now()
        if message.next_attempt_at > now:
            return "not_due"
        sender = _senders.get(message.channel)
        message.attempts += 1
        try:
            if sender is None:
                raise LookupError(f"No sender is registered for channel {message.channel!r}.")
            sender(message)
        except PermanentFailure as error:
            message.status, message.last_error = OutboxStatus.DEAD, f"permanent: {error}"[:2000]
        except Exception as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= outbox_max_attempts(message.channel):
                message.status = OutboxStatus.DEAD
            else:
                delay = outbox_backoff_seconds(message.attempts)
                message.next_attempt_at = now + timedelta(seconds=delay)
                _schedule_on_commit(message.pk, countdown=delay)
        else:
            message.status, message.delivered_at, message.last_error = OutboxStatus.DELIVERED, now, ""
        message.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "delivered_at"])
        if message.status == OutboxStatus.DEAD:
            logger.warning("Outbox message %s is a dead letter: %s", message.pk, message.last_error)
        return message.status


def outbox_due_message_pks(*, limit: int = 500) -> list:
    """Pending messages whose time has come: the sweep that covers a retry the broker lost."""
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now())
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
