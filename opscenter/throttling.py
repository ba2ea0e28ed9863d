"""Throttling of the machines that push data (devices, partners): per credential, not per address, so
that one misbehaving device or partner is slowed without touching the others behind the same NAT.

Rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] by scope (settings.py); a device credential's kind
may have its own, `device.<kind>` (a Traccar gateway forwards for every bracelet it serves). Over the
rate: 429 with Retry-After.
"""

from typing import cast

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView


class CredentialRateThrottle(SimpleRateThrottle):
    scope = "device"

    def allow_request(self, request: Request, view: APIView) -> bool:
        kind = getattr(request.user, "kind", None)
        if kind and f"{self.scope}.{kind}" in api_settings.DEFAULT_THROTTLE_RATES:
            self.scope = f"{self.scope}.{kind}"
            self.rate = self.get_rate()
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        # Read at each request, not frozen at import as SimpleRateThrottle does.
        return cast(str | None, api_settings.DEFAULT_THROTTLE_RATES[self.scope])

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        principal = request.user
        if not getattr(principal, "is_authenticated", False) or getattr(principal, "pk", None) is None:
            return None  # refused by authentication anyway
        ident = f"{type(principal).__name__.lower()}:{principal.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class DeviceRateThrottle(CredentialRateThrottle):
    scope = "device"


class PartnerRateThrottle(CredentialRateThrottle):
    scope = "partner"
