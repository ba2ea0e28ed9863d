"""Partners (the apps citizens file appeals from) and the idempotency keys of their requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from opscenter.outbound import outbound_url_validate


class Partner(models.Model):
    """An app that files appeals for citizens through the signed partner API: eGov Mobile, Kaspi.kz,
    Halyk Bank, or a city app speaking Open311.

    The request-signing secret and the webhook secret are kept encrypted (Fernet, FIELD_ENCRYPTION_KEY),
    not hashed: an HMAC is checked and made with the secret itself. Each is shown once, when issued or
    rotated; after a rotation the previous one keeps working until its `..._valid_until`.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    key_id = models.CharField(_("key id"), max_length=64, unique=True, editable=False)
    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_valid_until = models.DateTimeField(_("previous secret valid until"), null=True, blank=True)
    webhook_url = models.URLField(
        _("webhook URL"),
        max_length=500,
        blank=True,
        validators=[outbound_url_validate],
        help_text=_("https, at a public address; checked again at every delivery."),
    )
    webhook_secret_encrypted = models.TextField(editable=False)
    previous_webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_webhook_valid_until = models.DateTimeField(_("previous webhook secret valid until"), null=True, blank=True)
    webhook_enabled = models.BooleanField(
        _("webhook enabled"), default=True, help_text=_("Turned off when the endpoint answers 410 Gone.")
    )
    webhook_disabled_at = models.DateTimeField(_("webhook disabled at"), null=True, blank=True)
    webhook_disabled_reason = models.CharField(_("why the webhook was disabled"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name

    # The partner is the principal of a signed request; DRF's permission classes ask this.
    is_authenticated = True


class IdempotencyState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class IdempotencyKey(models.Model):
    """The first request a partner sent under an `Idempotency-Key`, and the response it got.

    The unique (partner, key) row is claimed, and committed, before the work starts: a concurrent retry
    finds it in progress (409). The appeal and the stored response commit together, so a retry after a
    crash either finds the response or redoes the work, never both. A claim older than the lock timeout
    is taken over (the first request died). Rows live until `expires_at` (at least 24 hours).
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(_("key"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64)
    state = models.CharField(_("state"), max_length=16, choices=IdempotencyState.choices)
    lock_token = models.UUIDField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["partner", "key"], name="idempotency_partner_key")]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.key}"
