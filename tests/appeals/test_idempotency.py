"""Idempotency-Key on POST /api/v1/partner/appeals: replay, conflict, in progress, concurrent, expiry."""

import json
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from appeals.models import Appeal, IdempotencyKey, IdempotencyState
from appeals.services.idempotency import idempotency_claim, request_hash
from tests.appeals.conftest import CREATE_PATH, SignedClient, appeal_body

pytestmark = pytest.mark.django_db


def test_a_retry_with_the_same_key_and_body_gets_the_first_response(kaspi_client):
    body = json.dumps(appeal_body()).encode()
    first = kaspi_client.create(body, key="order-1")
    retry = kaspi_client.create(body, key="order-1", timestamp=int(time.time()) + 1)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Appeal.objects.count() == 1


def test_the_same_json_with_other_spacing_and_key_order_is_the_same_request(kaspi_client):
    data = appeal_body()
    first = kaspi_client.create(json.dumps(data).encode(), key="order-2")
    reordered = json.dumps(dict(reversed(list(data.items()))), indent=2).encode()
    retry = kaspi_client.create(reordered, key="order-2")
    assert retry.json() == first.json()
    assert Appeal.objects.count() == 1


def test_the_same_key_with_another_body_is_422(kaspi_client):
    assert kaspi_client.create(appeal_body(), key="order-3").status_code == 201
    other = kaspi_client.create(appeal_body(description="Something else entirely."), key="order-3")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Appeal.objects.count() == 1


def test_keys_are_per_partner(kaspi_client, halyk):
    assert kaspi_client.create(appeal_body(), key="shared").status_code == 201
    assert halyk[1].create(appeal_body(), key="shared").status_code == 201
    assert Appeal.objects.count() == 2


def test_a_retry_while_the_first_still_runs_is_409(kaspi):
    partner, signed = kaspi
    body = json.dumps(appeal_body()).encode()
    # The first request has claimed the key and is still working.
    idempotency_claim(
        partner=partner, key="busy", request_hash=request_hash(method="POST", path=CREATE_PATH, body=body)
    )
    response = signed.create(body, key="busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_progress"
    assert Appeal.objects.count() == 0


def test_a_claim_abandoned_past_the_lock_timeout_is_taken_over(kaspi, settings):
    partner, signed = kaspi
    body = json.dumps(appeal_body()).encode()
    idempotency_claim(
        partner=partner, key="died", request_hash=request_hash(method="POST", path=CREATE_PATH, body=body)
    )
    IdempotencyKey.objects.update(
        locked_at=timezone.now() - timedelta(seconds=settings.APPEALS_IDEMPOTENCY_LOCK_SECONDS + 1)
    )
    assert signed.create(body, key="died").status_code == 201
    assert IdempotencyKey.objects.get().state == IdempotencyState.COMPLETED


def test_keys_live_at_least_24_hours_then_are_purged(kaspi_client, settings):
    from appeals.services.idempotency import idempotency_purge_expired

    kaspi_client.create(appeal_body(), key="old")
    key = IdempotencyKey.objects.get()
    assert key.expires_at - key.created_at >= timedelta(hours=24)
    assert idempotency_purge_expired(now=key.created_at + timedelta(hours=23)) == 0
    assert idempotency_purge_expired(now=key.expires_at) == 1


def test_an_expired_key_may_be_used_again(kaspi_client):
    kaspi_client.create(appeal_body(), key="again")
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = kaspi_client.create(appeal_body(description="A new appeal, days later."), key="again")
    assert response.status_code == 201
    assert Appeal.objects.count() == 2


def test_an_invalid_key_is_refused(kaspi_client):
    response = kaspi_client.create(appeal_body(), key="x" * 256)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_requests_with_one_key_make_one_appeal(kaspi):
    _partner, signed = kaspi
    body = json.dumps(appeal_body()).encode()
    barrier = threading.Barrier(8)
    results: list[int] = []

    def send(offset: int) -> None:
        try:
            client = SignedClient(signed.key_id, signed.secret)
            barrier.wait()
            results.append(client.create(body, key="race", timestamp=int(time.time()) + offset).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Appeal.objects.count() == 1
    assert results.count(201) >= 1
    assert set(results) <= {201, 409}
    # once done, any retry replays the first response
    replay = signed.create(body, key="race", timestamp=int(time.time()) + 20)
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_appeals_get_consecutive_numbers_without_gaps(kaspi):
    _partner, signed = kaspi
    barrier = threading.Barrier(10)
    numbers: list[str] = []

    def send(index: int) -> None:
        try:
            client = SignedClient(signed.key_id, signed.secret)
            barrier.wait()
            body = appeal_body(partner_reference=f"ref-{index}")
            if index % 3 == 0:
                body["category"] = "invalid"  # refused: must not burn a number
            response = client.create(body)
            if response.status_code == 201:
                numbers.append(response.json()["registration_number"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sequence = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    assert sequence == list(range(1, 7))
