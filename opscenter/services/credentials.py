"""Device credentials: issue, rotate, revoke and verify the secret of a device or partner."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opscenter.models import DeviceCredential, User
from opscenter.services.audit import audit_record


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def credential_issue(*, kind: str, identifier: str, actor: User | None = None) -> tuple[DeviceCredential, str]:
    """Create the credential of a new device; returns it with the secret, which is never shown again."""
    secret = _new_secret()
    credential = DeviceCredential.objects.create(
        kind=kind, identifier=identifier, secret_digest=_digest(secret), created_at=timezone.now()
    )
    audit_record(actor=actor, action="credential.issue", obj=credential)
    return credential, secret


@transaction.atomic
def credential_rotate(
    *, credential: DeviceCredential, actor: User | None = None, overlap: timedelta | None = None
) -> str:
    """Replace the secret. The old one keeps working for `overlap` (default DEVICE_SECRET_OVERLAP_HOURS)
    so the device can be reconfigured without losing data; returns the new secret.

    Rotating a revoked credential is the one way to put its device back in service: it gets a new
    secret (the revoked one is gone for good) and no overlap."""
    if overlap is None:
        overlap = timedelta(hours=settings.DEVICE_SECRET_OVERLAP_HOURS)
    credential = DeviceCredential.objects.select_for_update().get(pk=credential.pk)
    secret = _new_secret()
    now = timezone.now()
    reactivated = not credential.is_active
    keep_previous = overlap > timedelta(0) and not reactivated
    credential.previous_secret_digest = credential.secret_digest if keep_previous else ""
    credential.previous_valid_until = now + overlap if keep_previous else None
    credential.secret_digest, credential.rotated_at, credential.is_active = _digest(secret), now, True
    credential.save()
    data = {"overlap_s": overlap.total_seconds() if keep_previous else 0.0, "reactivated": reactivated}
    audit_record(actor=actor, action="credential.rotate", obj=credential, data=data)
    return secret


@transaction.atomic
def credential_revoke(*, credential: DeviceCredential, actor: User | None = None) -> None:
    """Revoke for good: both digests are destroyed, so no later edit (admin, SQL) can bring the old secret
    back. Only `credential_rotate` gives the device a working secret again, a new one."""
    DeviceCredential.objects.filter(pk=credential.pk).update(
        is_active=False, secret_digest=_destroyed_digest(), previous_secret_digest="", previous_valid_until=None
    )
    audit_record(actor=actor, action="credential.revoke", obj=credential)


def _destroyed_digest() -> str:
    """Unique (the column is), and never equal to a SHA-256 hex digest: it is not hexadecimal."""
    return "revoked-" + secrets.token_hex(28)


def credential_verify(*, secret: str, kind: str | None = None) -> DeviceCredential | None:
    """The active credential this secret belongs to (current, or previous within its overlap), or None.

    Looked up by digest, so the time taken says nothing about how close a guess was. Writes nothing: a
    request can still be refused after this (another device's data, another kind); `credential_used`
    records the use once the request succeeded.
    """
    if not secret:
        return None
    digest = _digest(secret)
    now = timezone.now()
    credentials = DeviceCredential.objects.filter(is_active=True).filter(
        Q(secret_digest=digest) | Q(previous_secret_digest=digest, previous_valid_until__gt=now)
    )
    if kind is not None:
        credentials = credentials.filter(kind=kind)
    return credentials.first()


def credential_used(*, credential: DeviceCredential, now: datetime | None = None) -> None:
    """Record that the credential served a request that succeeded."""
    now = now or timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > timedelta(minutes=1):
        # Throttled so that a device posting every second does not write every second.
        DeviceCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now
