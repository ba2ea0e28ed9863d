"""Periodic work of the bracelets app: supervision (pending breaches, GPS and signal loss) and retention."""

from celery import shared_task

from bracelets.services.evaluation import bracelets_supervise
from bracelets.services.retention import positions_purge


@shared_task(ignore_result=True)
def supervise_bracelets() -> int:
    return bracelets_supervise()


@shared_task(ignore_result=True)
def purge_positions() -> int:
    return positions_purge()
