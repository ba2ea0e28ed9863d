"""Throttling of the partner and device endpoints, per credential: 429 with Retry-After past the rate,
and another credential is not slowed."""

import time

import pytest
from rest_framework.test import APIClient

from appeals.services.partners import partner_create
from bracelets.services.registry import bracelet_add, gateway_add
from tests.appeals.conftest import SignedClient

pytestmark = pytest.mark.django_db

OSMAND = "/api/v1/tracking/osmand"
TRACCAR = "/api/v1/tracking/traccar"
CATEGORIES = "/api/v1/partner/categories"


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
        }

    return set_rates


def position(token, unique_id):
    return APIClient().get(OSMAND, {"key": token, "id": unique_id, "lat": 51.23, "lon": 51.37})


def test_a_device_past_its_rate_gets_429_with_retry_after_and_others_are_not_slowed(rates):
    rates(device="3/minute")
    _bracelet, token = bracelet_add(unique_id="861000000000001")
    _other, other_token = bracelet_add(unique_id="861000000000002")
    statuses = [position(token, "861000000000001").status_code for _ in range(3)]

    refused = position(token, "861000000000001")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"
    assert position(other_token, "861000000000002").status_code != 429
    assert 429 not in statuses


def test_a_gateway_has_a_rate_of_its_own(rates):
    rates(device="1/minute", **{"device.bracelet_gateway": "5/minute"})
    _gateway, token = gateway_add(name="traccar-1")
    client = APIClient(headers={"Authorization": f"Bearer {token}"})
    statuses = [client.post(TRACCAR, {}, format="json").status_code for _ in range(6)]
    assert statuses.count(429) == 1
    assert statuses[-1] == 429


def test_wrong_secrets_are_refused_by_authentication_not_counted(rates):
    rates(device="1/minute")
    assert [position("not-a-secret", "1").status_code for _ in range(3)] == [401, 401, 401]


def test_a_partner_past_its_rate_gets_429_with_retry_after(rates):
    rates(partner="2/minute")
    _partner, credentials = partner_create(code="kaspi", name="Kaspi.kz")
    signed = SignedClient(key_id=credentials.key_id, secret=credentials.secret)
    _other, other_credentials = partner_create(code="halyk", name="Halyk Bank")
    other = SignedClient(key_id=other_credentials.key_id, secret=other_credentials.secret)
    now = int(time.time())
    # Each request signed afresh (a repeated signature would be a replay).
    statuses = [signed.get(CATEGORIES, timestamp=now - age).status_code for age in range(2)]

    refused = signed.get(CATEGORIES, timestamp=now - 2)

    assert statuses == [200, 200]

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert other.get(CATEGORIES).status_code == 200
