"""Authentication of partner requests by their signature (X-Partner-Key, X-Timestamp, X-Signature).

The raw body is read here, once, in chunks, hashed as it comes and spooled (to disk past
FILE_UPLOAD_MAX_MEMORY_SIZE), then handed back to the request for the parsers: a multipart upload is
signed like any other body without being held in memory whole.
"""

import hashlib
import hmac
import tempfile
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, status
from rest_framework.request import Request

from appeals.models import Partner
from appeals.services.partners import partner_signing_secrets
from appeals.signing import REQUEST_SIGNATURE, request_signing_string

CHUNK = 64 * 1024
# Small bodies (JSON) are also kept as bytes, for the idempotency hash.
KEEP_BODY_BYTES = 1024 * 1024


class SignatureFailed(exceptions.AuthenticationFailed):
    """401 with a stable reason code; nothing has been changed."""


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


@dataclass(frozen=True)
class SignedRequest:
    """`request.auth` of a partner request: what was verified, and the body as signed."""

    partner: Partner
    timestamp: int
    body_sha256: str
    body: bytes | None  # None when larger than KEEP_BODY_BYTES


def max_request_bytes() -> int:
    # The largest attachment, plus room for the multipart envelope.
    return max(settings.APPEALS_ATTACHMENT_MAX_BYTES.values()) + 64 * 1024


def _read_body(request: Request, macs: list) -> tuple[bytes | None, str]:
    """Read the whole body into the hash and the signature MACs, and put it back so that the parsers
    read it as if untouched."""
    django_request = request._request
    limit = max_request_bytes()
    try:
        declared = int(django_request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise RequestTooLarge()
    digest = hashlib.sha256()
    spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
    size = 0
    while True:
        chunk = django_request.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            spool.close()
            raise RequestTooLarge()
        digest.update(chunk)
        for mac in macs:
            mac.update(chunk)
        spool.write(chunk)
    spool.seek(0)
    body = spool.read() if size <= KEEP_BODY_BYTES else None
    spool.seek(0)
    # Django's private stream, replaced by the spooled copy so the view reads the same bytes (no stubs for it)
    django_request._stream = spool  # type: ignore[assignment]
    django_request._read_started = False  # type: ignore[attr-defined]
    if body is not None:
        django_request._body = body
    return body, digest.hexdigest()


def signed_request(request: Request) -> SignedRequest:
    """`request.auth` of a view behind PartnerSignatureAuthentication, typed."""
    signed = request.auth
    if not isinstance(signed, SignedRequest):
        raise exceptions.NotAuthenticated()
    return signed


def _fail(code: str, detail) -> SignatureFailed:
    return SignatureFailed(detail, code=code)


class PartnerSignatureAuthentication(authentication.BaseAuthentication):
    """`request.user` is the Partner, `request.auth` a SignedRequest. Every failure is a 401 naming its
    reason: missing_signature, malformed_signature, stale_timestamp, unknown_partner, bad_signature,
    replayed_request. A view with `idempotent_retries = True` lets an exact retry through (see below)."""

    def authenticate(self, request: Request) -> tuple[Partner, SignedRequest]:
        headers = request._request.headers
        key_id, timestamp, signature = (
            headers.get("X-Partner-Key", "").strip(),
            headers.get("X-Timestamp", "").strip(),
            headers.get("X-Signature", "").strip(),
        )
        if not (key_id and timestamp and signature):
            raise _fail("missing_signature", _("X-Partner-Key, X-Timestamp and X-Signature are all required."))
        match = REQUEST_SIGNATURE.match(signature)
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12 or match is None:
            raise _fail(
                "malformed_signature", _("X-Timestamp must be Unix seconds and X-Signature v1=<64 hex digits>.")
            )
        window = settings.APPEALS_SIGNATURE_WINDOW_SECONDS
        if abs(time.time() - int(timestamp)) > window:
            raise _fail(
                "stale_timestamp",
                _("X-Timestamp is more than %(seconds)d seconds away from the server's clock.") % {"seconds": window},
            )
        partner = Partner.objects.filter(key_id=key_id, is_active=True).first()
        if partner is None:
            raise _fail("unknown_partner", _("No active partner has this X-Partner-Key."))
        head = request_signing_string(
            timestamp=timestamp, method=request.method or "", path=request._request.get_full_path(), body=b""
        )
        macs = [hmac.new(secret.encode(), head, hashlib.sha256) for secret in partner_signing_secrets(partner=partner)]
        body, body_sha256 = _read_body(request, macs)
        provided = bytes.fromhex(match.group(1))
        matched = False
        for mac in macs:  # every secret compared, each in constant time
            matched |= hmac.compare_digest(mac.digest(), provided)
        if not matched:
            raise _fail("bad_signature", _("The signature does not match the request."))
        # The same signed request seen twice within the window is a replay, unless it is an HTTP client's
        # exact retry of an idempotent POST: the same bytes and the same Idempotency-Key (which the signature
        # does not cover, so it is remembered with it). That one passes, and gets the stored first response
        # from the idempotency claim; the same signature under another key is refused, or a captured request
        # could be filed again. cache.add is atomic (Redis SET NX).
        seen = f"appeals:signature:{partner.pk}:{match.group(1).lower()}"
        idempotency_key = headers.get("Idempotency-Key", "").strip()
        if not cache.add(seen, idempotency_key, timeout=2 * window + 60):
            view = request.parser_context.get("view")
            retry = (
                idempotency_key
                and getattr(view, "idempotent_retries", False)
                and request.method == "POST"
                and cache.get(seen) == idempotency_key
            )
            if not retry:
                raise _fail("replayed_request", _("This signed request was already received."))
        return partner, SignedRequest(partner=partner, timestamp=int(timestamp), body_sha256=body_sha256, body=body)

    def authenticate_header(self, request: Request) -> str:
        return 'HMAC-SHA256 realm="partners", headers="X-Partner-Key X-Timestamp X-Signature"'
