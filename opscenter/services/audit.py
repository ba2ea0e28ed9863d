"""Recording the audit. Every service that changes state calls `audit_record`; reads of personal data
go through `audit_personal_data_read`, which refuses without a reason."""

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db import models
from django.utils import timezone

from opscenter.errors import ReasonRequired
from opscenter.models import AuditEntry, User

_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_address", default=None)


@contextlib.contextmanager
def audit_context(*, address: str | None) -> Iterator[None]:
    """Within the block, audit entries carry `address` (set per request by AuditContextMiddleware)."""
    token = _address.set(address)
    try:
        yield
    finally:
        _address.reset(token)


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    actor_label: str = "",
    address: str | None = None,
) -> AuditEntry:
    """Append one entry. `actor_label` names a non-person actor (a device, a task) when actor is None."""
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.get_username() if actor is not None and actor.pk else (actor_label or "system"),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        reason=reason[:500],
        address=address or _address.get(),
        data=data or {},
    )


def audit_personal_data_read(
    *, actor: User, obj: models.Model, reason: str, what: str = "", data: dict[str, Any] | None = None
) -> AuditEntry:
    """Record that `actor` saw personal data of `obj`, for `reason` (a case number or a purpose).

    Raises ReasonRequired when the reason is blank: the caller must not show the data then.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    return audit_record(
        actor=actor, action="personal_data.read", obj=obj, reason=reason, data={"what": what, **(data or {})}
    )
