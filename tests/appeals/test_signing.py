"""The partner API's request signature: good, wrong, stale, replayed, malformed; nothing changes on a 401."""

import json
import time

import pytest

from appeals.models import Appeal, IdempotencyKey
from appeals.services.partners import partner_rotate
from tests.appeals.conftest import CREATE_PATH, SignedClient, appeal_body

pytestmark = pytest.mark.django_db


def assert_refused(response, code: str, *, stored: int = 0) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"].startswith("HMAC-SHA256")
    assert Appeal.objects.count() == stored
    assert IdempotencyKey.objects.count() == stored


def test_a_well_signed_request_is_accepted(kaspi_client):
    response = kaspi_client.create()
    assert response.status_code == 201, response.content
    assert Appeal.objects.count() == 1


def test_a_signature_with_the_wrong_secret_is_refused(kaspi_client):
    assert_refused(kaspi_client.create(secret="not-the-secret"), "bad_signature")


def test_a_signature_over_another_body_is_refused(kaspi_client):
    body = json.dumps(appeal_body()).encode()
    signed_for_other = SignedClient(kaspi_client.key_id, kaspi_client.secret)
    timestamp = int(time.time())
    from appeals.signing import request_signature

    signature = request_signature(
        secret=kaspi_client.secret, timestamp=str(timestamp), method="POST", path=CREATE_PATH, body=body + b" "
    )
    response = signed_for_other.create(body, timestamp=timestamp, signature=signature)
    assert_refused(response, "bad_signature")


def test_a_signature_over_another_path_or_query_is_refused(kaspi_client):
    from appeals.signing import request_signature

    timestamp = str(int(time.time()))
    signature = request_signature(
        secret=kaspi_client.secret, timestamp=timestamp, method="GET", path="/api/v1/partner/categories?x=1", body=b""
    )
    response = kaspi_client.get("/api/v1/partner/categories?x=2", timestamp=int(timestamp), signature=signature)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"


def test_the_query_is_part_of_the_signed_path(kaspi_client):
    assert kaspi_client.get("/api/v1/partner/categories?lang=kk").status_code == 200


@pytest.mark.parametrize("skew", [-302, 302, -3600])
def test_a_stale_timestamp_is_refused(kaspi_client, skew):
    assert_refused(kaspi_client.create(timestamp=int(time.time()) + skew), "stale_timestamp")


@pytest.mark.parametrize("skew", [-290, 290])
def test_a_timestamp_within_300_seconds_is_accepted(kaspi_client, skew):
    assert kaspi_client.create(timestamp=int(time.time()) + skew).status_code == 201


def test_an_exact_retry_gets_the_first_response_not_a_replay_refusal(kaspi_client):
    body = json.dumps(appeal_body()).encode()
    timestamp = int(time.time())
    first = kaspi_client.create(body, key="same", timestamp=timestamp)
    assert first.status_code == 201

    retry = kaspi_client.create(body, key="same", timestamp=timestamp)  # the same bytes, as HTTP clients retry

    assert retry.status_code == 201, retry.content
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Appeal.objects.count() == 1


def test_a_captured_signature_under_another_idempotency_key_is_refused(kaspi_client):
    body = json.dumps(appeal_body()).encode()
    timestamp = int(time.time())
    assert kaspi_client.create(body, key="first", timestamp=timestamp).status_code == 201

    replay = kaspi_client.create(body, key="another", timestamp=timestamp)

    assert_refused(replay, "replayed_request", stored=1)
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["first"]


def test_a_captured_signature_without_an_idempotency_key_is_refused(kaspi_client):
    timestamp = int(time.time())
    body = json.dumps(appeal_body()).encode()
    assert kaspi_client.create(body, key="first", timestamp=timestamp).status_code == 201
    replay = kaspi_client.send("POST", CREATE_PATH, body, timestamp=timestamp)
    assert_refused(replay, "replayed_request", stored=1)


def test_a_repeated_signed_get_or_upload_is_still_a_replay(kaspi_client):
    timestamp = int(time.time())
    assert kaspi_client.get("/api/v1/partner/categories", timestamp=timestamp).status_code == 200
    assert_refused(kaspi_client.get("/api/v1/partner/categories", timestamp=timestamp), "replayed_request")
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
    key = {"Idempotency-Key": "upload-1"}
    assert kaspi_client.upload(jpeg, timestamp=timestamp, headers=key).status_code == 201
    assert_refused(kaspi_client.upload(jpeg, timestamp=timestamp, headers=key), "replayed_request")


@pytest.mark.parametrize(
    "headers, code",
    [
        ({"X-Signature": ""}, "missing_signature"),
        ({"X-Timestamp": ""}, "missing_signature"),
        ({"X-Partner-Key": ""}, "missing_signature"),
        ({"X-Signature": "sha256=abc"}, "malformed_signature"),
        ({"X-Signature": "v1=" + "g" * 64}, "malformed_signature"),
        ({"X-Timestamp": "yesterday"}, "malformed_signature"),
        ({"X-Timestamp": "1.5e9"}, "malformed_signature"),
        ({"X-Partner-Key": "nobody_0000"}, "unknown_partner"),
    ],
)
def test_missing_malformed_or_unknown_headers_are_refused(kaspi_client, headers, code):
    assert_refused(kaspi_client.create(headers=headers), code)


def test_a_request_without_any_signature_is_refused(client):
    response = client.post(CREATE_PATH, data=appeal_body(), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "missing_signature"


def test_an_inactive_partner_is_refused(kaspi):
    partner, signed = kaspi
    partner.is_active = False
    partner.save()
    assert_refused(signed.create(), "unknown_partner")


def test_after_a_rotation_the_old_secret_works_during_the_overlap_only(kaspi):
    partner, signed = kaspi
    old_secret = signed.secret
    credentials = partner_rotate(partner=partner, overlap_hours=1)
    assert credentials.key_id == signed.key_id
    assert signed.create(secret=old_secret).status_code == 201
    assert signed.create(secret=credentials.secret).status_code == 201

    partner_rotate(partner=partner, overlap_hours=0, webhook_secret=False)
    response = signed.create(secret=credentials.secret)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"


def test_secrets_are_stored_encrypted(kaspi):
    partner, signed = kaspi
    partner.refresh_from_db()
    assert signed.secret not in partner.secret_encrypted
    from appeals import crypto

    assert crypto.decrypt(partner.secret_encrypted) == signed.secret
