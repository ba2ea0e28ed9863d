"""Idempotency-Key handling for partner POSTs: claim a key before the work, store the response with the
work, release the key when the request is refused (so that nothing is stored)."""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.models import IdempotencyKey, IdempotencyState, Partner
from opscenter.errors import DomainError
from opscenter.parsers import json_loads


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status_code = 422
    default_detail = _("This Idempotency-Key was already used with another request body.")


class IdempotencyKeyInProgress(DomainError):
    code = "idempotency_key_in_progress"
    status_code = 409
    default_detail = _("A request with this Idempotency-Key is still being processed; retry later.")


@dataclass(frozen=True)
class Claim:
    """The key this request now holds, or the stored response of the first request with it."""

    key: IdempotencyKey | None = None
    replay_status: int | None = None
    replay_body: dict | None = None

    @property
    def is_replay(self) -> bool:
        return self.key is None


def request_hash(*, method: str, path: str, body: bytes) -> str:
    """The hash a retry must match. JSON is hashed in canonical form, so that a retry serialized with other
    spacing or key order is still the same request."""
    try:
        canonical = json.dumps(json_loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(f"{method.upper()} {path}\n".encode() + canonical).hexdigest()


def idempotency_claim(*, partner: Partner, key: str, request_hash: str) -> Claim:
    """Claim `key` for this request, committed at once so that a concurrent retry sees it.

    Returns the stored response when the key's request completed with the same hash; raises
    IdempotencyKeyReused (422) for another hash and IdempotencyKeyInProgress (409) while the first request
    runs. A claim older than APPEALS_IDEMPOTENCY_LOCK_SECONDS (its request died) and an expired key are
    taken over.
    """
    now = timezone.now()
    token = uuid.uuid4()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                created = IdempotencyKey.objects.create(
                    partner=partner,
                    key=key,
                    request_hash=request_hash,
                    state=IdempotencyState.IN_PROGRESS,
                    lock_token=token,
                    locked_at=now,
                    created_at=now,
                    expires_at=now + timedelta(hours=settings.APPEALS_IDEMPOTENCY_TTL_HOURS),
                )
            return Claim(key=created)
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(partner=partner, key=key).first()
        if existing is None:
            continue  # released meanwhile: claim again
        if existing.expires_at <= now:
            IdempotencyKey.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
            continue
        if existing.request_hash != request_hash:
            raise IdempotencyKeyReused()
        if existing.state == IdempotencyState.COMPLETED:
            return Claim(replay_status=existing.response_status, replay_body=existing.response_body)
        stale_before = now - timedelta(seconds=settings.APPEALS_IDEMPOTENCY_LOCK_SECONDS)
        taken = IdempotencyKey.objects.filter(
            pk=existing.pk, state=IdempotencyState.IN_PROGRESS, locked_at__lt=stale_before
        ).update(lock_token=token, locked_at=now)
        if taken:
            existing.lock_token, existing.locked_at = token, now
            return Claim(key=existing)
        raise IdempotencyKeyInProgress()
    raise IdempotencyKeyInProgress()


def idempotency_complete(*, key: IdempotencyKey, status: int, body: dict) -> None:
    """Store the response. Call inside the transaction of the work, so both commit or neither does.
    Raises IdempotencyKeyInProgress when another request took the key over meanwhile (this one ran
    past the lock timeout): the work then rolls back."""
    updated = IdempotencyKey.objects.filter(
        pk=key.pk, state=IdempotencyState.IN_PROGRESS, lock_token=key.lock_token
    ).update(state=IdempotencyState.COMPLETED, response_status=status, response_body=body, lock_token=None)
    if not updated:
        raise IdempotencyKeyInProgress()


def idempotency_release(*, key: IdempotencyKey) -> None:
    """Forget a claim whose request was refused, so that the partner may correct it and retry."""
    IdempotencyKey.objects.filter(pk=key.pk, state=IdempotencyState.IN_PROGRESS, lock_token=key.lock_token).delete()


def idempotency_purge_expired(*, now=None) -> int:
    return IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()[0]
