"""ONVIF cameras in the worker: a camera's ONVIF loop against the stub device over real HTTP
(tests/cameras/onvif_stub.py), its notifications becoming our events and alerts, its answers being its
health when it has no detect stream, and the worker starting and stopping it with the camera's lease."""

import datetime as dt
import logging

import pytest

from cameras.models import Camera, CameraEvent, EventOrigin, PushProtocol
from cameras.onvif import OnvifNotification
from cameras.services.health import worker_events_interrupted
from cameras.services.leases import leases_claim
from cameras.services.pushed import onvif_notification_store
from cameras.services.registry import camera_create
from cameras.video.onvif_loop import OnvifLoop
from cameras.video.worker import CameraLoop, VideoWorker
from opscenter.models import Alert, AlertEvent
from tests.cameras.onvif_stub import PASSWORD, USERNAME, OnvifStubThread
from tests.cameras.test_worker import eventually
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
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


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


@pytest.fixture
def fast(settings):
    settings.VIDEO_RECONNECT_SECONDS = (0.1, 0.2)


@pytest.fixture
def device():
    with OnvifStubThread() as stub:
        yield stub


@pytest.fixture
def running():
    started: list[OnvifLoop] = []

    def run(camera: Camera) -> OnvifLoop:
        loop = OnvifLoop(camera, wait_s=0.5, timeout_s=2)
        started.append(loop)
        loop.start()
        return loop

    yield run
    for loop in started:
        loop.stop.set()
    for loop in started:
        loop.join(15)


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


# -- the loop against the device ------------------------------------------------------------------------------


@TRANSACTIONAL
def test_motion_turning_on_then_off_is_one_event_from_its_start_to_its_end(fast, device, running):
    camera = onvif_camera(device.port)
    loop = running(camera)
    device.call(lambda stub: stub.wait_subscriptions(1))
    eventually(lambda: Camera.objects.get(pk=camera.pk).stream_up is True)

    device.call(lambda stub: stub.push(MOTION, source=RULE, data={"IsMotion": "true"}, at=AT))
    eventually(lambda: CameraEvent.objects.filter(kind="motion").exists())
    device.call(
        lambda stub: stub.push(MOTION, source=RULE, data={"IsMotion": "false"}, at=AT + dt.timedelta(seconds=4))
    )
    eventually(lambda: CameraEvent.objects.filter(kind="motion", ended_at__isnull=False).exists())

    event = CameraEvent.objects.get(kind="motion")
    assert (event.origin, event.zone, event.camera_time) == (EventOrigin.ONVIF, "MyMotionDetectorRule", AT)
    assert (event.started_at, event.ended_at) == (AT, AT + dt.timedelta(seconds=4))
    assert event.received_at > AT  # our clock, beside the camera's
    assert event.alert_id is None  # motion is recorded only (ALERT_RULES)
    assert loop.is_alive()


@TRANSACTIONAL
def test_a_line_crossing_is_an_event_that_starts_and_ends_at_once_and_raises_its_alert(fast, device, running):
    camera = onvif_camera(device.port)
    running(camera)
    device.call(lambda stub: stub.wait_subscriptions(1))

    gate = {"VideoSourceConfigurationToken": "VideoSourceToken", "Rule": "Ворота"}
    device.call(lambda stub: stub.push(LINE, source=gate, data={"ObjectId": "17"}, at=AT))
    eventually(lambda: CameraEvent.objects.filter(kind="line_crossing").exists())

    event = CameraEvent.objects.get(kind="line_crossing")
    assert (event.origin, event.zone, event.started_at, event.ended_at) == (EventOrigin.ONVIF, "Ворота", AT, AT)
    assert event.data["data"] == {"ObjectId": "17"}
    alert = Alert.objects.get(kind="line_crossing")
    assert (alert.pk, alert.severity, alert.subject_id, alert.status) == (event.alert_id, 3, camera.pk, "new")


@TRANSACTIONAL
def test_the_camera_gone_is_a_camera_down_after_its_grace_and_answering_again_resolves_it(fast, device, running):
    camera = onvif_camera(device.port, grace=1)
    running(camera)
    eventually(lambda: Camera.objects.get(pk=camera.pk).stream_up is True)
    assert Camera.objects.get(pk=camera.pk).last_contact_at is not None

    device.stop()  # the camera is switched off
    eventually(lambda: Alert.objects.filter(source="cameras", kind="camera_down", status="new").exists())
    camera.refresh_from_db()
    assert camera.stream_up is False
    assert "unreachable" in camera.last_error

    device.start()  # and back, at the same address
    eventually(lambda: Alert.objects.get(kind="camera_down").status == "resolved")
    alert = Alert.objects.get(kind="camera_down")
    assert (alert.disposition, alert.subject_id) == ("technical", camera.pk)
    resolved = AlertEvent.objects.get(alert=alert, action="resolved")
    assert resolved.data["text_phrase"]["msgid"] == "The camera answers again."
    camera.refresh_from_db()
    assert (camera.stream_up, camera.last_error) == (True, "")
    down = CameraEvent.objects.get(kind="camera_down")  # once, however long it was down
    assert down.ended_at is not None


@TRANSACTIONAL
def test_refused_credentials_are_logged_retried_at_the_longest_backoff_and_a_camera_down(
    settings, device, running, caplog
):
    settings.VIDEO_RECONNECT_SECONDS = (0.1, 30)
    camera = onvif_camera(device.port, password="wrong", grace=0)
    loop = running(camera)

    eventually(lambda: loop.failures >= 1)

    assert loop.backoff == 30
    assert device.call(lambda stub: stub.created) == 0
    camera.refresh_from_db()
    assert "refused the username or password" in camera.last_error
    assert camera.stream_up is False
    assert Alert.objects.filter(kind="camera_down", subject_id=camera.pk, status="new").count() == 1
    [logged] = [record for record in caplog.records if record.name == "cameras.video.onvif_loop"]
    assert logged.levelno == logging.ERROR
    assert "check its ONVIF user and password" in logged.getMessage()


@TRANSACTIONAL
def test_a_camera_with_a_detect_stream_is_up_or_down_by_its_stream_alone(fast, device, running, tmp_path):
    camera = onvif_camera(device.port, detect_stream=str(tmp_path / "missing.mp4"), grace=0)
    loop = running(camera)
    eventually(lambda: Camera.objects.get(pk=camera.pk).last_contact_at is not None)

    device.stop()
    eventually(lambda: loop.failures >= 1)

    camera.refresh_from_db()
    assert (camera.stream_up, camera.last_error) == (None, "")  # the stream's loop says, not this one
    assert not CameraEvent.objects.filter(kind="camera_down").exists()


# -- the worker ---------------------------------------------------------------------------------------------


@TRANSACTIONAL
def test_the_worker_runs_the_onvif_loop_of_a_camera_it_claims_and_stops_it_when_the_lease_goes(fast, device, tmp_path):
    onvif_only = onvif_camera(device.port)
    both = onvif_camera(device.port, detect_stream=str(tmp_path / "missing.mp4"))
    camera_create(name="Pushes over ISAPI", kind="fixed", district=district("uralsk"), push_protocol="isapi")
    worker = VideoWorker(name="first")
    try:
        worker.tick()

        assert {pk: {name: type(loop) for name, loop in loops.items()} for pk, loops in worker.loops.items()} == {
            onvif_only.pk: {"onvif": OnvifLoop},
            both.pk: {"stream": CameraLoop, "onvif": OnvifLoop},
        }
        device.call(lambda stub: stub.wait_subscriptions(2))
        onvif_loop = worker.loops[onvif_only.pk]["onvif"]
        Camera.objects.filter(pk=onvif_only.pk).update(
            lease_owner="second", lease_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
        )

        worker.tick()

        assert set(worker.loops) == {both.pk}
        onvif_loop.join(15)
        assert not onvif_loop.is_alive()
        assert len(device.call(lambda stub: stub.unsubscribed)) == 1  # its subscription, closed
    finally:
        worker.shutdown()
    assert len(device.call(lambda stub: stub.unsubscribed)) == 2
    assert Camera.objects.get(pk=both.pk).lease_owner == ""


@pytest.mark.django_db
def test_leases_give_out_onvif_cameras_without_a_detect_stream_but_not_cameras_with_nothing_to_read():
    onvif_only = onvif_camera(8080)
    camera_create(name="Pushes over ISAPI", kind="fixed", district=district("uralsk"), push_protocol="isapi")

    claimed = leases_claim(owner="first", limit=10, now=dt.datetime.now(dt.UTC))

    assert [camera.pk for camera in claimed] == [onvif_only.pk]
