"""Encryption of the secrets the platform must be able to read back (partners' HMAC and webhook secrets):
Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`, with FIELD_ENCRYPTION_KEY.

FIELD_ENCRYPTION_KEY holds one or more Fernet keys, comma-separated: the first encrypts, all decrypt, so
a key is rotated by putting the new one first and re-encrypting (`appeals_reencrypt_secrets`)."""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "reencrypt"]


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
        ) from error


def _current() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEY
    if not keys:
        keys = base64.urlsafe_b64encode(
            hashlib.sha256(b"opscenter.field-encryption:" + settings.SECRET_KEY.encode()).digest()
        ).decode()
    return _fernet(keys)


def encrypt(text: str) -> str:
    return _current().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text; raises InvalidToken when no configured key opens it."""
    return _current().decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """The same secret encrypted with the first (newest) key."""
    return _current().rotate(token.encode()).decode()
