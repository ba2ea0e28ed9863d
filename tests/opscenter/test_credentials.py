"""Device credentials: shown once, stored as a digest, rotatable with overlap, and the DRF class."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from opscenter.authentication import DeviceSecretAuthentication
from opscenter.models import AuditEntry, DeviceCredential
from opscenter.services.credentials import (
    credential_issue,
    credential_revoke,
    credential_rotate,
    credential_used,
    credential_verify,
)

pytestmark = pytest.mark.django_db


class BraceletAuthentication(DeviceSecretAuthentication):
    credential_kind = "bracelet"


class WhoAmI(APIView):
    authentication_classes = [BraceletAuthentication]

    def get(self, request):
        return Response({"device": request.user.identifier})

    post = get


def call(method="get", path="/x", **kwargs):
    request = getattr(APIRequestFactory(), method)(path, **kwargs)
    return WhoAmI.as_view()(request)


def test_the_secret_is_stored_only_as_a_digest():
    credential, secret = credential_issue(kind="bracelet", identifier="861234567890123")
    credential.refresh_from_db()
    assert len(secret) >= 40
    assert secret not in credential.secret_digest
    assert credential_verify(secret=secret) == credential
    assert AuditEntry.objects.filter(action="credential.issue", object_id=str(credential.pk)).exists()


def test_a_wrong_secret_or_kind_does_not_verify():
    _credential, secret = credential_issue(kind="bracelet", identifier="1")
    assert credential_verify(secret=secret + "x") is None
    assert credential_verify(secret="") is None
    assert credential_verify(secret=secret, kind="panel") is None


def test_rotation_keeps_the_old_secret_for_the_overlap_only():
    credential, old = credential_issue(kind="bracelet", identifier="1")

    new = credential_rotate(credential=credential, overlap=timedelta(hours=1))

    assert credential_verify(secret=new) == credential
    assert credential_verify(secret=old) == credential
    DeviceCredential.objects.filter(pk=credential.pk).update(previous_valid_until=timezone.now())
    assert credential_verify(secret=old) is None
    assert credential_verify(secret=new) == credential


def test_rotation_without_overlap_cuts_the_old_secret_at_once():
    credential, old = credential_issue(kind="bracelet", identifier="1")
    credential_rotate(credential=credential, overlap=timedelta(0))
    assert credential_verify(secret=old) is None


def test_a_revoked_credential_does_not_verify():
    credential, secret = credential_issue(kind="bracelet", identifier="1")
    credential_revoke(credential=credential)
    assert credential_verify(secret=secret) is None


@pytest.mark.parametrize("how", ["header", "query"])
def test_the_drf_class_authenticates_by_header_or_key_parameter(how):
    _credential, secret = credential_issue(kind="bracelet", identifier="861234567890123")
    response = call(HTTP_AUTHORIZATION=f"Bearer {secret}") if how == "header" else call(path=f"/x?key={secret}")
    assert (response.status_code, response.data) == (200, {"device": "861234567890123"})


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_AUTHORIZATION": "Bearer nope"}, {}, {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}],
)
def test_the_drf_class_refuses_unknown_secrets_with_401(headers):
    response = call(**headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="devices"'


def test_the_drf_class_refuses_another_kind_of_device():
    _credential, secret = credential_issue(kind="panel", identifier="1234")
    assert call(HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_the_secret_never_reaches_the_admin_pages(admin_client):
    credential, secret = credential_issue(kind="bracelet", identifier="1")
    page = admin_client.get(f"/admin/opscenter/devicecredential/{credential.pk}/change/")
    assert page.status_code == 200
    assert secret.encode() not in page.content
    assert credential.secret_digest.encode() not in page.content


def test_the_admin_rotates_and_shows_the_new_secret_once(admin_client):
    credential, _old = credential_issue(kind="bracelet", identifier="1")
    response = admin_client.post(
        "/admin/opscenter/devicecredential/",
        {"action": "rotate", "_selected_action": [str(credential.pk)]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1
    new = shown[0].rsplit(": ", 1)[1]
    assert credential_verify(secret=new) == credential


def test_revoking_destroys_the_digest_so_reactivating_the_row_does_not_revive_the_secret():
    credential, secret = credential_issue(kind="bracelet", identifier="1")
    newer = credential_rotate(credential=credential, overlap=timedelta(hours=1))
    credential.refresh_from_db()
    digest = credential.secret_digest

    credential_revoke(credential=credential)
    DeviceCredential.objects.filter(pk=credential.pk).update(is_active=True)  # an edit by hand, say

    credential.refresh_from_db()
    assert credential.previous_secret_digest == ""
    assert credential.secret_digest != digest
    assert not set(credential.secret_digest) <= set("0123456789abcdef")  # never a SHA-256 hex digest
    assert credential_verify(secret=newer) is None
    assert credential_verify(secret=secret) is None


def test_rotation_puts_a_revoked_credential_back_with_a_new_secret_only():
    credential, old = credential_issue(kind="bracelet", identifier="1")
    credential_revoke(credential=credential)

    new = credential_rotate(credential=credential, overlap=timedelta(hours=1))

    assert credential_verify(secret=new) == credential
    assert credential_verify(secret=old) is None
    entry = AuditEntry.objects.filter(action="credential.rotate").get()
    assert entry.data == {"overlap_s": 0.0, "reactivated": True}


def test_the_admin_cannot_switch_a_credential_back_on(admin_client):
    credential, secret = credential_issue(kind="bracelet", identifier="1")
    credential_revoke(credential=credential)

    admin_client.post(f"/admin/opscenter/devicecredential/{credential.pk}/change/", {"is_active": "on"})

    credential.refresh_from_db()
    assert credential.is_active is False
    assert credential_verify(secret=secret) is None


def test_the_admin_revokes_through_the_service_and_the_audit(admin_client):
    credential, secret = credential_issue(kind="bracelet", identifier="1")
    admin_client.post(
        "/admin/opscenter/devicecredential/", {"action": "revoke", "_selected_action": [str(credential.pk)]}
    )
    assert credential_verify(secret=secret) is None
    assert AuditEntry.objects.filter(action="credential.revoke", object_id=str(credential.pk)).count() == 1


def test_verifying_writes_nothing_and_use_is_recorded_apart():
    credential, secret = credential_issue(kind="bracelet", identifier="1")
    assert credential_verify(secret=secret).last_used_at is None
    credential.refresh_from_db()
    assert credential.last_used_at is None
    credential_used(credential=credential)
    credential.refresh_from_db()
    assert credential.last_used_at is not None
