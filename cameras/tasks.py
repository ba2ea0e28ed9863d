"""Periodic work of the cameras app: retention."""

from celery import shared_task

from cameras.services.retention import events_purge


@shared_task(ignore_result=True)
def purge_events() -> int:
    return events_purge()
