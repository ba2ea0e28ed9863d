"""Retention: a supervised person's positions are kept for BRACELET_POSITION_RETENTION_DAYS after their
court order ends (or, with no order, after they were received), unless linked to a case."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from bracelets.models import Position
from opscenter.services.audit import audit_record

BATCH = 5000


def positions_purge(*, now: datetime | None = None) -> int:
    """Delete expired positions in batches (a task may run this again at any time). Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=getattr(settings, "BRACELET_POSITION_RETENTION_DAYS", 180))
    expired = Position.objects.filter(case_number="").filter(
        Q(order__ends_at__lt=cutoff) | Q(order__isnull=True, received_at__lt=cutoff)
    )
    deleted = 0
    while True:
        pks = list(expired.values_list("pk", flat=True)[:BATCH])
        if not pks:
            break
        deleted += Position.objects.filter(pk__in=pks).delete()[0]
    if deleted:
        audit_record(actor=None, actor_label="retention", action="bracelets.positions.purge",
                     data={"deleted": deleted, "cutoff": cutoff.isoformat()})  # fmt: skip
    return deleted
