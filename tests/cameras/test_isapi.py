"""Hikvision ISAPI notifications read from real bytes: multipart with JPEGs that hold CRLF and "--", bare
XML of cameras and NVRs, JSON, heartbeats, and the malformed bodies devices send. Whatever arrives, the
parser answers with events or an IsapiError, never anything else."""

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cameras.isapi import IsapiError, IsapiEvent, IsapiPicture, IsapiPlate, parse_notification
from tests.cameras import isapi_fixtures as fx

URALSK = timezone(timedelta(hours=5))

ANPR_EVENT = IsapiEvent(
    event_type="ANPR",
    event_state="active",
    description="ANPR",
    camera_time=datetime(2026, 3, 14, 9, 26, 41, tzinfo=URALSK),
    camera_time_naive=False,
    channel=1,
    is_ip_channel=False,
    ip_address="10.7.12.41",
    mac_address="bc:5e:33:62:2a:5c",
    uuid=fx.UUID,
    retransmission=False,
    active_post_count=1,
    relation_event="",
    plate=IsapiPlate(
        text="123ABC07",
        confidence=97,
        country="KZ",
        direction="forward",
        vehicle_type="vehicle",
        vehicle_color="white",
        char_confidences=(99, 99, 98, 97, 99, 99, 99, 96),  # plateCharBelieve
    ),
    regions=(),
    pictures=(),
    raw={},
)
PLATE_PICTURE = IsapiPicture(
    content_type="image/jpeg", data=fx.PLATE_JPEG, name="licensePlatePicture.jpg", kind="plate"
)
DETECTION_PICTURE = IsapiPicture(
    content_type="image/jpeg", data=fx.DETECTION_JPEG, name="detectionPicture.jpg", kind="detection"
)


def only(body: bytes, content_type: str) -> IsapiEvent:
    events = parse_notification(body, content_type)
    assert len(events) == 1
    return events[0]


def without_raw(event: IsapiEvent) -> IsapiEvent:
    return dataclasses.replace(event, raw={})


def test_the_pictures_hold_crlf_and_dashes_and_are_still_jpegs():
    for data in (fx.PLATE_JPEG, fx.DETECTION_JPEG):
        assert b"\r\n--" in data or b"--\r\n" in data
        assert b"\r--boundary" not in data and b"\n--boundary" not in data
        assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).shape == (48, 96, 3)
    assert b"Content-Length: " in fx.ANPR_MULTIPART


def test_an_anpr_multipart_gives_one_event_with_the_plate_and_both_pictures_byte_for_byte():
    event = only(fx.ANPR_MULTIPART, fx.MULTIPART)

    assert without_raw(event) == dataclasses.replace(ANPR_EVENT, pictures=(PLATE_PICTURE, DETECTION_PICTURE))
    assert event.pictures[0].data == fx.PLATE_JPEG
    assert event.pictures[1].data == fx.DETECTION_JPEG
    assert not event.is_heartbeat


def test_a_part_whose_content_length_is_wrong_still_comes_whole():
    lying = fx.form_part(fx.PLATE_JPEG, content_type="image/jpeg", name="licensePlatePicture.jpg").replace(
        f"Content-Length: {len(fx.PLATE_JPEG)}".encode(), b"Content-Length: 5"
    )
    body = fx.multipart(fx.xml_part(fx.ANPR_XML), lying)

    assert only(body, fx.MULTIPART).pictures[0].data == fx.PLATE_JPEG


def test_the_raw_notification_is_plain_json_with_local_names_and_text_values():
    raw = only(fx.ANPR_MULTIPART, fx.MULTIPART).raw

    assert raw["@version"] == "2.0"
    assert raw["channelName"] == "Уральск, пр. Достык"
    assert raw["ANPR"]["licensePlate"] == "123ABC07"
    assert raw["ANPR"]["vehicleInfo"] == {
        "index": "39",
        "colorDepth": "2",
        "color": "white",
        "length": "0",
        "vehicleLogoRecog": "1060",
    }
    assert [picture["type"] for picture in raw["ANPR"]["pictureInfoList"]["pictureInfo"]] == [
        "licensePlatePicture",
        "detectionPicture",
    ]
    assert raw["ANPR"]["pictureInfoList"]["pictureInfo"][1]["plateRect"] == {
        "X": "544",
        "Y": "835",
        "width": "40",
        "height": "35",
    }
    assert json.loads(json.dumps(raw, allow_nan=False)) == raw


def test_the_raw_heartbeat_is_exactly_its_fields():
    assert only(fx.HEARTBEAT_XML, "application/xml").raw == {
        "@version": "2.0",
        "ipAddress": "10.7.12.41",
        "portNo": "80",
        "protocol": "HTTP",
        "macAddress": "bc:5e:33:62:2a:5c",
        "channelID": "1",
        "dateTime": "2026-03-14T09:30:00+05:00",
        "activePostCount": "0",
        "eventType": "heartBeat",
        "eventState": "inactive",
        "eventDescription": "heartBeat",
    }


def test_bare_anpr_xml_gives_the_same_event_without_pictures():
    assert without_raw(only(fx.ANPR_XML, "application/xml")) == ANPR_EVENT


def test_a_plate_the_camera_could_not_read_has_empty_text():
    event = only(fx.ANPR_UNKNOWN_XML, "application/xml")

    assert event.plate == IsapiPlate(
        text="",
        confidence=0,
        country="KZ",
        direction="forward",
        vehicle_type="vehicle",
        vehicle_color="white",
        char_confidences=(99, 99, 98, 97, 99, 99, 99, 96),
    )
    assert event.raw["ANPR"]["licensePlate"] == "unknown"


def test_parts_are_told_apart_by_their_content_type_whatever_their_names():
    event = only(fx.ODDLY_NAMED_MULTIPART, fx.MULTIPART)

    assert event.plate is not None and event.plate.text == "123ABC07"
    assert event.pictures == (
        PLATE_PICTURE,
        IsapiPicture(content_type="image/jpeg", data=fx.DETECTION_JPEG, name="", kind=""),
        IsapiPicture(content_type="image/jpeg", data=fx.VEHICLE_JPEG, name="vehiclePicture", kind="vehicle"),
    )


def test_parts_without_a_content_type_are_told_by_their_first_bytes():
    body = fx.multipart(
        fx.form_part(b"\r\n" + fx.ANPR_XML, name="event"),
        fx.form_part(fx.PLATE_JPEG, name="licensePlatePicture.jpg"),
        fx.form_part(b"ignored", content_type="text/plain", name="note"),
    )

    event = only(body, fx.MULTIPART)

    assert without_raw(event) == dataclasses.replace(ANPR_EVENT, pictures=(PLATE_PICTURE,))


def test_a_fielddetection_region_is_scaled_from_0_1000_to_0_1():
    event = only(fx.FIELD_DETECTION_XML, "text/xml")

    assert (event.event_type, event.event_state, event.description) == (
        "fielddetection",
        "active",
        "fielddetection alarm",
    )
    assert event.regions == (((0.572, 0.1), (0.572, 0.995), (1.0, 0.998), (0.992, 0.21)),)
    assert (event.channel, event.retransmission, event.uuid, event.plate) == (1, True, "", None)
    assert event.raw["DetectionRegionList"]["DetectionRegionEntry"]["detectionTarget"] == "human"


def test_an_nvr_v1_frame_names_its_ip_channel_and_a_naive_time_is_taken_as_utc():
    event = only(fx.NVR_V1_XML, "application/xml")

    assert without_raw(event) == IsapiEvent(
        event_type="VMD",
        event_state="active",
        description="Motion alarm",
        camera_time=datetime(2026, 3, 14, 18, 55, tzinfo=UTC),
        camera_time_naive=True,
        channel=1,
        is_ip_channel=True,
        ip_address="10.7.3.10",
        mac_address="10:12:fb:80:d4:f6",
        uuid="",
        retransmission=False,
        active_post_count=1664,
        relation_event="",
        plate=None,
        regions=(),
        pictures=(),
        raw={},
    )
    assert event.raw["channelID"] == "33"
    assert event.raw["Extensions"]["eventPush"] == "VMD&&DS-7608NXI-I2/8P/S0820230101CCRRJ12345678WCVU"


@pytest.mark.parametrize(
    ("frame", "channel", "is_ip_channel"),
    [
        (b'<EventNotificationAlert version="1.0"><dynChannelID>2</dynChannelID>', 2, False),
        (b'<EventNotificationAlert version="1.0" xmlns="urn:psialliance-org"><channelID>34</channelID>', 2, True),
        (b'<EventNotificationAlert version="2.0"><channelID>33</channelID>', 33, False),
        (b"<EventNotificationAlert><channelID>x</channelID>", None, False),
    ],
)
def test_only_v1_frames_number_ip_channels_from_33(frame, channel, is_ip_channel):
    event = only(frame + b"<eventType>VMD</eventType></EventNotificationAlert>", "application/xml")

    assert (event.channel, event.is_ip_channel) == (channel, is_ip_channel)


def test_a_duration_event_names_the_event_it_is_about():
    event = only(fx.DURATION_XML, "application/xml")

    assert (event.event_type, event.event_state, event.relation_event) == ("duration", "inactive", "linedetection")
    assert not event.is_heartbeat


def test_bare_json_maps_to_the_same_fields():
    event = only(fx.ANPR_JSON, "application/json")

    assert without_raw(event) == IsapiEvent(
        event_type="ANPR",
        event_state="active",
        description="ANPR",
        camera_time=datetime(2026, 3, 14, 9, 27, 2, tzinfo=URALSK),
        camera_time_naive=False,
        channel=2,
        is_ip_channel=False,
        ip_address="10.7.12.43",
        mac_address="c0:56:e3:aa:bb:cc",
        uuid="7e0c0a52-6a0b-4f4e-9d7c-0b8a61a3e9f1",
        retransmission=True,
        active_post_count=3,
        relation_event="",
        plate=IsapiPlate(
            text="777ABA07",
            confidence=88,
            country="KZ",
            direction="reverse",
            vehicle_type="truck",
            vehicle_color="blue",
        ),
        regions=(),
        pictures=(),
        raw={},
    )
    assert event.raw == json.loads(fx.ANPR_JSON)


def test_a_json_part_in_multipart_unwraps_event_notification_alert():
    event = only(fx.JSON_MULTIPART, fx.MULTIPART)

    assert (event.uuid, event.camera_time) == (
        "3f0e5a1c-2b44-4a77-8f0d-6d9c1b2a3e4f",
        datetime(2026, 3, 14, 9, 28, 15, 120000, tzinfo=URALSK),
    )
    assert event.plate == IsapiPlate(
        text="001KZA01", confidence=64, country="KZ", direction="forward", vehicle_type="vehicle", vehicle_color="gray"
    )
    assert event.pictures == (PLATE_PICTURE,)
    assert event.raw == json.loads(fx.ANPR_WRAPPED_JSON)["EventNotificationAlert"]


@pytest.mark.parametrize(
    ("body", "is_heartbeat"),
    [
        (fx.HEARTBEAT_XML, True),
        (fx.VIDEOLOSS_INACTIVE_XML, True),
        (fx.VIDEOLOSS_INACTIVE_XML.replace(b">inactive<", b">active<"), False),
        (fx.ANPR_XML, False),
    ],
)
def test_heartbeats_only_refresh_health(body, is_heartbeat):
    assert only(body, "application/xml").is_heartbeat is is_heartbeat


def test_a_raw_ampersand_is_read_as_text():
    escaped, raw = only(fx.NVR_V1_XML, "application/xml"), only(fx.NVR_V1_RAW_AMPERSAND_XML, "application/xml")

    assert raw == escaped


def test_lf_only_line_endings_are_read():
    event = only(fx.LF_MULTIPART, fx.MULTIPART)

    assert without_raw(event) == dataclasses.replace(ANPR_EVENT, pictures=(PLATE_PICTURE,))


def test_a_duplicated_boundary_line_is_an_empty_part_and_ignored():
    assert only(fx.DUPLICATED_BOUNDARY_MULTIPART, fx.MULTIPART) == only(fx.ANPR_MULTIPART, fx.MULTIPART)


def test_without_a_closing_boundary_what_arrived_is_taken():
    unclosed = fx.ANPR_MULTIPART.removesuffix(b"--boundary--\r\n")

    assert only(unclosed, fx.MULTIPART) == only(fx.ANPR_MULTIPART, fx.MULTIPART)
    truncated = only(fx.TRUNCATED_MULTIPART, fx.MULTIPART)
    assert truncated.pictures == (PLATE_PICTURE, dataclasses.replace(DETECTION_PICTURE, data=fx.DETECTION_JPEG[:200]))


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (fx.ANPR_MULTIPART, ""),
        (fx.ANPR_MULTIPART, "application/xml"),
        (fx.ANPR_MULTIPART, "multipart/form-data"),
        (fx.ANPR_MULTIPART, "multipart/form-data; boundary=other"),
        (fx.ANPR_MULTIPART, 'multipart/form-data; boundary="boundary"; charset=UTF-8'),
        (b"This is a multi-part message in MIME format.\r\n" + fx.ANPR_MULTIPART, fx.MULTIPART),
    ],
)
def test_a_multipart_body_is_read_whatever_its_content_type_says(body, content_type):
    assert only(body, content_type) == only(fx.ANPR_MULTIPART, fx.MULTIPART)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (fx.ANPR_XML, ""),
        (fx.ANPR_XML, "text/plain"),
        (fx.ANPR_XML, "application/json"),
        (fx.ANPR_XML, fx.MULTIPART),
        (b"\xef\xbb\xbf \r\n" + fx.ANPR_XML, "application/xml"),
        (fx.ANPR_XML.replace(b'<?xml version="1.0" encoding="UTF-8"?>\r\n', b""), "text/xml"),
    ],
)
def test_bare_xml_is_read_whatever_its_content_type_says(body, content_type):
    assert without_raw(only(body, content_type)) == ANPR_EVENT


@pytest.mark.parametrize("content_type", ["", "application/xml", "text/html", fx.MULTIPART])
def test_bare_json_is_read_whatever_its_content_type_says(content_type):
    assert only(fx.ANPR_JSON, content_type) == only(fx.ANPR_JSON, "application/json")


def test_a_batch_gives_every_event_with_the_pictures_that_follow_it():
    second = fx.anpr_xml("555XYZ07", uuid="second")
    body = fx.multipart(
        fx.xml_part(fx.ANPR_XML),
        fx.jpeg_part(fx.PLATE_JPEG, "licensePlatePicture.jpg"),
        fx.xml_part(second),
        fx.jpeg_part(fx.DETECTION_JPEG, "detectionPicture.jpg"),
    )

    events = parse_notification(body, fx.MULTIPART)

    assert [(event.uuid, event.pictures) for event in events] == [
        (fx.UUID, (PLATE_PICTURE,)),
        ("second", (DETECTION_PICTURE,)),
    ]
    listed = b"<EventNotificationAlertList>" + fx.ANPR_XML.split(b"?>", 1)[1] + second.split(b"?>", 1)[1]
    assert [event.uuid for event in parse_notification(listed + b"</EventNotificationAlertList>", "")] == [
        fx.UUID,
        "second",
    ]


@pytest.mark.parametrize(
    ("text", "moment", "naive"),
    [
        ("2026-03-14T09:26:41Z", datetime(2026, 3, 14, 9, 26, 41, tzinfo=UTC), False),
        ("2026-03-14T09:26:41+0500", datetime(2026, 3, 14, 9, 26, 41, tzinfo=URALSK), False),
        ("2026-03-14 09:26:41", datetime(2026, 3, 14, 9, 26, 41, tzinfo=UTC), True),
        ("14.03.2026 09:26", None, False),
        ("", None, False),
    ],
)
def test_the_camera_time_is_aware_or_none(text, moment, naive):
    body = f"<EventNotificationAlert><eventType>VMD</eventType><dateTime>{text}</dateTime></EventNotificationAlert>"

    event = only(body.encode(), "application/xml")

    assert (event.camera_time, event.camera_time_naive) == (moment, naive)


@pytest.mark.parametrize("body", [b"", b" \r\n\t"])
def test_an_empty_body_is_an_isapi_error(body):
    with pytest.raises(IsapiError) as raised:
        parse_notification(body, fx.MULTIPART)

    assert str(raised.value) == "empty body"


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"\x00\x01garbage", "", "the body is neither XML, JSON nor multipart"),
        (b"<html><body>502 Bad Gateway</body></html>", "text/html", "no EventNotificationAlert in the XML"),
        (b"<EventNotificationAlert><eventType>VMD", "application/xml", "the XML is not well-formed"),
        (b'{"ipAddress": "10.7.12.41"}', "application/json", "an EventNotificationAlert without eventType"),
        (b'{"eventType": NaN}', "application/json", "the JSON is not valid"),
        (b"[" * 100_000, "application/json", "the JSON is not valid"),
        (b"[" * 40 + b"]" * 40, "application/json", "the JSON nests deeper than 32"),
        (b"<a>" * 40 + b"</a>" * 40, "application/xml", "no EventNotificationAlert"),
        (
            b"<EventNotificationAlert>" + b"<a>" * 40 + b"</a>" * 40 + b"</EventNotificationAlert>",
            "application/xml",
            "the XML nests deeper than 32",
        ),
        (
            b'<!DOCTYPE a [<!ENTITY b "bbbbbbbb"><!ENTITY c "&b;&b;&b;&b;">]><EventNotificationAlert>&c;'
            b"</EventNotificationAlert>",
            "application/xml",
            "not well-formed or not allowed",
        ),
        (fx.multipart(fx.jpeg_part(fx.PLATE_JPEG, "licensePlatePicture.jpg")), fx.MULTIPART, "no XML or JSON part"),
        (b"--boundary\r\n--boundary--\r\n", fx.MULTIPART, "a multipart body without parts"),
        (b'--not a boundary line"\r\nhello', "", "a multipart body without parts"),
    ],
)
def test_a_body_with_nothing_usable_is_an_isapi_error_saying_why(body, content_type, message):
    with pytest.raises(IsapiError) as raised:
        parse_notification(body, content_type)

    assert message in str(raised.value)


SPECIAL_BYTES = [b"&", b"<", b">", b"]]>", b"\x00", b"\xff\xfe", b'"', b"{", b"\\ud800", b"\r\n--boundary\r\n"]
SPECIAL_BYTES += [b"\r\n--boundary--", b"\n\n", b"<!DOCTYPE x>", b"&#0;", b"1e999", b"Content-Type: image/jpeg\r\n"]
CONTENT_TYPES = ["", "application/xml", "application/json", "text/plain", "multipart/form-data", fx.MULTIPART]
CONTENT_TYPES += ["multipart/form-data; boundary*=idna''%ff", 'multipart/form-data; boundary="\\"\r\nx']


@st.composite
def mutated_fixtures(draw):
    body, content_type = draw(st.sampled_from(list(fx.ALL.values())))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        position = draw(st.integers(min_value=0, max_value=len(body)))
        change = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        if change == "flip":
            body = body[:position] + bytes([draw(st.integers(min_value=0, max_value=255))]) + body[position + 1 :]
        elif change == "cut":
            body = body[:position]
        elif change == "insert":
            body = body[:position] + draw(st.binary(max_size=12) | st.sampled_from(SPECIAL_BYTES)) + body[position:]
        else:
            body = body[:position] + body[position + draw(st.integers(min_value=1, max_value=64)) :]
    return body, draw(st.sampled_from([content_type, *CONTENT_TYPES]))


def assert_events_or_isapi_error(body: bytes, content_type: str) -> None:
    try:
        events = parse_notification(body, content_type)
    except IsapiError:
        return
    assert events
    for event in events:
        assert isinstance(event, IsapiEvent)
        json.dumps(event.raw, allow_nan=False, ensure_ascii=False).encode("utf-8")  # storable as jsonb
        assert all(isinstance(picture.data, bytes) and picture.data for picture in event.pictures)


hypothesis_settings = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@hypothesis_settings
@given(body=st.binary(max_size=600), content_type=st.sampled_from(CONTENT_TYPES) | st.text(max_size=60))
def test_random_bytes_give_events_or_an_isapi_error(body, content_type):
    assert_events_or_isapi_error(body, content_type)


@hypothesis_settings
@given(case=mutated_fixtures())
def test_mutated_fixtures_give_events_or_an_isapi_error(case):
    assert_events_or_isapi_error(*case)


@hypothesis_settings
@given(
    field=st.sampled_from([b"dateTime", b"channelID", b"confidenceLevel", b"licensePlate", b"eventType", b"UUID"]),
    value=st.text(max_size=40).map(lambda text: text.encode("utf-8", "surrogatepass")),
)
def test_any_text_in_a_field_gives_events_or_an_isapi_error(field, value):
    start, end = b"<" + field + b">", b"</" + field + b">"
    head, rest = fx.ANPR_XML.split(start, 1)
    assert_events_or_isapi_error(head + start + value + end + rest.split(end, 1)[1], "application/xml")


@hypothesis_settings
@given(
    payload=st.lists(
        st.binary(max_size=40) | st.sampled_from([b"\r", b"\n", b"\r\n", b"--", b"--boundar"]), max_size=30
    )
    .map(b"".join)
    .filter(lambda data: data and all(mark + b"--boundary" not in data for mark in (b"\r", b"\n"))),
    line=st.sampled_from([b"\r\n", b"\n"]),
)
def test_picture_bytes_with_cr_lf_and_dashes_come_out_byte_for_byte(payload, line):
    # LF-only framing cannot tell a payload's last CR from a CRLF before the boundary; a JPEG ends in FFD9
    assume(line == b"\r\n" or not payload.endswith(b"\r"))
    body = fx.multipart(
        fx.xml_part(fx.ANPR_XML, line=line), fx.jpeg_part(payload, "licensePlatePicture.jpg", line=line), line=line
    )

    assert only(body, fx.MULTIPART).pictures[0].data == payload
