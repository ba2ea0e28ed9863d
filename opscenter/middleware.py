"""Request-level plumbing: the user's language, and who/where for the audit."""

import ipaddress
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from opscenter.services.audit import audit_context


class UserLanguageMiddleware:
    """Speak the language the signed-in user chose (LocaleMiddleware covers everyone else)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class AuditContextMiddleware:
    """Lets services record the address a request came from without passing the request around."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(address=client_address(request)):
            return self.get_response(request)


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the nearest of PROXY_COUNT reverse proxies saw it: the hop that many places
    from the end of X-Forwarded-For (what came before it the client may have written itself). Used by the
    login lockout and the audit."""
    from django.conf import settings

    proxies = settings.PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies and _is_address(hops[-proxies]):
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
