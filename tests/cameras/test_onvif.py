"""The ONVIF PullPoint client against a stub camera speaking SOAP over real HTTP (tests/cameras/onvif_stub.py):
events in our vocabulary, credentials, timeouts, renewal, a lost subscription and the way out."""

import asyncio
import datetime as dt
import os
import socket
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cameras.onvif import OnvifError, OnvifEventSource
from tests.cameras.onvif_stub import PASSWORD, USERNAME, OnvifStub

MOTION = "tns1:RuleEngine/CellMotionDetector/Motion"
LINE = "tns1:RuleEngine/LineDetector/Crossed"
CELL = {
    "VideoSourceConfigurationToken": "VideoSourceToken",
    "VideoAnalyticsConfigurationToken": "VAToken",
    "Rule": "MyMotionDetectorRule",
}
AT = dt.datetime(2025, 3, 14, 9, 26, 53, 589000, tzinfo=dt.UTC)


def event_source(device: OnvifStub, *, password: str = PASSWORD, timeout_s: float = 5.0) -> OnvifEventSource:
    return OnvifEventSource(
        host="127.0.0.1", port=device.port, username=USERNAME, password=password, timeout_s=timeout_s
    )


@pytest.fixture
async def device():
    async with OnvifStub() as stub:
        yield stub


@pytest.fixture
async def events(device):
    source = event_source(device)
    await source.start()
    yield source
    await source.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_motion_turning_on_then_off_arrives_in_order_with_its_kind_time_and_items(device, events):
    device.push(MOTION, source=CELL, data={"IsMotion": "true"}, at=AT)
    device.push(MOTION, source=CELL, data={"IsMotion": "false"}, at=AT + dt.timedelta(seconds=4))

    got = await events.pull(wait_s=1)

    assert [(n.topic, n.kind, n.active, n.at) for n in got] == [
        (MOTION, "motion", True, AT),
        (MOTION, "motion", False, AT + dt.timedelta(seconds=4)),
    ]
    assert got[0].source == CELL
    assert got[0].data == {"IsMotion": "true"}
    assert device.calls[:3] == ["GetSystemDateAndTime", "GetServices", "CreatePullPointSubscription"]


async def test_a_line_crossing_is_active_and_names_the_object_and_the_rule(device, events):
    source = {"VideoSourceConfigurationToken": "VideoSourceToken", "Rule": "Ворота"}
    device.push(LINE, source=source, data={"ObjectId": "17"}, at=AT)

    [crossing] = await events.pull(wait_s=1)

    assert (crossing.kind, crossing.active, crossing.at, crossing.camera_time) == ("line_crossing", True, AT, AT)
    assert crossing.instant is True  # a crossing has no "off" to wait for
    assert crossing.source == source
    assert crossing.data == {"ObjectId": "17"}


@pytest.mark.parametrize(
    ("topic", "data", "kind", "active"),
    [
        ("tns1:VideoSource/MotionAlarm", {"State": "true"}, "motion", True),
        ("tns1:RuleEngine/FieldDetector/ObjectsInside", {"IsInside": "false"}, "field_detection", False),
        ("tns1:RuleEngine/TamperDetector/Tamper", {"IsTamper": "true"}, "tamper", True),
        ("tns1:VideoSource/GlobalSceneChange/ImagingService", {"State": "1"}, "tamper", True),
        ("tns1:VideoSource/SignalLoss", {"State": "false"}, "video_loss", False),
        ("tns1:VideoSource/MotionAlarm/", {"State": "true"}, "motion", True),  # a trailing slash, as some send
        ("tns1:Device/Trigger/DigitalInput", {"LogicalState": "true"}, "", True),
        ("tns1:Device/tnsaxis:Sensor/PIR", {"state": "1"}, "", None),
        ("tns1:RuleEngine/CellMotionDetector/Motion", {"IsMotion": "maybe"}, "motion", None),
    ],
)
async def test_topics_map_to_our_kinds_by_the_table(device, events, topic, data, kind, active):
    device.push(topic, source={"Source": "VideoSource_1"}, data=data, at=AT)

    [event] = await events.pull(wait_s=1)

    assert (event.topic, event.kind, event.active) == (topic.rstrip("/"), kind, active)


async def test_an_unknown_topic_keeps_its_topic_and_an_empty_kind(device, events):
    device.push("tns1:Monitoring/OperatingTime/LastReset", data={"Status": "2025-03-14T00:00:00Z"}, at=AT)

    [event] = await events.pull(wait_s=1)

    assert (event.topic, event.kind, event.active, event.data) == (
        "tns1:Monitoring/OperatingTime/LastReset",
        "",
        None,
        {"Status": "2025-03-14T00:00:00Z"},
    )


async def test_a_message_without_a_time_is_dated_when_it_was_received(device, events):
    device.push(MOTION, data={"IsMotion": "true"})
    device.push_raw(
        MOTION,
        '<tt:Message UtcTime="yesterday"><tt:Data><tt:SimpleItem Name="IsMotion" Value="false"/></tt:Data></tt:Message>',
    )
    before = dt.datetime.now(dt.UTC)

    got = await events.pull(wait_s=1)

    assert [n.active for n in got] == [True, False]
    assert all(before <= n.at <= dt.datetime.now(dt.UTC) for n in got)
    assert [n.camera_time for n in got] == [None, None]
    assert not any(n.instant for n in got)


async def test_malformed_messages_become_empty_items_not_errors(device, events):
    device.push_raw(MOTION, "")
    device.push_raw(
        MOTION,
        f'<tt:Message UtcTime="{AT.isoformat()}"><tt:Source/><tt:Data><tt:SimpleItem Name="IsMotion"/></tt:Data></tt:Message>',
    )
    device.push_raw("", '<tt:Message UtcTime="2025-03-14T09:26:53"><tt:Key/></tt:Message>')

    got = await events.pull(wait_s=1)

    assert [(n.topic, n.kind, n.active, n.source, n.data) for n in got] == [
        (MOTION, "motion", None, {}, {}),
        (MOTION, "motion", None, {}, {}),
        ("", "", None, {}, {}),
    ]
    assert got[1].at == AT
    assert got[2].at == AT.replace(microsecond=0)  # a time without a zone is the UTC it is named for


async def test_pull_returns_a_message_as_soon_as_it_comes_during_the_wait_and_at_most_limit(device, events):
    asyncio.get_running_loop().call_later(0.2, lambda: device.push(MOTION, data={"IsMotion": "true"}, at=AT))
    started = time.monotonic()

    [early] = await events.pull(wait_s=5)

    assert time.monotonic() - started < 2
    assert early.active is True
    for second in range(5):
        device.push(MOTION, data={"IsMotion": "true"}, at=AT + dt.timedelta(seconds=second))
    assert [len(await events.pull(wait_s=1, limit=2)) for _ in range(3)] == [2, 2, 1]
    assert await events.pull(wait_s=0.2) == []


async def test_a_wrong_password_is_refused_with_a_clear_error(device):
    source = event_source(device, password="wrong")

    with pytest.raises(
        OnvifError,
        match=r"^ONVIF camera 127\.0\.0\.1:\d+: the camera refused the username or password \(Sender not Authorized",
    ) as refused:
        await source.start()

    assert refused.value.credentials is True
    assert "CreatePullPointSubscription" not in device.calls
    await source.close()


async def test_a_password_changed_on_the_camera_fails_the_pull_without_resubscribing(device, events):
    device.password = "changed"

    with pytest.raises(OnvifError, match="refused the username or password"):
        await events.pull(wait_s=0.5)

    assert device.created == 1


async def test_an_unreachable_port_fails_within_the_timeout():
    source = OnvifEventSource(host="127.0.0.1", port=free_port(), username=USERNAME, password=PASSWORD, timeout_s=2)
    started = time.monotonic()

    with pytest.raises(OnvifError, match="unreachable") as failed:
        await source.start()

    assert time.monotonic() - started < 2
    assert failed.value.credentials is False
    assert await source.alive() is False


async def test_a_device_that_accepts_but_never_answers_fails_within_the_timeout():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel completes the handshake; nobody ever reads or answers
        source = OnvifEventSource(
            host="127.0.0.1", port=silent.getsockname()[1], username=USERNAME, password=PASSWORD, timeout_s=1
        )
        started = time.monotonic()

        with pytest.raises(OnvifError, match=r"no answer within 1 s"):
            await source.start()

        assert 1 <= time.monotonic() - started < 2.5


async def test_a_device_without_an_events_service_is_refused_clearly():
    async with OnvifStub(events=False) as device:
        source = event_source(device)

        with pytest.raises(OnvifError, match="the device offers no events service"):
            await source.start()

        assert "CreatePullPointSubscription" not in device.calls


async def test_a_device_without_getservices_is_read_through_getcapabilities():
    async with OnvifStub(get_services=False) as device:
        source = event_source(device)
        await source.start()
        device.push(MOTION, data={"IsMotion": "true"}, at=AT)

        [event] = await source.pull(wait_s=1)
        await source.close()

    assert event.kind == "motion"
    assert device.calls[:4] == ["GetSystemDateAndTime", "GetServices", "GetCapabilities", "CreatePullPointSubscription"]


async def test_a_camera_whose_clock_is_an_hour_ahead_still_accepts_our_credentials():
    async with OnvifStub(clock_offset=dt.timedelta(hours=1)) as device:
        source = event_source(device)
        await source.start()
        device.push(MOTION, data={"IsMotion": "true"}, at=AT)

        [event] = await source.pull(wait_s=1)
        await source.close()

    assert event.active is True
    assert device.renewed == []  # its termination times are read against its own clock


async def test_a_lost_subscription_is_recreated_once_and_events_keep_coming(device, events):
    device.push(MOTION, data={"IsMotion": "true"}, at=AT)
    assert [n.active for n in await events.pull(wait_s=1)] == [True]
    device.fault_subscriptions()  # the camera rebooted

    pulling = asyncio.create_task(events.pull(wait_s=5))
    await device.wait_subscriptions(2)
    device.push(MOTION, data={"IsMotion": "false"}, at=AT + dt.timedelta(seconds=9))

    assert [(n.active, n.at) for n in await pulling] == [(False, AT + dt.timedelta(seconds=9))]
    assert device.created == 2
    assert device.calls.count("PullMessages") == 3


async def test_a_subscription_lost_again_right_after_recreation_is_an_error():
    async with OnvifStub(lose_subscriptions=True) as device:
        source = event_source(device)
        await source.start()

        with pytest.raises(OnvifError, match="lost again right after re-creating it"):
            await source.pull(wait_s=0.5)
        await source.close()

    assert device.created == 2


async def test_the_subscription_is_renewed_before_the_camera_would_end_it():
    async with OnvifStub(max_grant_s=2) as device:
        source = event_source(device)
        await source.start()
        renewed_at_start = len(device.renewed)

        started = time.monotonic()
        while time.monotonic() - started < 5:  # more than twice what the camera grants
            await source.pull(wait_s=0.5)
        device.push(MOTION, data={"IsMotion": "true"}, at=AT)
        [event] = await source.pull(wait_s=1)
        await source.close()

    assert event.active is True
    assert len(device.renewed) - renewed_at_start >= 2
    assert (device.created, device.expired) == (1, 0)


async def test_close_unsubscribes_and_never_raises(device):
    source = event_source(device)
    await source.start()

    await source.close()
    await source.close()

    assert device.unsubscribed == [1]
    assert device.subscriptions == {}
    with pytest.raises(OnvifError, match="not started"):
        await source.pull()


async def test_close_does_not_raise_when_the_camera_is_gone():
    async with OnvifStub() as device:
        source = event_source(device, timeout_s=1)
        await source.start()

    await source.close()

    assert device.unsubscribed == []


async def test_alive_while_the_device_answers_even_with_a_wrong_password_and_not_after_it_is_gone():
    async with OnvifStub() as device:
        source, stranger = event_source(device, timeout_s=1), event_source(device, password="wrong", timeout_s=1)
        await source.start()

        assert await source.alive() is True
        assert await stranger.alive() is True
    assert await source.alive() is False
    await source.close()


async def test_connecting_leaves_the_proxy_settings_of_the_process_alone(device, monkeypatch):
    monkeypatch.setenv("http_proxy", "http://proxy.zko.example:3128")
    source = event_source(device)

    await source.start()
    await source.close()

    assert device.created == 1  # the camera is reached directly all the same
    assert os.environ["http_proxy"] == "http://proxy.zko.example:3128"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    topic=st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=60),
    items=st.dictionaries(
        st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zs")), min_size=1, max_size=20),
        st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=40),
        max_size=4,
    ),
)
async def test_any_text_a_camera_sends_comes_through_unchanged_or_at_least_never_crashes(device, events, topic, items):
    device.push(topic, source=items, data=items, at=AT)

    [event] = await events.pull(wait_s=1)

    assert event.topic == topic.strip().rstrip("/.")
    assert event.source == items
    assert event.data == items
