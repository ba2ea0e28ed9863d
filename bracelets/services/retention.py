"""Retention: a supervised person's positions are kept for BRACELET_POSITION_RETENTION_DAYS after their
court order ends (or, with no order, after they were received), unless linked to a case. The alerts of
the violations in the purged period go with them: their payload, timeline data and place (a position)
are redacted."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from bracelets.models import Position, Violation
from opscenter.services.audit import audit_record
from opscenter.services.retention import alerts_redact

BATCH = 5000


def positions_purge(*, now: datetime | None = None) -> int:
    """Delete expired positions in batches (a task may run this again at any time). Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=getattr(settings, "BRACELET_POSITION_RETENTION_DAYS", 180))
    expired = Position.objects.filter(case_number="").filter(
        Q(order__ends_at__lt=cutoff) | Q(order__isnull=True, received_at__lt=cutoff)
    )
    deleted = redacted = 0
    while True:
        pks = list(expired.values_list("pk", flat=True)[:BATCH])
        if not pks:
            break
        batch = Position.objects.filter(pk__in=pks)
        # Up to the last purged fix of each person, their violations' alerts hold purged positions.
        reach = batch.filter(person__isnull=False).values("person_id").annotate(last=Max("fix_time")).order_by()
        alert_pks: set[int] = set()
        for row in reach:
            alert_pks.update(
                Violation.objects.filter(
                    person_id=row["person_id"], started_at__lte=row["last"], alert__isnull=False
                ).values_list("alert_id", flat=True)
            )
        redacted += alerts_redact(alert_pks=alert_pks, place=True, actor_label="retention", now=now)
        deleted += batch.delete()[0]
    if deleted:
        audit_record(
            actor=None,
            actor_label="retention",
            action="bracelets.positions.purge",
            data={"deleted": deleted, "alerts_redacted": redacted, "cutoff": cutoff.isoformat()},
        )
    return deleted
