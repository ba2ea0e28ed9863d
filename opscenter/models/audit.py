"""The audit: an append-only record of who did or saw what, when, from where and why."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .shifts import ShiftNote, ShiftNoteAcknowledgement


class AuditEntry(models.Model):
    """One action or read of personal data. Never changed: triggers refuse UPDATE and DELETE (and on
    PostgreSQL TRUNCATE) of this table on both databases, and the admin shows it read-only."""

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=200, help_text=_("Username, device or system."))
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_repr}"


class AuditSeal(models.Model):
    """One link of the hash chain over the audit: an entry's position in the chain, the hash of the link
    before it and its own, sha256(previous hash, the entry's content). Written by `audit_seal` (beat)
    shortly after the entry commits, never changed; `manage.py audit_verify` walks the chain and
    reports the first link that does not hold (an entry edited, a link missing, an entry left unsealed
    past the grace period)."""

    seq = models.PositiveBigIntegerField(_("position in the chain"), unique=True)
    entry = models.OneToOneField(AuditEntry, on_delete=models.PROTECT, related_name="seal")
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    sealed_at = models.DateTimeField(_("sealed at"))

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


# Tables that only ever grow: triggers refuse UPDATE, DELETE and TRUNCATE of them (migrations 0003, 0007,
# 0008, and 0009 for the shift log), and the runtime role may only INSERT and SELECT them (db_grant_runtime_role). On SQLite, a
# migration that alters one of them remakes the table and loses its triggers: it must create them again
# (tests/opscenter/test_audit.py fails on SQLite until it does).
APPEND_ONLY_MODELS: tuple[type[models.Model], ...] = (AuditEntry, AuditSeal, ShiftNote, ShiftNoteAcknowledgement)
