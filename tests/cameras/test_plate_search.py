"""The plate search over REST and on its page: a reason or nothing, audited; the scope's reads with
their pictures; nothing for those who may not search."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cameras.services.registry import camera_create
from opscenter.models import AuditEntry
from tests.cameras.test_plates import _read
from tests.factories import UserFactory, district

pytestmark = pytest.mark.django_db

API = "/api/v1/cameras/plates/search/"


@pytest.fixture
def reads():
    camera, _secret = camera_create(name="Dostyk ANPR", kind="anpr", district=district("uralsk"))
    read = _read(camera, "123ABC07")
    read.crop.save("crop.jpg", ContentFile(b"\xff\xd8crop\xff\xd9"))
    read.context.save("context.jpg", ContentFile(b"\xff\xd8context\xff\xd9"))
    _read(camera, "777KZA07")
    return read


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst1", role="analyst", centers=["uralsk"])


def test_the_api_needs_a_reason_and_audits_the_search(client, analyst, reads):
    client.force_login(analyst)
    refused = client.post(API, {"pattern": "123*"}, content_type="application/json")
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    assert not AuditEntry.objects.filter(action="plates.search").exists()

    found = client.post(API, {"pattern": "123*07", "reason": "Case 2026-07-0042"}, content_type="application/json")
    assert found.status_code == 200
    (only,) = found.json()
    assert (only["text"], only["display"], only["country"], only["camera"]) == (
        "123ABC07",
        "123 ABC 07",
        "KZ",
        "Dostyk ANPR",
    )
    assert client.get(only["crop_url"]).getvalue() == b"\xff\xd8crop\xff\xd9"
    assert AuditEntry.objects.get(action="plates.search").reason == "Case 2026-07-0042"


def test_an_operator_may_not_search_nor_see_a_reads_pictures(client, operator_uralsk, reads):
    client.force_login(operator_uralsk)
    assert client.post(API, {"pattern": "123*07", "reason": "x"}, content_type="application/json").status_code == 403
    assert client.get(reverse("cameras:plate-picture", args=[reads.pk, "crop"])).status_code == 404
    assert client.get(reverse("cameras:plate-search")).status_code == 403


def test_the_page_searches_with_a_reason_and_never_keeps_it(client, analyst, reads):
    client.force_login(analyst)
    page = client.get(reverse("cameras:plate-search"))
    assert page.status_code == 200 and b'name="reason" value=""' in page.content
    result = client.post(reverse("cameras:plate-search"), {"pattern": "123 АВС 07", "reason": "Case 7"})
    body = result.content.decode()
    assert 'data-text="123ABC07"' in body and 'data-text="777KZA07"' not in body
    assert 'name="reason" value=""' in body  # the reason is asked again for the next search
    assert reverse("cameras:plate-picture", args=[reads.pk, "context"]) in body
    missing = client.post(reverse("cameras:plate-search"), {"pattern": "123*", "reason": ""})
    assert 'class="plate-error"' in missing.content.decode()
    assert AuditEntry.objects.filter(action="plates.search").count() == 1
