import json
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from alarms.services import panel_create
from cameras.models import Camera
from cameras.selectors import cameras_beside_alert, cameras_visible
from cameras.services.registry import camera_create
from opscenter.models import AuditEntry
from opscenter.services.alerts import alert_raise
from tests.factories import UserFactory, district

pytestmark = pytest.mark.django_db


def _school():
    return panel_create(
        account="5555",
        object_name="School No. 5",
        object_kind="school",
        district=district("uralsk"),
        latitude=51.2301,
        longitude=51.3702,
    ).protected_object


def test_cameras_add_prints_the_camera_as_json_and_audits_it():
    out = StringIO()
    call_command(
        "cameras_add",
        "--name",
        "Dostyk 1",
        "--kind",
        "anpr",
        "--district",
        "uralsk",
        "--lat",
        "51.23",
        "--lon",
        "51.37",
        "--stream",
        "rtsp://10.0.0.5/sub",
        "--main-stream",
        "rtsp://10.0.0.5/main",
        stdout=out,
    )
    printed = json.loads(out.getvalue())
    camera = Camera.objects.get(pk=printed["id"])
    assert printed == {
        "id": camera.pk,
        "name": "Dostyk 1",
        "kind": "anpr",
        "district": "uralsk",
        "center": "uralsk",
        "latitude": 51.23,
        "longitude": 51.37,
        "detect_stream": "rtsp://10.0.0.5/sub",
        "main_stream": "rtsp://10.0.0.5/main",
        "profile": "default",
        "push": "",
    }
    assert AuditEntry.objects.filter(action="camera.create", object_id=str(camera.pk)).count() == 1


def test_cameras_add_refuses_an_unknown_district_and_stores_nothing():
    with pytest.raises(CommandError, match="Unknown district 'atlantis'"):
        call_command("cameras_add", "--name", "X", "--kind", "fixed", "--district", "atlantis")
    assert Camera.objects.count() == 0


def test_an_onvif_camera_needs_its_host():
    with pytest.raises(ValidationError) as refused:
        camera_create(name="No host", kind="fixed", district=district("uralsk"), push_protocol="onvif")

    assert list(refused.value.message_dict) == ["onvif_host"]


def test_cameras_add_registers_an_onvif_camera_its_password_from_the_environment_never_printed(monkeypatch, capsys):
    monkeypatch.setenv("ONVIF_PASSWORD", "from-the-environment")
    call_command(
        "cameras_add",
        "--name",
        "Gate",
        "--kind",
        "fixed",
        "--district",
        "uralsk",
        "--push",
        "onvif",
        "--onvif-host",
        "10.7.0.21",
        "--onvif-port",
        "8000",
        "--onvif-user",
        "events",
    )

    printed = capsys.readouterr().out
    camera = Camera.objects.get(name="Gate")
    assert (camera.push_protocol, camera.onvif_host, camera.onvif_port) == ("onvif", "10.7.0.21", 8000)
    assert (camera.onvif_username, camera.onvif_password, camera.credential) == ("events", "from-the-environment", None)
    assert '"onvif": "10.7.0.21:8000"' in printed
    assert "from-the-environment" not in printed


def test_a_bad_zone_is_refused_with_its_reason():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Zone 1: points are at least three"):
        camera_create(
            name="X", kind="fixed", district=district("uralsk"), zones=[{"kind": "crowd", "points": [[0, 0]]}]
        )
    assert Camera.objects.count() == 0


def test_a_schools_alarm_shows_the_cameras_watching_it_first_then_those_near_its_place(operator_uralsk):
    school = _school()
    watching, _ = camera_create(name="School 5 gate", kind="fixed", district=district("uralsk"), watches=school)
    near, _ = camera_create(
        name="Street", kind="fixed", district=district("uralsk"), latitude=51.2310, longitude=51.3702
    )
    camera_create(name="Far away", kind="fixed", district=district("uralsk"), latitude=51.30, longitude=51.40)
    alert = alert_raise(
        source="alarms",
        kind="panic",
        severity=1,
        title="Panic",
        district=district("uralsk"),
        latitude=51.2301,
        longitude=51.3702,
        subject=school,
    )
    assert alert.subject_type == ContentType.objects.get_for_model(school)
    beside = cameras_beside_alert(user=operator_uralsk, alert=alert)
    assert [(camera.name, watches) for camera, _metres, watches in beside] == [
        ("School 5 gate", True),
        ("Street", False),
    ]
    assert beside[1][1] == pytest.approx(100, abs=2)
    assert near.pk in {camera.pk for camera, *_ in beside} and watching.pk == beside[0][0].pk


def test_cameras_of_another_district_are_never_shown(operator_syrym, camera):
    assert list(cameras_visible(user=operator_syrym)) == []
    alert = alert_raise(
        source="test", kind="x", severity=2, title="x", district=district("uralsk"), latitude=51.2301, longitude=51.3702
    )
    assert cameras_beside_alert(user=operator_syrym, alert=alert) == []


def test_a_patrol_officer_sees_no_camera(camera):
    patrol = UserFactory(role="patrol")
    assert list(cameras_visible(user=patrol)) == []


def test_the_alert_detail_carries_the_camera_tiles(client, operator_uralsk, camera):
    alert = alert_raise(
        source="test", kind="x", severity=2, title="x", district=district("uralsk"), latitude=51.2301, longitude=51.3702
    )
    client.force_login(operator_uralsk)
    body = client.get(reverse("alert-detail", args=[alert.pk]), HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["beside"] == [
        {
            "kind": "camera",
            "id": camera.pk,
            "title": camera.name,
            "image_url": None,
            "frame_url": f"/cameras/{camera.pk}/latest.jpg",
            "page_url": f"/cameras/#camera-{camera.pk}",
            "up": None,
            "health": "not analysed yet",
            "taken_at": None,
            "metres": 0,
            "watches": False,
            "own": False,
        }
    ]


def test_the_cameras_map_layer_is_scoped(client, operator_uralsk, operator_syrym, camera):
    client.force_login(operator_uralsk)
    features = client.get(reverse("map-layer", args=["cameras"])).json()["features"]
    assert [feature["properties"]["name"] for feature in features] == [camera.name]
    client.force_login(operator_syrym)
    assert client.get(reverse("map-layer", args=["cameras"])).json()["features"] == []


def test_the_video_wall_shows_the_scopes_cameras_only(client, operator_uralsk, operator_syrym, camera):
    client.force_login(operator_uralsk)
    assert f'id="camera-{camera.pk}"' in client.get(reverse("cameras:wall")).content.decode()
    client.force_login(operator_syrym)
    page = client.get(reverse("cameras:wall")).content.decode()
    assert f'id="camera-{camera.pk}"' not in page and 'class="wall-empty"' in page


def test_a_latest_frame_outside_the_scope_is_not_found(client, operator_syrym, camera):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    camera.latest_frame.save("x.jpg", ContentFile(b"\xff\xd8\xff\xd9"), save=False)
    camera.latest_frame_at = timezone.now()
    camera.save()
    client.force_login(operator_syrym)
    assert client.get(reverse("cameras:latest-frame", args=[camera.pk])).status_code == 404
