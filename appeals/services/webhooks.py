"""Status changes back to the partner: enqueued in the outbox with the change, delivered by the outbox's
task in the Standard Webhooks form (webhook-id, webhook-timestamp, webhook-signature)."""

import json
import logging
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, Partner
from appeals.services.partners import partner_webhook_disable, partner_webhook_secrets
from appeals.signing import webhook_signature
from opscenter.models import OutboxMessage
from opscenter.outbound import OutboundRefused, outbound_post
from opscenter.services.outbox import PermanentFailure, outbox_enqueue

logger = logging.getLogger(__name__)

WEBHOOK_CHANNEL = "appeals.webhook"
EVENT_TYPE = "appeal.status_changed"


class WebhookDeliveryFailed(Exception):
    """The endpoint did not take the message; the outbox retries with backoff. `status_code` is the
    endpoint's answer, kept with the attempt (None when there was no answer)."""

    def __init__(self, *args, status_code: int | None = None) -> None:
        super().__init__(*args)
        self.status_code = status_code


def webhook_event_data(*, appeal: Appeal, event: AppealEvent) -> dict:
    """What the partner is told: the appeal's public state and the step that changed it, no internals."""
    data = {
        "id": appeal.pk,
        "registration_number": appeal.registration_number,
        "partner_reference": appeal.partner_reference,
        "status": appeal.status,
        "event": event.action,
        "event_id": event.pk,
        "at": event.at.isoformat(),
        "deadline": appeal.deadline.isoformat(),
    }
    if event.text:
        data["text"] = event.text
    if appeal.redirected_to and event.action == AppealEvent.Action.REDIRECTED:
        data["redirected_to"] = appeal.redirected_to
    return data


def webhook_enqueue(*, appeal: Appeal, event: AppealEvent) -> OutboxMessage | None:
    """Queue the change for the partner's endpoint, in the caller's transaction; None when the partner
    has no endpoint or it is disabled."""
    partner = appeal.partner
    if not partner.webhook_url or not partner.webhook_enabled:
        return None
    return outbox_enqueue(
        channel=WEBHOOK_CHANNEL,
        destination=partner.webhook_url,
        payload={
            "partner": partner.pk,
            "type": EVENT_TYPE,
            "timestamp": event.at.isoformat(),
            "data": webhook_event_data(appeal=appeal, event=event),
        },
    )


def webhook_body(message: OutboxMessage) -> bytes:
    payload = message.payload
    body = {"type": payload["type"], "timestamp": payload["timestamp"], "data": payload["data"]}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_message_id(message: OutboxMessage) -> str:
    """Stable across retries, so that the partner can drop a repeat."""
    return f"msg_{message.pk.hex}"


def webhook_send(message: OutboxMessage) -> int:
    """The outbox sender of WEBHOOK_CHANNEL; returns the endpoint's status code. 2xx: delivered. 410 Gone: the partner's endpoint is disabled
    and the message dead. Anything else is retried until APPEALS_WEBHOOK_RETRY_HOURS after the message
    was written; a failure past that makes it a dead letter."""
    partner = Partner.objects.filter(pk=message.payload.get("partner")).first()
    if partner is None or not partner.webhook_url:
        raise PermanentFailure("the partner or its webhook URL is gone")
    if not partner.webhook_enabled:
        raise PermanentFailure(f"the partner's webhook is disabled: {partner.webhook_disabled_reason}")
    body = webhook_body(message)
    message_id, timestamp = webhook_message_id(message), int(time.time())
    signatures = " ".join(
        webhook_signature(secret=secret, message_id=message_id, timestamp=timestamp, body=body)
        for secret in partner_webhook_secrets(partner=partner)
    )
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "opscenter-appeals-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
    }
    try:
        # Checked again here, on the addresses the host resolves to now, and pinned to the one checked.
        response = outbound_post(
            partner.webhook_url, data=body, headers=headers, timeout=settings.APPEALS_WEBHOOK_TIMEOUT_SECONDS
        )
    except OutboundRefused as error:
        _give_up_when_too_old(message, f"refused: {error}")
        raise WebhookDeliveryFailed(f"refused: {error}") from error
    except requests.RequestException as error:
        _give_up_when_too_old(message, f"{type(error).__name__}: {error}")
        raise WebhookDeliveryFailed(f"{type(error).__name__}: {error}") from error
    status = response.status_code
    if 200 <= status < 300:
        return status
    if status == 410:
        partner_webhook_disable(partner=partner, reason=f"410 Gone from {partner.webhook_url}")
        raise PermanentFailure("410 Gone: the partner's webhook is now disabled", status_code=status)
    _give_up_when_too_old(message, f"HTTP {status}", status_code=status)
    raise WebhookDeliveryFailed(f"HTTP {status}", status_code=status)


def _give_up_when_too_old(message: OutboxMessage, error: str, status_code: int | None = None) -> None:
    if timezone.now() - message.created_at >= timedelta(hours=settings.APPEALS_WEBHOOK_RETRY_HOURS):
        raise PermanentFailure(
            f"gave up after {settings.APPEALS_WEBHOOK_RETRY_HOURS} hours; last: {error}", status_code=status_code
        )
