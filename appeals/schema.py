"""OpenAPI: how partner requests are signed, for drf-spectacular."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PartnerSignatureScheme(OpenApiAuthenticationExtension):
    target_class = "appeals.authentication.PartnerSignatureAuthentication"
    name = "partnerSignature"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Signature",
            "description": (
                "Every partner request carries three headers. `X-Partner-Key`: the partner's key id. "
                "`X-Timestamp`: Unix seconds, at most 300 s away from the server's clock. `X-Signature`: "
                "`v1=` and the lower-case hex HMAC-SHA256, keyed with the partner's secret, of "
                '`"<timestamp>.<METHOD>.<path with query>.<raw body>"` (for example '
                '`1767225600.POST./api/v1/partner/appeals.{"category":...}`). A signed request is accepted '
                "once. Failures are 401 with `code`: missing_signature, malformed_signature, stale_timestamp, "
                "unknown_partner, bad_signature or replayed_request. Status changes come back to the partner's "
                "webhook in the Standard Webhooks form (webhook-id, webhook-timestamp, webhook-signature "
                '`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` keyed with the webhook secret).'
            ),
        }
