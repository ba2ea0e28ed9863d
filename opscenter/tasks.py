"""Thin Celery tasks of the spine: each loads what it needs and calls a service; each is idempotent."""

from celery import shared_task

from opscenter.services.alerts import alerts_escalate_overdue
from opscenter.services.audit_chain import audit_seal
from opscenter.services.outbox import outbox_deliver, outbox_due_message_pks
from opscenter.services.retention import alerts_purge_expired


@shared_task(ignore_result=True)
def escalate_alerts() -> int:
    return alerts_escalate_overdue()


@shared_task(ignore_result=True)
def deliver_outbox_message(message_pk: str) -> str:
    return outbox_deliver(message_pk=message_pk)


@shared_task(ignore_result=True)
def deliver_due_outbox() -> int:
    pks = outbox_due_message_pks()
    for pk in pks:
        deliver_outbox_message.delay(str(pk))
    return len(pks)


@shared_task(ignore_result=True)
def purge_alerts() -> int:
    return alerts_purge_expired()


@shared_task(ignore_result=True)
def seal_audit() -> int:
    return audit_seal()


@shared_task(ignore_result=True)
def unit_position_publish(unit_pk: int) -> None:
    """The position a unit reported within the last interval, folded into one message (services.units)."""
    from opscenter.services.units import unit_position_publish_due

    unit_position_publish_due(unit_pk)
