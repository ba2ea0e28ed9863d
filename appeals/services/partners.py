"""Partners: register, rotate their secrets with an overlap, turn their webhook off and on."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from appeals import crypto
from appeals.models import Partner
from appeals.signing import partner_secret_new, webhook_secret_new
from opscenter.models import User
from opscenter.outbound import outbound_url_validate
from opscenter.services.audit import audit_record


@dataclass(frozen=True)
class PartnerCredentials:
    """What a partner is given once: its key id, request-signing secret and webhook secret."""

    key_id: str
    secret: str
    webhook_secret: str

    def as_dict(self) -> dict[str, str]:
        return {"key_id": self.key_id, "secret": self.secret, "webhook_secret": self.webhook_secret}


def _overlap(hours: float | None) -> timedelta:
    return timedelta(hours=settings.APPEALS_PARTNER_SECRET_OVERLAP_HOURS if hours is None else hours)


@transaction.atomic
def partner_create(
    *, code: str, name: str, webhook_url: str = "", actor: User | None = None
) -> tuple[Partner, PartnerCredentials]:
    """Register a partner; returns it with its credentials, which are never shown again. A webhook URL
    must be https at a public address (ValidationError otherwise)."""
    outbound_url_validate(webhook_url)
    secret, webhook_secret = partner_secret_new(), webhook_secret_new()
    partner = Partner.objects.create(
        code=code,
        name=name,
        key_id=f"{code}_{secrets.token_hex(8)}",
        secret_encrypted=crypto.encrypt(secret),
        webhook_url=webhook_url,
        webhook_secret_encrypted=crypto.encrypt(webhook_secret),
        created_at=timezone.now(),
    )
    audit_record(actor=actor, action="appeals.partner.create", obj=partner)
    return partner, PartnerCredentials(partner.key_id, secret, webhook_secret)


@transaction.atomic
def partner_rotate(
    *,
    partner: Partner,
    actor: User | None = None,
    overlap_hours: float | None = None,
    request_secret: bool = True,
    webhook_secret: bool = True,
) -> PartnerCredentials:
    """New secrets (the request-signing one, the webhook one, or both). The old request secret is still
    accepted, and webhooks are signed with both, for the overlap (default APPEALS_PARTNER_SECRET_OVERLAP_HOURS);
    the key id stays. Returns the credentials in force, the new ones shown once ("" for one not rotated)."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    overlap = _overlap(overlap_hours)
    now = timezone.now()
    valid_until = now + overlap if overlap > timedelta(0) else None
    new_secret = new_webhook_secret = ""
    if request_secret:
        new_secret = partner_secret_new()
        partner.previous_secret_encrypted = partner.secret_encrypted if valid_until else ""
        partner.previous_valid_until = valid_until
        partner.secret_encrypted = crypto.encrypt(new_secret)
    if webhook_secret:
        new_webhook_secret = webhook_secret_new()
        partner.previous_webhook_secret_encrypted = partner.webhook_secret_encrypted if valid_until else ""
        partner.previous_webhook_valid_until = valid_until
        partner.webhook_secret_encrypted = crypto.encrypt(new_webhook_secret)
    partner.rotated_at = now
    partner.save()
    audit_record(
        actor=actor,
        action="appeals.partner.rotate",
        obj=partner,
        data={"request_secret": request_secret, "webhook_secret": webhook_secret, "overlap_s": overlap.total_seconds()},
    )
    return PartnerCredentials(partner.key_id, new_secret, new_webhook_secret)


def partner_signing_secrets(*, partner: Partner) -> list[str]:
    """The secrets a request of this partner may be signed with now: the current one, and the previous
    one during its overlap."""
    found = [crypto.decrypt(partner.secret_encrypted)]
    if (
        partner.previous_secret_encrypted
        and partner.previous_valid_until
        and partner.previous_valid_until > timezone.now()
    ):
        found.append(crypto.decrypt(partner.previous_secret_encrypted))
    return found


def partner_webhook_secrets(*, partner: Partner) -> list[str]:
    """The secrets our webhooks are signed with now (each gives one signature in the header)."""
    found = [crypto.decrypt(partner.webhook_secret_encrypted)]
    if (
        partner.previous_webhook_secret_encrypted
        and partner.previous_webhook_valid_until
        and partner.previous_webhook_valid_until > timezone.now()
    ):
        found.append(crypto.decrypt(partner.previous_webhook_secret_encrypted))
    return found


def partner_webhook_disable(*, partner: Partner, reason: str) -> None:
    """Stop sending to the partner's endpoint (it answered 410 Gone); an admin turns it back on."""
    now = timezone.now()
    Partner.objects.filter(pk=partner.pk).update(
        webhook_enabled=False, webhook_disabled_at=now, webhook_disabled_reason=reason[:300]
    )
    audit_record(actor=None, actor_label="appeals.webhooks", action="appeals.partner.webhook_disable", obj=partner,
                 data={"reason": reason[:300]})  # fmt: skip


@transaction.atomic
def partner_webhook_enable(*, partner: Partner, actor: User | None, webhook_url: str | None = None) -> Partner:
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if webhook_url is not None:
        outbound_url_validate(webhook_url)
        partner.webhook_url = webhook_url
    partner.webhook_enabled, partner.webhook_disabled_at, partner.webhook_disabled_reason = True, None, ""
    partner.save()
    audit_record(actor=actor, action="appeals.partner.webhook_enable", obj=partner)
    return partner


@transaction.atomic
def partner_secrets_reencrypt() -> int:
    """Encrypt every stored secret with the newest FIELD_ENCRYPTION_KEY; returns the partners changed."""
    count = 0
    for partner in Partner.objects.select_for_update():
        for name in (
            "secret_encrypted",
            "previous_secret_encrypted",
            "webhook_secret_encrypted",
            "previous_webhook_secret_encrypted",
        ):
            if getattr(partner, name):
                setattr(partner, name, crypto.reencrypt(getattr(partner, name)))
        partner.save()
        count += 1
    return count
