"""System checks of the appeals app."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def field_encryption_key_check(app_configs, **kwargs):
    # Info, not a warning: the derived key works; it only ties the partners' secrets to SECRET_KEY.
    if settings.FIELD_ENCRYPTION_KEY:
        return []
    return [
        checks.Info(
            "FIELD_ENCRYPTION_KEY is not set: the partners' secrets are encrypted with a key derived from SECRET_KEY.",
            hint="Set FIELD_ENCRYPTION_KEY to a Fernet key, so that a new SECRET_KEY does not lose them.",
            id="appeals.I001",
        )
    ]
