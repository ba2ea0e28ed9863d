"""Who is asking, typed: `request.user` is a person, a device's credential or a partner, according to the
authentication the view runs; these helpers name which, for the type checker and at run time alike."""

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from opscenter.models import DeviceCredential, User

Principal = TypeVar("Principal")


def authenticated_as(request: HttpRequest | Request, kind: type[Principal]) -> Principal:
    """`request.user` as the `kind` the view's authentication gives (a Partner, say); 403 if it is not one,
    which behind that authentication and its permission classes never happens."""
    principal = request.user
    if not isinstance(principal, kind):
        raise PermissionDenied
    return principal


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in person (pages behind login_required, APIs behind IsAuthenticated)."""
    user = authenticated_as(request, User)
    if not user.is_authenticated:  # pragma: no cover - a User instance always is
        raise PermissionDenied
    return user


def request_device(request: Request) -> DeviceCredential:
    """The device credential a device endpoint authenticated (DeviceSecretAuthentication)."""
    return authenticated_as(request, DeviceCredential)
