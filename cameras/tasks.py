"""Periodic work of the cameras app: the health of cameras that only push, and retention."""

from celery import shared_task

from cameras.services.health import pushing_cameras_supervise
from cameras.services.retention import events_purge


@shared_task(ignore_result=True)
def supervise_pushing() -> int:
    return pushing_cameras_supervise()


@shared_task(ignore_result=True)
def purge_events() -> int:
    return events_purge()
