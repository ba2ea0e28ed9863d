"""Thin Celery tasks of the appeals app; each idempotent."""

from celery import shared_task

from appeals.services.attachments import attachments_purge_orphans
from appeals.services.idempotency import idempotency_purge_expired


@shared_task(ignore_result=True)
def purge_leftovers() -> dict:
    """Expired idempotency keys, and attachments no appeal named."""
    return {"idempotency_keys": idempotency_purge_expired(), "attachments": attachments_purge_orphans()}
