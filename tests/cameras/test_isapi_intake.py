"""The ISAPI intake end to end: real bytes posted to the push URL, what is stored, what is answered."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cameras.models import Camera, CameraEvent, EventPicture
from cameras.services.health import pushing_cameras_supervise
from cameras.services.registry import camera_create, push_path
from opscenter.models import Alert
from tests.cameras import isapi_fixtures as fx
from tests.factories import district

pytestmark = pytest.mark.django_db


def _post(url, body, content_type, **extra):
    return Client().generic("POST", url, body, content_type=content_type, **extra)


def test_an_anpr_multipart_push_is_stored_with_its_pictures_and_answered_200(pushing):
    camera, url = pushing
    response = _post(url, fx.ANPR_MULTIPART, fx.MULTIPART)
    assert response.status_code == 200
    event = CameraEvent.objects.get(camera=camera)
    assert (event.kind, event.origin, event.uuid) == ("anpr", "isapi", fx.UUID)
    assert event.data["plate"]["text"] == "123ABC07" and event.data["plate"]["confidence"] == 97
    assert event.camera_time is not None and event.received_at >= event.camera_time.replace(year=2000)
    pictures = {picture.kind: picture.file.read() for picture in EventPicture.objects.filter(event=event)}
    assert pictures == {"plate": fx.PLATE_JPEG, "vehicle": fx.DETECTION_JPEG}
    assert Alert.objects.count() == 0  # a plate read is matched by the recognition issue, not alerted here
    camera.refresh_from_db()
    assert camera.last_contact_at is not None
    assert camera.latest_frame.read() == fx.DETECTION_JPEG  # the wall shows the scene it pushed


def test_a_reupload_with_the_same_uuid_is_stored_once(pushing):
    camera, url = pushing
    assert _post(url, fx.ANPR_MULTIPART, fx.MULTIPART).status_code == 200
    assert _post(url, fx.ANPR_MULTIPART, fx.MULTIPART).status_code == 200
    assert CameraEvent.objects.filter(camera=camera).count() == 1
    assert EventPicture.objects.count() == 2


@pytest.mark.parametrize("name", sorted(fx.ALL))
def test_every_fixture_is_answered_200(pushing, name):
    _camera, url = pushing
    body, content_type = fx.ALL[name]
    assert _post(url, body, content_type).status_code == 200


def test_heartbeats_refresh_health_and_store_no_event(pushing):
    camera, url = pushing
    assert _post(url, fx.HEARTBEAT_XML, "application/xml").status_code == 200
    assert _post(url, fx.VIDEOLOSS_INACTIVE_XML, "application/xml").status_code == 200
    assert CameraEvent.objects.count() == 0
    camera.refresh_from_db()
    assert camera.last_contact_at is not None


def test_a_field_detection_is_an_intrusion_with_its_alert(pushing):
    camera, url = pushing
    assert _post(url, fx.FIELD_DETECTION_XML, "text/xml").status_code == 200
    event = CameraEvent.objects.get(camera=camera)
    assert event.kind == "intrusion" and event.data["regions"]
    alert = Alert.objects.get()
    assert (alert.source, alert.kind, alert.severity, alert.subject_id) == ("cameras", "intrusion", 3, camera.pk)
    assert alert.payload["camera"] == {"id": camera.pk, "name": camera.name}


def test_the_nvr_sample_lands_on_the_camera_of_its_ip_channel():
    first, secret = camera_create(
        name="NVR ch1", kind="fixed", district=district("uralsk"), push_protocol="isapi", push_channel=1
    )
    second, _ = camera_create(name="NVR ch2", kind="fixed", district=district("uralsk"), push_channel=2)
    second.credential = first.credential
    second.save()
    assert _post(push_path(secret), fx.NVR_V1_RAW_AMPERSAND_XML, "application/xml").status_code == 200
    assert list(CameraEvent.objects.values_list("camera__name", "kind")) == [("NVR ch1", "motion")]


def test_a_duration_event_takes_the_kind_of_its_relation_event(pushing):
    camera, url = pushing
    assert _post(url, fx.DURATION_XML, "application/xml").status_code == 200
    assert CameraEvent.objects.get(camera=camera).data["event_type"] == "duration"


def test_garbage_is_answered_200_and_recorded_on_the_camera(pushing):
    camera, url = pushing
    assert _post(url, b"\x00\x01not an event", "application/octet-stream").status_code == 200
    assert CameraEvent.objects.count() == 0
    camera.refresh_from_db()
    assert camera.last_error.startswith("unreadable push:")


def test_an_unknown_token_is_refused_and_stores_nothing(pushing):
    camera, _url = pushing
    response = _post(push_path("not-a-token"), fx.ANPR_MULTIPART, fx.MULTIPART)
    assert response.status_code == 401
    assert CameraEvent.objects.count() == 0
    camera.refresh_from_db()
    assert camera.last_contact_at is None


def test_a_push_from_outside_the_cameras_networks_is_refused(pushing):
    camera, url = pushing
    camera.source_networks = "10.20.0.0/16"
    camera.save()
    assert _post(url, fx.ANPR_MULTIPART, fx.MULTIPART, REMOTE_ADDR="192.0.2.7").status_code == 403
    assert _post(url, fx.ANPR_MULTIPART, fx.MULTIPART, REMOTE_ADDR="10.20.3.4").status_code == 200
    assert CameraEvent.objects.count() == 1


async def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(settings):
    from tests.opscenter.test_body_limit import call

    limit = settings.REQUEST_BODY_LIMITS["/api/v1/cameras/isapi/"]
    status, _headers, _body, read = await call(
        "/api/v1/cameras/isapi/any-token/", [b"-" * (limit + 1)], content_length=limit + 1
    )
    assert (status, read) == (413, 0)


def test_a_push_with_large_pictures_within_the_limit_is_stored(pushing, settings):
    camera, url = pushing
    scene = fx.jpeg((90, 140, 40), trailer=b"\0" * (3 * 1024 * 1024))  # past Django's 2.5 MB in-memory bound
    body = fx.multipart(fx.xml_part(fx.anpr_xml()), fx.jpeg_part(scene, "detectionPicture.jpg"))
    assert len(body) < settings.REQUEST_BODY_LIMITS["/api/v1/cameras/isapi/"]
    assert _post(url, body, fx.MULTIPART).status_code == 200
    assert EventPicture.objects.get(event__camera=camera).file.size == len(scene)


def test_cameras_add_prints_the_push_url_with_its_token_once():
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "cameras_add", "--name", "Gate", "--kind", "anpr", "--district", "uralsk", "--push", "isapi", stdout=out
    )
    printed = json.loads(out.getvalue())
    assert printed["push_url"] == "http://127.0.0.1:8000/api/v1/cameras/isapi/" + printed["push_token"] + "/"
    assert (
        _post("/api/v1/cameras/isapi/" + printed["push_token"] + "/", fx.HEARTBEAT_XML, "application/xml").status_code
        == 200
    )


def test_a_camera_that_only_pushes_is_up_while_it_pushes_and_down_once_it_falls_silent(pushing):
    camera, url = pushing
    assert camera.health()[0] is None  # nothing came yet
    assert _post(url, fx.HEARTBEAT_XML, "application/xml").status_code == 200
    camera.refresh_from_db()
    assert camera.health()[0] is True and camera.stream_up is True
    assert pushing_cameras_supervise() == 0  # it just spoke

    silent_since = timezone.now() - timedelta(seconds=camera.down_grace_seconds + 1)
    Camera.objects.filter(pk=camera.pk).update(last_contact_at=silent_since)
    assert pushing_cameras_supervise() == 1
    assert pushing_cameras_supervise() == 0  # down once, however long it stays silent
    camera.refresh_from_db()
    assert camera.health()[0] is False
    alert = Alert.objects.get(kind="camera_down", source="cameras")
    assert (alert.severity, alert.subject_id, alert.status) == (3, camera.pk, "new")
    assert CameraEvent.objects.get(camera=camera, kind="camera_down").started_at == silent_since

    assert _post(url, fx.HEARTBEAT_XML, "application/xml").status_code == 200  # it speaks again
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.disposition == "technical"
    camera.refresh_from_db()
    assert camera.health()[0] is True
