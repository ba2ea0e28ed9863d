"""What a review of the cameras found, each pinned: claims take never-leased cameras first on every
database; a small worker beside a large one leaves no camera unanalysed; a drone's token is no ISAPI push
URL; an ANPR event's pictures need the plate search; the ONVIF password does not follow a changed host;
plate retention runs on our clock."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cameras.models import Camera, CameraEvent, EventPicture, PlateRead, VideoWorkerPresence
from cameras.services.leases import leases_claim, worker_present
from cameras.services.registry import camera_create, push_path
from cameras.services.retention import events_purge
from tests.admin_forms import change_form_data
from tests.cameras import isapi_fixtures as fx
from tests.cameras.test_plates import _read
from tests.factories import UserFactory, district

pytestmark = pytest.mark.django_db


def _stream_camera(name: str) -> Camera:
    camera, _secret = camera_create(name=name, kind="fixed", district=district("uralsk"), detect_stream="/tmp/x.mp4")
    return camera


def test_a_claim_takes_the_never_leased_cameras_not_the_ones_it_holds():
    now = timezone.now()
    held, free_one, free_two = (_stream_camera(f"C{i}") for i in range(3))
    Camera.objects.filter(pk=held.pk).update(lease_owner="a", lease_until=now + timedelta(seconds=30))
    claimed = leases_claim(owner="a", limit=2, now=now, held=[held.pk])
    assert {camera.pk for camera in claimed} == {free_one.pk, free_two.pk}


def test_a_small_worker_beside_a_large_one_leaves_no_camera_unanalysed():
    now = timezone.now()
    cameras = [_stream_camera(f"C{i}") for i in range(6)]
    VideoWorkerPresence.objects.create(name="small", seen_at=now, capacity=1)
    Camera.objects.filter(pk=cameras[0].pk).update(lease_owner="small", lease_until=now + timedelta(seconds=30))
    share, wanted = worker_present(owner="large", capacity=10, now=now)
    assert share == 3  # six cameras, two workers
    assert wanted is False  # the small one is full: the large one may claim past its share, all five others


def test_a_drones_token_is_no_isapi_push_url():
    _drone, secret = camera_create(name="Drone 1", kind="drone", district=district("uralsk"))
    response = Client().generic("POST", push_path(secret), fx.ANPR_MULTIPART, content_type=fx.MULTIPART)
    assert response.status_code == 401
    assert not CameraEvent.objects.exists()


def test_an_anpr_events_pictures_are_for_those_who_search_plates(operator_uralsk):
    _camera, secret = camera_create(name="ANPR", kind="anpr", district=district("uralsk"), push_protocol="isapi")
    Client().generic("POST", push_path(secret), fx.ANPR_MULTIPART, content_type=fx.MULTIPART)
    picture = EventPicture.objects.filter(event__kind="anpr").first()
    url = reverse("cameras:event-picture", args=[picture.pk])
    operator = Client()
    operator.force_login(operator_uralsk)
    assert operator.get(url).status_code == 404
    analyst = Client()
    analyst.force_login(UserFactory(username="analyst2", role="analyst", centers=["uralsk"]))
    assert analyst.get(url).status_code == 200


def test_the_onvif_password_does_not_follow_a_changed_host(admin_client):
    camera, _secret = camera_create(
        name="Post gate", kind="fixed", district=district("uralsk"), push_protocol="onvif", onvif_host="10.7.1.5"
    )
    Camera.objects.filter(pk=camera.pk).update(onvif_username="viewer", onvif_password="s3cret-onvif")
    url = reverse("admin:cameras_camera_change", args=[camera.pk])
    data = change_form_data(admin_client.get(url), onvif_password="", onvif_host="203.0.113.66")
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "onvif_password" in response.context["adminform"].form.errors
    camera.refresh_from_db()
    assert camera.onvif_host == "10.7.1.5"


def test_plate_retention_runs_on_our_clock_not_the_cameras(settings):
    camera, _secret = camera_create(name="ANPR 2", kind="anpr", district=district("uralsk"))
    settings.PLATE_READ_RETENTION_DAYS = 30
    ahead = _read(camera, "123ABC07", days_ago=-3650)  # the camera's clock ten years ahead
    PlateRead.objects.filter(pk=ahead.pk).update(received_at=timezone.now() - timedelta(days=31))
    events_purge()
    assert not PlateRead.objects.filter(pk=ahead.pk).exists()
