"""The camera admin: the ONVIF password is never shown back; left empty it is kept, typed it is changed
and the audit names the field without its value."""

import pytest
from django.urls import reverse

from cameras.models import Camera
from cameras.services.registry import camera_create
from opscenter.models import AuditEntry
from tests.admin_forms import change_form_data
from tests.factories import district

pytestmark = pytest.mark.django_db


@pytest.fixture
def onvif_camera():
    camera, _secret = camera_create(
        name="Post gate", kind="fixed", district=district("uralsk"), push_protocol="onvif", onvif_host="10.7.1.5"
    )
    Camera.objects.filter(pk=camera.pk).update(onvif_username="viewer", onvif_password="s3cret-onvif")
    return camera


def test_the_onvif_password_is_never_shown_and_kept_when_left_empty(admin_client, onvif_camera):
    url = reverse("admin:cameras_camera_change", args=[onvif_camera.pk])
    page = admin_client.get(url)
    assert b"s3cret-onvif" not in page.content
    data = change_form_data(page, onvif_password="", address="Uralsk, post 3")  # as a browser posts it
    assert admin_client.post(url, data).status_code == 302
    onvif_camera.refresh_from_db()
    assert onvif_camera.onvif_password == "s3cret-onvif" and onvif_camera.address == "Uralsk, post 3"
    entry = AuditEntry.objects.filter(action="admin.change").latest("pk")
    assert entry.data["fields"] == ["address"]


def test_a_typed_onvif_password_replaces_it_and_the_audit_names_it_only(admin_client, onvif_camera):
    url = reverse("admin:cameras_camera_change", args=[onvif_camera.pk])
    data = change_form_data(admin_client.get(url), onvif_password="n3w-secret")
    assert admin_client.post(url, data).status_code == 302
    onvif_camera.refresh_from_db()
    assert onvif_camera.onvif_password == "n3w-secret"
    entry = AuditEntry.objects.filter(action="admin.change").latest("pk")
    assert entry.data["fields"] == ["onvif_password"]
    assert "n3w-secret" not in str(entry.data)
