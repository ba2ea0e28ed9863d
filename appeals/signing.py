"""Signatures: the partners' requests to us (X-Signature: v1=<hex HMAC-SHA256>) and our webhooks to them
(Standard Webhooks: webhook-signature: v1,<base64 HMAC-SHA256>)."""

import base64
import hashlib
import hmac
import re
import secrets

REQUEST_SIGNATURE = re.compile(r"^v1=([0-9a-fA-F]{64})$")
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


def request_signing_string(*, timestamp: str, method: str, path: str, body: bytes) -> bytes:
    """`"<timestamp>.<METHOD>.<path with query>.<raw body>"`, as bytes (the body is bytes as sent)."""
    return f"{timestamp}.{method.upper()}.{path}.".encode() + body


def request_signature(*, secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    """The X-Signature header value a partner sends: `v1=<hex>`."""
    message = request_signing_string(timestamp=timestamp, method=method, path=path, body=body)
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def partner_secret_new() -> str:
    return secrets.token_urlsafe(32)


def webhook_secret_new() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _webhook_key(secret: str) -> bytes:
    encoded = secret.removeprefix(WEBHOOK_SECRET_PREFIX)
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4))


def webhook_signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of `"<id>.<timestamp>.<body>"`, keyed with the secret's bytes."""
    message = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_webhook_key(secret), message, hashlib.sha256).digest()).decode()
