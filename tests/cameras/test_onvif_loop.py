"""ONVIF cameras in the worker: their notifications becoming our events and alerts."""

import datetime as dt

import pytest

from cameras.models import Camera, CameraEvent, EventOrigin, PushProtocol
from cameras.onvif import OnvifNotification
from cameras.services.health import worker_events_interrupted
from cameras.services.pushed import onvif_notification_store
from cameras.services.registry import camera_create
from opscenter.models import Alert
from tests.cameras.onvif_stub import PASSWORD, USERNAME
from tests.factories import district

MOTION = "tns1:RuleEngine/CellMotionDetector/Motion"
LINE = "tns1:RuleEngine/LineDetector/Crossed"
FIELD = "tns1:RuleEngine/FieldDetector/ObjectsInside"
RULE = {
    "VideoSourceConfigurationToken": "VideoSourceToken",
    "VideoAnalyticsConfigurationToken": "VAToken",
    "Rule": "MyMotionDetectorRule",
}
AT = dt.datetime(2025, 3, 14, 9, 26, 53, 589000, tzinfo=dt.UTC)
RECEIVED = dt.datetime(2025, 3, 14, 9, 26, 55, tzinfo=dt.UTC)


def onvif_camera(port: int, *, password: str = PASSWORD, detect_stream: str = "", grace: int = 1) -> Camera:
    camera, _ = camera_create(
        name="Gate of School No. 5",
        kind="fixed",
        district=district("uralsk"),
        latitude=51.2301,
        longitude=51.3702,
        detect_stream=detect_stream,
        push_protocol=PushProtocol.ONVIF,
        onvif_host="127.0.0.1",
        onvif_port=port,
        onvif_username=USERNAME,
        onvif_password=password,
    )
    Camera.objects.filter(pk=camera.pk).update(down_grace_seconds=grace)
    camera.refresh_from_db()
    return camera


def said(topic: str, active: bool | None, *, source: dict[str, str] = RULE, at: dt.datetime | None = AT, **items):
    kinds = {MOTION: "motion", LINE: "line_crossing", FIELD: "field_detection"}
    return OnvifNotification(
        topic=topic,
        kind=kinds.get(topic, ""),
        active=active,
        at=at or RECEIVED,
        source=source,
        data=items,
        camera_time=at,
        instant=topic == LINE,
    )


# -- notifications → events (the store, without a device) -------------------------------------------------


@pytest.mark.django_db
def test_an_object_inside_a_field_opens_an_intrusion_with_its_alert_and_leaving_it_closes_both():
    camera = onvif_camera(80)
    rule = {**RULE, "Rule": "Fence"}

    opened = onvif_notification_store(
        camera=camera, notification=said(FIELD, True, source=rule, IsInside="true"), received_at=RECEIVED
    )
    closed = onvif_notification_store(
        camera=camera,
        notification=said(FIELD, False, source=rule, at=AT + dt.timedelta(seconds=7), IsInside="false"),
        received_at=RECEIVED,
    )

    assert opened is not None and closed == opened
    event = CameraEvent.objects.get()
    assert (event.kind, event.origin, event.zone) == ("intrusion", EventOrigin.ONVIF, "Fence")
    assert (event.started_at, event.ended_at, event.camera_time) == (AT, AT + dt.timedelta(seconds=7), AT)
    assert event.data["topic"] == FIELD
    alert = Alert.objects.get()
    assert (event.alert_id, alert.kind, alert.severity, alert.dedup_key) == (
        alert.pk,
        "intrusion",
        3,
        f"cameras:{camera.pk}:intrusion:Fence",
    )
    assert alert.payload["ended_at"] == (AT + dt.timedelta(seconds=7)).isoformat()


@pytest.mark.django_db
def test_a_state_sent_again_opens_no_second_event_and_an_off_with_nothing_open_changes_nothing():
    camera = onvif_camera(80)

    # A camera tells every new subscription its states ("Initialized"): the motion still on, say.
    first = onvif_notification_store(camera=camera, notification=said(MOTION, True), received_at=RECEIVED)
    again = onvif_notification_store(camera=camera, notification=said(MOTION, True), received_at=RECEIVED)
    onvif_notification_store(camera=camera, notification=said(MOTION, False), received_at=RECEIVED)
    stray = onvif_notification_store(camera=camera, notification=said(MOTION, False), received_at=RECEIVED)

    assert first is not None and (again, stray) == (None, None)
    assert CameraEvent.objects.count() == 1


@pytest.mark.django_db
def test_each_rule_has_its_own_event_and_its_off_closes_only_its_own():
    camera = onvif_camera(80)
    north, south = {**RULE, "Rule": "North"}, {**RULE, "Rule": "South"}

    for source in (north, south):
        onvif_notification_store(camera=camera, notification=said(MOTION, True, source=source), received_at=RECEIVED)
    onvif_notification_store(camera=camera, notification=said(MOTION, False, source=north), received_at=RECEIVED)

    assert dict(CameraEvent.objects.values_list("zone", "ended_at")) == {"North": AT, "South": None}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "notification",
    [
        said("tns1:Monitoring/ProcessorUsage", True),  # the device's own monitoring: no event of ours
        said(MOTION, None, IsMotion="maybe"),  # a state it could not read
        said(LINE, None),  # a crossing that names no object
    ],
)
def test_what_is_no_event_of_ours_stores_nothing(notification):
    camera = onvif_camera(80)

    assert onvif_notification_store(camera=camera, notification=notification, received_at=RECEIVED) is None
    assert not CameraEvent.objects.exists()


@pytest.mark.django_db
def test_an_event_without_the_cameras_time_is_dated_when_it_was_received():
    camera = onvif_camera(80)

    event = onvif_notification_store(camera=camera, notification=said(MOTION, True, at=None), received_at=RECEIVED)

    assert event is not None
    assert (event.started_at, event.camera_time) == (RECEIVED, None)


@pytest.mark.django_db
def test_a_worker_taking_the_camera_over_closes_the_onvif_events_its_predecessor_left_open():
    camera = onvif_camera(80)
    onvif_notification_store(camera=camera, notification=said(MOTION, True), received_at=RECEIVED)

    assert worker_events_interrupted(camera=camera, at=RECEIVED) == 0  # the analysis' own events only
    assert worker_events_interrupted(camera=camera, at=RECEIVED, origin=EventOrigin.ONVIF) == 1
    assert CameraEvent.objects.get().ended_at == RECEIVED
