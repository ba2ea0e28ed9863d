"""System checks of the spine's settings that no single setting can check alone."""

from django.conf import settings
from django.core import checks


@checks.register()
def outbox_lease_check(app_configs, **kwargs):
    """A delivery killed at its hard time limit must lose its lease after it dies, never before: a lease
    that ran out while the send still ran would let a second worker send the same message meanwhile."""
    hard_limit = settings.CELERY_DELIVERY_TIME_LIMITS["time_limit"]
    if hard_limit < settings.OUTBOX_LEASE_SECONDS:
        return []
    return [
        checks.Error(
            f"OUTBOX_LEASE_SECONDS ({settings.OUTBOX_LEASE_SECONDS}) is not longer than the deliveries' hard "
            f"time limit (CELERY_DELIVERY_TIME_LIMIT, {hard_limit}).",
            hint="Raise OUTBOX_LEASE_SECONDS above CELERY_DELIVERY_TIME_LIMIT (by half a minute or more).",
            id="opscenter.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def outbound_private_targets_check(app_configs, **kwargs):
    if not settings.OUTBOUND_ALLOW_PRIVATE_TARGETS:
        return []
    return [
        checks.Warning(
            "OUTBOUND_ALLOW_PRIVATE_TARGETS is on: webhooks may be pointed at this network's own hosts.",
            hint="Turn it off in production; it is for development and tests.",
            id="opscenter.W001",
        )
    ]
