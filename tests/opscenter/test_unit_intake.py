"""A unit's tablet or tracker reports its position in the OsmAnd protocol (the parser bracelets use,
opscenter.osmand), authenticated by the unit device's secret: Traccar's own examples as bytes, the form
and JSON bodies, a late fix, another device's id, a wrong secret and malformed fields."""

import socket
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from opscenter.models import DeviceCredential, Unit
from opscenter.services.units import unit_device_issue
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

PATH = "/api/v1/units/osmand"


@pytest.fixture
def unit_device(db):
    unit = make_unit("Беркут-7", status="available")
    secret = unit_device_issue(unit=unit, actor=None)
    return Unit.objects.select_related("credential").get(pk=unit.pk), secret


def stored(unit: Unit) -> tuple:
    unit.refresh_from_db()
    return unit.latitude, unit.longitude, unit.position_at


def test_a_query_as_osmand_sends_it_moves_the_unit(unit_device):
    unit, secret = unit_device
    now = int(timezone.now().timestamp())

    response = Client().get(f"{PATH}?id=Беркут-7&timestamp={now}&lat=51.2301&lon=51.3702&speed=12.5&key={secret}")

    assert response.status_code == 200, response.content
    assert response.json()["unit"] == "Беркут-7"
    latitude, longitude, at = stored(unit)
    assert (latitude, longitude, int(at.timestamp())) == (51.2301, 51.3702, now)
    unit.credential.refresh_from_db()
    assert unit.credential.last_used_at is not None


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded", b"lat=51.25&lon=51.40&timestamp=2026-12-03T10%3A00%3A00Z&batt=80"),
        (
            "application/json",
            b'{"location":{"timestamp":"2026-12-03T10:00:00.000Z","coords":{"latitude":51.25,"longitude":51.40,'
            b'"accuracy":5,"speed":3.1,"heading":90},"battery":{"level":0.8},"is_moving":true},"device_id":"\xd0\x91'
            b'\xd0\xb5\xd1\x80\xd0\xba\xd1\x83\xd1\x82-7"}',
        ),
    ],
)
def test_a_form_or_json_body_moves_the_unit(unit_device, content_type, body):
    unit, secret = unit_device

    response = Client().generic("POST", PATH, body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 200, response.content
    latitude, longitude, at = stored(unit)
    assert (latitude, longitude, at.isoformat()) == (51.25, 51.40, "2026-12-03T10:00:00+00:00")


def test_fixes_within_the_interval_reach_the_consoles_folded_into_one_with_the_newest(
    unit_device, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from opscenter import tasks
    from opscenter.services import units as units_service

    settings.UNIT_POSITION_PUBLISH_SECONDS = 60
    cache.clear()
    unit, secret = unit_device
    published, scheduled = [], []
    monkeypatch.setattr(units_service, "publish_unit_on_commit", lambda fresh: published.append(fresh.latitude))
    monkeypatch.setattr(
        tasks.unit_position_publish, "apply_async", lambda args, countdown: scheduled.append((args, countdown))
    )
    now = int(timezone.now().timestamp())

    with django_capture_on_commit_callbacks(execute=True):
        for step, latitude in enumerate([51.2301, 51.2305, 51.2309]):
            query = f"id=Беркут-7&timestamp={now - 10 + step}&lat={latitude}&lon=51.37&key={secret}"
            assert Client().get(f"{PATH}?{query}").status_code == 200

    # The first fix went out at once; the next two wait for one publish at the end of the interval
    assert published == [51.2301]
    assert scheduled == [((unit.pk,), 60.0)]
    tasks.unit_position_publish(unit.pk)
    assert published == [51.2301, 51.2309]  # the unit as it is then: its newest fix


def test_with_no_interval_every_fix_reaches_the_consoles(unit_device, settings, monkeypatch):
    from opscenter.services import units as units_service

    settings.UNIT_POSITION_PUBLISH_SECONDS = 0
    _unit, secret = unit_device
    published = []
    monkeypatch.setattr(units_service, "publish_unit_on_commit", lambda fresh: published.append(fresh.latitude))
    now = int(timezone.now().timestamp())
    for step, latitude in enumerate([51.2301, 51.2305]):
        Client().get(f"{PATH}?id=Беркут-7&timestamp={now - 10 + step}&lat={latitude}&lon=51.37&key={secret}")
    assert published == [51.2301, 51.2305]


def test_a_late_fix_does_not_move_the_unit_back(unit_device):
    unit, secret = unit_device
    now = timezone.now()
    client = Client()
    client.get(PATH, {"lat": 51.3, "lon": 51.4, "timestamp": int(now.timestamp()), "key": secret})

    client.get(
        PATH, {"lat": 50.0, "lon": 50.0, "timestamp": int((now - timedelta(minutes=5)).timestamp()), "key": secret}
    )

    assert stored(unit)[:2] == (51.3, 51.4)


@pytest.mark.parametrize(
    "query, status, field",
    [
        ("lat=91&lon=51", 400, "lat"),
        ("lat=51.2", 400, "lon"),
        ("lat=51.2&lon=51.3&timestamp=yesterday", 400, "timestamp"),
        ("lat=51.2&lon=51.3&timestamp=4102444800000", 400, "timestamp"),  # 2100 in milliseconds: ahead of the clock
        ("", 400, "id"),
    ],
)
def test_malformed_fields_are_named_and_nothing_moves(unit_device, query, status, field):
    unit, secret = unit_device

    response = Client().get(f"{PATH}?{query}", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == status
    assert list(response.json()["errors"]) == [field]
    assert stored(unit) == (None, None, None)


def test_a_wrong_secret_another_devices_id_or_a_bracelets_secret_is_refused(unit_device):
    from opscenter.services.credentials import credential_issue

    unit, secret = unit_device
    _bracelet, bracelet_secret = credential_issue(kind="bracelet", identifier="356938035643809")
    client = Client()

    wrong = client.get(PATH, {"lat": 51.2, "lon": 51.3, "key": "not-the-secret"})
    other = client.get(PATH, {"id": "Беркут-8", "lat": 51.2, "lon": 51.3, "key": secret})
    bracelet = client.get(PATH, {"lat": 51.2, "lon": 51.3, "key": bracelet_secret})

    assert (wrong.status_code, other.status_code, bracelet.status_code) == (401, 401, 401)
    assert stored(unit) == (None, None, None)


def test_a_device_whose_unit_left_service_is_refused(unit_device):
    unit, secret = unit_device
    Unit.objects.filter(pk=unit.pk).update(is_active=False)

    response = Client().get(PATH, {"lat": 51.2, "lon": 51.3, "key": secret})

    assert response.status_code == 401
    assert DeviceCredential.objects.get(pk=unit.credential_id).last_used_at is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_bytes_a_tracker_sends_over_a_socket(live_server):
    # Given a unit with its device's secret, behind a real HTTP server
    unit = make_unit("Беркут-9", status="available")
    secret = unit_device_issue(unit=unit, actor=None)
    address = urlsplit(live_server.url)
    now = int(timezone.now().timestamp())

    # When the tracker sends Traccar's OsmAnd request, byte for byte (through the TLS proxy, as in production)
    request = (
        f"GET {PATH}?id=%D0%91%D0%B5%D1%80%D0%BA%D1%83%D1%82-9&timestamp={now}&lat=51.2222&lon=51.3333"
        f"&speed=0.0&bearing=0.0&altitude=0&hdop=0.0 HTTP/1.1\r\n"
        f"Host: {address.hostname}\r\nAuthorization: Bearer {secret}\r\nX-Forwarded-Proto: https\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk

    # Then it is answered 200 and the unit is where the tracker said
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    unit.refresh_from_db()
    assert (unit.latitude, unit.longitude, int(unit.position_at.timestamp())) == (51.2222, 51.3333, now)
