"""Periodic work of the alarms app."""

from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from alarms.services import events_alert, frames_purge, panels_supervise


@shared_task(ignore_result=True)
def supervise_panels() -> int:
    return panels_supervise()


@shared_task(ignore_result=True)
def alert_due_events(now: datetime | None = None) -> int:
    """The sweep: alerts of alarm events committed without them (their receiver died before raising them)."""
    since = (now or timezone.now()) - timedelta(seconds=settings.SIA_ALERT_SWEEP_AFTER_SECONDS)
    return events_alert(received_before=since)


@shared_task(ignore_result=True)
def purge_frames() -> int:
    return frames_purge()
