"""Periodic work of the alarms app."""

from celery import shared_task

from alarms.services import frames_purge, panels_supervise


@shared_task(ignore_result=True)
def supervise_panels() -> int:
    return panels_supervise()


@shared_task(ignore_result=True)
def purge_frames() -> int:
    return frames_purge()
