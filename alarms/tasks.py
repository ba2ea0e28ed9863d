"""Periodic work of the alarms app."""

from celery import shared_task

from alarms.services import panels_supervise


@shared_task(ignore_result=True)
def supervise_panels() -> int:
    return panels_supervise()
