"""Retention of alerts: a resolved alert keeps its payload and the data and texts of its timeline for
ALERT_RETENTION_DAYS after it was resolved; then the purge empties them, keeping what happened, when and
by whom (the lifecycle's columns and the timeline's actions). An app whose own retention removes what
an alert refers to (a bracelet's positions) redacts that alert at once, its place included."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opscenter.models import Alert, AlertEvent
from opscenter.services.audit import audit_record
from opscenter.services.live import publish_alert_on_commit

BATCH = 1000


def alerts_redact(
    *, alert_pks: Iterable[int], place: bool = False, actor_label: str = "retention", now: datetime | None = None
) -> int:
    """Empty the payload of these alerts and the data and texts of their timelines; with `place`, also
    their coordinates and address (a person's position). Returns how many alerts were redacted; an alert
    already redacted is left alone unless its place is to go too."""
    now = now or timezone.now()
    pks = sorted(set(alert_pks))
    redacted = 0
    for start in range(0, len(pks), BATCH):
        with transaction.atomic():
            alerts = Alert.objects.filter(pk__in=pks[start : start + BATCH])
            if place:
                alerts = alerts.exclude(redacted_at__isnull=False, latitude__isnull=True, address="")
            else:
                alerts = alerts.filter(redacted_at__isnull=True)
            batch = list(alerts.select_for_update().values_list("pk", flat=True))
            if not batch:
                continue
            fields: dict = {"payload": {}, "redacted_at": now, "updated_at": now}
            if place:
                fields.update(latitude=None, longitude=None, address="")
            Alert.objects.filter(pk__in=batch).update(**fields)
            AlertEvent.objects.filter(alert_id__in=batch).update(data={}, text="")
            audit_record(
                actor=None, actor_label=actor_label, action="alert.redact", data={"alerts": batch, "place": place}
            )
            for alert in (
                Alert.objects.filter(pk__in=batch)
                .exclude(status="resolved")
                .select_related("center", "district", "acknowledged_by", "dispatched_by", "resolved_by")
            ):
                publish_alert_on_commit(alert)  # an open one's screens drop what it no longer holds
            redacted += len(batch)
    return redacted


def alerts_purge_expired(*, now: datetime | None = None) -> int:
    """Redact the alerts resolved more than ALERT_RETENTION_DAYS ago (a task may run this at any time)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ALERT_RETENTION_DAYS)
    due = Alert.objects.filter(redacted_at__isnull=True, resolved_at__lt=cutoff).values_list("pk", flat=True)
    return alerts_redact(alert_pks=list(due), now=now)
