"""Device credentials: one mechanism for every device or partner that pushes data to the platform."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceCredential(models.Model):
    """The secret of one device (alarm panel, bracelet, speed device, camera) or partner.

    Only a SHA-256 digest of the secret is kept (secrets are 256-bit random, so a slow hash adds nothing);
    the secret itself is shown once, when issued or rotated. After a rotation the previous secret keeps
    working until `previous_valid_until`, so a device can be reconfigured without a gap.
    """

    kind = models.CharField(_("kind"), max_length=32, help_text=_("bracelet, panel, speed device, camera, partner"))
    identifier = models.CharField(_("identifier"), max_length=128)
    secret_digest = models.CharField(_("secret digest"), max_length=64, unique=True, editable=False)
    previous_secret_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    previous_valid_until = models.DateTimeField(_("previous secret valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    rotated_at = models.DateTimeField(_("rotated at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "identifier"]
        verbose_name = _("device credential")
        verbose_name_plural = _("device credentials")
        constraints = [models.UniqueConstraint(fields=["kind", "identifier"], name="credential_kind_identifier")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.identifier}"

    # A device principal is "authenticated" for DRF's permission classes.
    is_authenticated = True
