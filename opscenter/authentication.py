"""DRF authentication for devices and partners that push data: one per-device secret, sent as
`Authorization: Bearer <secret>` or, for clients that can only set a URL, a `key` query parameter."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from opscenter.models import DeviceCredential
from opscenter.services.credentials import credential_used, credential_verify


class DeviceSecretAuthentication(authentication.BaseAuthentication):
    """Authenticates as the DeviceCredential; `request.user` is the credential (is_authenticated).

    Subclass with `credential_kind = "bracelet"` to accept only that kind of device.
    """

    credential_kind: str | None = None
    query_parameter = "key"

    def authenticate(self, request: Request) -> tuple[DeviceCredential, DeviceCredential] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if header:
            scheme, _space, secret = header.partition(" ")
            if scheme.lower() != "bearer":
                return None
            secret = secret.strip()
        else:
            secret = request.query_params.get(self.query_parameter, "")
            if not secret:
                return None
        credential = credential_verify(secret=secret, kind=self.credential_kind)
        if credential is None:
            raise exceptions.AuthenticationFailed(_("Unknown device or wrong secret."), code="bad_credentials")
        return credential, credential

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="devices"'


class DeviceUseRecording:
    """Mixin for the views of devices: the credential's `last_used_at` is written only once the request
    succeeded, never for one refused after authentication (another device's data, a malformed body)."""

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        credential = getattr(request, "_user", None)
        if isinstance(credential, DeviceCredential) and response.status_code < 400:
            credential_used(credential=credential)
        return response
