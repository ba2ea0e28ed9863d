"""The outbox: messages to outside systems, written with their cause and delivered later, and every attempt
at delivering them."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Dead letter")


class OutboxMessage(models.Model):
    """A message to an outside system (a partner webhook, an ЕРАП case). Written in the same transaction
    as the change that causes it; delivered at least once by a Celery task with backoff; after the last
    attempt it becomes a dead letter an admin can replay. Its `pk` is the stable id receivers dedup on.

    A worker sends it under a lease: it claims the message (a fresh `claim_token`, `claimed_until`) and
    commits, sends with no transaction open, and records the result only if the token is still its own.
    Another worker does not send a message whose lease runs; once the lease has run out (the worker died
    or hung), the message may be claimed again, and the first worker's late result changes nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(
        _("channel"), max_length=64, db_index=True, help_text=_("Names the sender that delivers it.")
    )
    destination = models.CharField(_("destination"), max_length=500, blank=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"))
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    claim_token = models.UUIDField(_("lease token"), null=True, blank=True, editable=False)
    claimed_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    claimed_by = models.CharField(_("leased by"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.pk}"


class OutboxAttemptOutcome(models.TextChoices):
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, to be retried")
    DEAD = "dead", _("Failed for good")
    LEASE_EXPIRED = "lease_expired", _("No result before the lease ran out")


class OutboxAttempt(models.Model):
    """One try at delivering an outbox message, kept for good: when it started, how long it took, what the
    other side answered (a status code) or what went wrong, and which worker made it. It is written when
    the message is claimed, so a worker that dies mid-send still leaves its attempt (as `lease_expired`
    once the message is claimed again); `late` marks a result that came after another worker had taken
    the message over and was therefore not applied to it."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt"))
    claim_token = models.UUIDField(_("lease token"), unique=True, editable=False)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=OutboxAttemptOutcome.choices, default=OutboxAttemptOutcome.SENDING
    )
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    late = models.BooleanField(
        _("late"), default=False, help_text=_("Came after the lease had passed to another worker.")
    )

    class Meta:
        ordering = ["message", "started_at"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.message_id} #{self.number}"
