import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from appeals.iin import iin_make
from appeals.services.partners import partner_create
from appeals.signing import request_signature

CREATE_PATH = "/api/v1/partner/appeals"


def valid_iin(serial: int = 1, birth: date = date(1990, 1, 15), female: bool = False) -> str:
    while (iin := iin_make(birth, female=female, serial=serial)) is None:
        serial += 1
    return iin


IIN = valid_iin()


def appeal_body(**overrides) -> dict:
    body = {
        "category": "traffic_violation",
        "appeal_type": "report",
        "description": "A car parks on the pavement by school No. 5 every morning.",
        "occurred_at": "2026-11-20T08:10:00+05:00",
        "location": {"lat": 51.2302, "lon": 51.3860, "address": "Уральск, пр. Достык 12"},
        "applicant": {"iin": IIN, "full_name": "Серикова Айгуль", "phone": "+77011234567"},
        "anonymous": False,
        "attachments": [],
        "partner_reference": "ref-1",
    }
    body.update(overrides)
    return body


@dataclass
class SignedClient:
    """A partner's HTTP client: signs every request as the partner API requires."""

    key_id: str
    secret: str
    client: Client = field(default_factory=lambda: Client(headers={"Accept-Language": "en"}))

    def send(self, method: str, path: str, body: bytes = b"", *, content_type: str = "application/json",
             headers: dict | None = None, timestamp: int | None = None, secret: str | None = None,
             signature: str | None = None):  # fmt: skip
        timestamp_text = str(int(time.time()) if timestamp is None else timestamp)
        if signature is None:
            signature = request_signature(
                secret=secret or self.secret, timestamp=timestamp_text, method=method, path=path, body=body
            )
        all_headers = {"X-Partner-Key": self.key_id, "X-Timestamp": timestamp_text, "X-Signature": signature}
        all_headers.update(headers or {})
        return self.client.generic(method, path, data=body, content_type=content_type, headers=all_headers)

    def create(self, body: dict | bytes | None = None, *, key: str | None = None, **options):
        raw = body if isinstance(body, bytes) else json.dumps(body if body is not None else appeal_body()).encode()
        headers = {"Idempotency-Key": key or uuid.uuid4().hex, **options.pop("headers", {})}
        return self.send("POST", CREATE_PATH, raw, headers=headers, **options)

    def get(self, path: str, **options):
        return self.send("GET", path, **options)

    def upload(self, content: bytes, name: str = "photo.jpg", **options):
        from django.core.files.uploadedfile import SimpleUploadedFile

        raw = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile(name, content)})
        return self.send("POST", "/api/v1/partner/attachments", raw, content_type=MULTIPART_CONTENT, **options)


@pytest.fixture
def kaspi(db):
    partner, credentials = partner_create(code="kaspi", name="Kaspi.kz")
    return partner, SignedClient(credentials.key_id, credentials.secret)


@pytest.fixture
def halyk(db):
    partner, credentials = partner_create(code="halyk", name="Halyk Bank")
    return partner, SignedClient(credentials.key_id, credentials.secret)


@pytest.fixture
def kaspi_client(kaspi) -> SignedClient:
    return kaspi[1]


@pytest.fixture
def client() -> Client:
    """The test client, asking for English (pages otherwise speak the default, Russian)."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture(autouse=True)
def _fresh_replay_cache():
    from django.core.cache import cache

    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def officer_uralsk(db):
    from tests.factories import UserFactory

    return UserFactory(username="officer_uralsk", role="district_officer", districts=["uralsk"])


def appeal_input(**overrides):
    from appeals.services.appeals import AppealInput, ApplicantInput

    fields = {
        "category": "traffic_violation",
        "appeal_type": "report",
        "description": "Cars park on the pavement.",
        "latitude": 51.2302,
        "longitude": 51.3860,
        "address": "Уральск, пр. Достык 12",
        "applicant": ApplicantInput(IIN, "Серикова Айгуль", "+77011234567"),
    }
    fields.update(overrides)
    return AppealInput(**fields)


TEREKTI_POINT = {"latitude": 51.2542, "longitude": 51.9897, "address": ""}
NOWHERE = {"latitude": None, "longitude": None, "address": "у старой мельницы"}


@pytest.fixture
def file_appeal(kaspi):
    """Files an appeal through the service, as the partner API does."""
    from appeals.services.appeals import appeal_submit

    def make(partner=None, **overrides):
        return appeal_submit(partner=partner or kaspi[0], data=appeal_input(**overrides))

    return make


@pytest.fixture
def supervisor_uralsk_center(db):
    from tests.factories import UserFactory

    return UserFactory(username="sup_uralsk_center", role="supervisor", centers=["uralsk"])
