"""Allowed source networks of a device (an alarm panel, a camera): parsed once, checked per request."""

import ipaddress
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=1024)
def parse_networks(text: str) -> tuple[Network, ...]:
    """Addresses or CIDR networks, separated by commas, spaces or lines. Raises ValueError."""
    return tuple(ipaddress.ip_network(part, strict=False) for part in text.replace(",", " ").split())


def networks_validator(value: str) -> None:
    try:
        parse_networks(value)
    except ValueError as error:
        raise ValidationError(_("Give addresses or networks such as 192.0.2.0/24, one per line.")) from error


def address_allowed(address: str | None, networks: str) -> bool:
    """Whether a peer address lies in the allowed networks; an empty list allows any address."""
    if not networks.strip():
        return True
    try:
        peer = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(peer in network for network in parse_networks(networks))
