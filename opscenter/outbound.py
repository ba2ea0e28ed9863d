"""Requests to outside systems at addresses that partners or admins configure (webhooks): https only, and
never to this network's own hosts (a webhook URL must not turn the platform into a proxy onto the database,
Redis, the cloud's metadata service or an officer's workstation).

The URL is checked when it is saved (`outbound_url_validate`) and again at every send, on the addresses
its host resolves to then (`outbound_post`): the connection goes to the very address that was checked,
while the TLS name (SNI), the certificate check and the `Host` header keep the URL's host name, so a DNS
answer that changes between check and connect (DNS rebinding) cannot redirect it.

OUTBOUND_ALLOW_PRIVATE_TARGETS lifts the address rule (development, tests); OUTBOUND_CA_BUNDLE names the
CA certificates to trust instead of the system's.
"""

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from requests.adapters import HTTPAdapter

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(Exception):
    """The destination is not one the platform may call (scheme, or an address of a private network)."""


def outbound_resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to now, in the resolver's order (tests stand a fake DNS in here)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _refusal(address: str) -> str | None:
    """Why `address` may not be called, or None. Anything that is not globally routable is refused:
    loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the metadata service, fe80::/10),
    carrier-grade NAT, multicast, reserved and unspecified addresses; an IPv4 address mapped into IPv6
    counts as the IPv4 address."""
    ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, flagged in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
    ):
        if flagged:
            return f"{address} is a {kind} address"
    if not ip.is_global:
        return f"{address} is not a public address"
    return None


def _split(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise OutboundRefused("only https URLs may be called")
    if not parts.hostname:
        raise OutboundRefused("the URL has no host")
    return parts.hostname, parts.port or 443


def outbound_addresses(url: str) -> list[str]:
    """The addresses `url` may be called at now: all its host resolves to, each checked. Raises
    OutboundRefused when the scheme is not https, the host does not resolve, or any address is refused
    (one bad answer spoils the lot: a name that resolves to a public and a private address is refused)."""
    host, port = _split(url)
    try:
        addresses = outbound_resolve(host, port)
    except OSError as error:
        raise OutboundRefused(f"{host} does not resolve: {error}") from error
    if not addresses:
        raise OutboundRefused(f"{host} does not resolve")
    if not settings.OUTBOUND_ALLOW_PRIVATE_TARGETS:
        for address in addresses:
            if (reason := _refusal(address)) is not None:
                raise OutboundRefused(f"{host} resolves to {reason}")
    return addresses


def outbound_url_validate(url: str) -> None:
    """A validator for a URL the platform will call (model fields, serializers, forms, services)."""
    if not url:
        return
    URLValidator(schemes=["https"], message=_("Enter a valid https URL."))(url)
    try:
        outbound_addresses(url)
    except OutboundRefused as error:
        raise ValidationError(
            _("This URL may not be called: %(reason)s.") % {"reason": error}, code="outbound_refused"
        ) from error


class _PinnedAdapter(HTTPAdapter):
    """Connects to the checked address while TLS (SNI and the certificate's name) speaks for `host`."""

    def __init__(self, host: str) -> None:
        self._host = host
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs) -> None:
        pool_kwargs.update(server_hostname=self._host, assert_hostname=self._host)
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)


def outbound_post(url: str, *, data: bytes, headers: dict[str, str], timeout: float) -> requests.Response:
    """POST `data` to `url`, pinned to one of its checked addresses at a time, in the resolver's order (the
    next one when an address cannot be connected to, an IPv6 one without a route say); no redirects are
    followed. Raises OutboundRefused (nothing was sent) or requests' exceptions (the last address's)."""
    host, port = _split(url)
    parts = urlsplit(url)
    host_header = host if port == 443 else f"{host}:{port}"
    last_error: requests.ConnectionError | None = None
    for address in outbound_addresses(url):
        netloc = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        pinned = urlunsplit(("https", netloc, parts.path or "/", parts.query, ""))
        with requests.Session() as session:
            session.trust_env = False  # no proxy from the environment: the checked address is the one called
            session.mount("https://", _PinnedAdapter(host))
            try:
                return session.post(
                    pinned,
                    data=data,
                    headers={**headers, "Host": host_header},
                    timeout=timeout,
                    allow_redirects=False,
                    verify=settings.OUTBOUND_CA_BUNDLE or True,
                )
            except requests.exceptions.SSLError:
                raise  # the name's certificate is wrong: another address of it would not make it right
            except requests.ConnectionError as error:
                last_error = error
    assert last_error is not None
    raise last_error
