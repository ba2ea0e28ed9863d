"""Hikvision ISAPI notification bodies built byte for byte as cameras and NVRs send them: an ANPR camera's
alarm-server multipart (literal boundary `boundary`, CRLF, Content-Length per part), bare XML of IP cameras
(ver20 namespace) and of NVRs (psialliance v1 frames, ver10 namespace), JSON of newer firmwares, and the
heartbeats of alertStream. Field sets follow samples of real devices; pictures are real JPEGs drawn with
OpenCV, carrying CRLF, "--" and a prefix of the boundary inside (a COM segment) and after their end."""

import cv2
import numpy as np

BOUNDARY = b"boundary"
CRLF = b"\r\n"
MULTIPART = "multipart/form-data; boundary=boundary"
UUID = "20260314092641822007gWpiNIuI14ikdwfKR5eDCzuV45RubEmi88qaD5w0YTq"


def jpeg(colour: tuple[int, int, int], *, comment: bytes = b"", trailer: bytes = b"") -> bytes:
    """A 96x48 JPEG of one colour with a white plate-like box; `comment` goes into a COM segment right
    after SOI (the file stays a valid JPEG), `trailer` after EOI."""
    image = np.full((48, 96, 3), colour, np.uint8)
    cv2.rectangle(image, (20, 14), (76, 34), (255, 255, 255), -1)
    ok, encoded = cv2.imencode(".jpg", image)
    assert ok
    data = encoded.tobytes()
    if comment:
        data = data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:]
    return data + trailer


PLATE_JPEG = jpeg((30, 60, 160), comment=b"\r\n--boundar\r\n\r\n--\r\n", trailer=b"\r\n--xyz\r\n")
DETECTION_JPEG = jpeg((90, 140, 40), comment=b"--\r\n\r\n--boundar", trailer=b"\r\n--\r\n\r\n")
VEHICLE_JPEG = jpeg((10, 10, 10))


def anpr_xml(plate: str = "123ABC07", *, confidence: int = 97, line: bytes = CRLF, uuid: str = UUID) -> bytes:
    """An ANPR camera's EventNotificationAlert 2.0 (the DS-2CD7A/iDS-TCM field set)."""
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<ipAddress>10.7.12.41</ipAddress>
<portNo>80</portNo>
<protocol>HTTP</protocol>
<macAddress>bc:5e:33:62:2a:5c</macAddress>
<channelID>1</channelID>
<dateTime>2026-03-14T09:26:41+05:00</dateTime>
<activePostCount>1</activePostCount>
<eventType>ANPR</eventType>
<eventState>active</eventState>
<eventDescription>ANPR</eventDescription>
<channelName>Уральск, пр. Достык</channelName>
<ANPR>
<country>KZ</country>
<licensePlate>{plate}</licensePlate>
<line>1</line>
<direction>forward</direction>
<confidenceLevel>{confidence}</confidenceLevel>
<plateType>unknown</plateType>
<plateColor>white</plateColor>
<licenseBright>0</licenseBright>
<dangmark>no</dangmark>
<twoWheelVehicle>no</twoWheelVehicle>
<threeWheelVehicle>no</threeWheelVehicle>
<plateCharBelieve>99,99,98,97,99,99,99,96</plateCharBelieve>
<vehicleType>vehicle</vehicleType>
<detectDir>8</detectDir>
<detectType>0</detectType>
<alarmDataType>0</alarmDataType>
<vehicleInfo>
<index>39</index>
<colorDepth>2</colorDepth>
<color>white</color>
<length>0</length>
<vehicleLogoRecog>1060</vehicleLogoRecog>
</vehicleInfo>
<pictureInfoList>
<pictureInfo>
<fileName>licensePlatePicture.jpg</fileName>
<type>licensePlatePicture</type>
<dataType>0</dataType>
<picRecogMode>0</picRecogMode>
<absTime>20260314092641555</absTime>
</pictureInfo>
<pictureInfo>
<fileName>detectionPicture.jpg</fileName>
<type>detectionPicture</type>
<dataType>0</dataType>
<picRecogMode>0</picRecogMode>
<absTime>20260314092641555</absTime>
<plateRect>
<X>544</X>
<Y>835</Y>
<width>40</width>
<height>35</height>
</plateRect>
</pictureInfo>
</pictureInfoList>
</ANPR>
<UUID>{uuid}</UUID>
<picNum>2</picNum>
<isDataRetransmission>false</isDataRetransmission>
</EventNotificationAlert>
"""
    return text.encode("utf-8").replace(b"\n", line)


def form_part(
    payload: bytes,
    *,
    content_type: str | None = None,
    name: str | None = None,
    filename: str | None = None,
    disposition: bool = True,
    line: bytes = CRLF,
) -> bytes:
    """One part as the camera writes it: Content-Disposition, Content-Type, Content-Length, blank line."""
    headers = []
    if disposition:
        headers.append(
            "Content-Disposition: form-data"
            + (f'; name="{name}"' if name is not None else "")
            + (f'; filename="{filename}"' if filename is not None else "")
        )
    if content_type is not None:
        headers.append(f"Content-Type: {content_type}")
    headers.append(f"Content-Length: {len(payload)}")
    return line.join(header.encode("ascii") for header in headers) + line + line + payload


def multipart(*parts: bytes, boundary: bytes = BOUNDARY, line: bytes = CRLF, closing: bool = True) -> bytes:
    delimiter = b"--" + boundary
    body = b"".join(delimiter + line + part + line for part in parts)
    return body + (delimiter + b"--" + line if closing else b"")


def xml_part(payload: bytes, **options) -> bytes:
    return form_part(payload, content_type='application/xml; charset="UTF-8"', name="anpr.xml", **options)


def jpeg_part(payload: bytes, name: str, **options) -> bytes:
    return form_part(payload, content_type="image/jpeg", name=name, filename=name, **options)


ANPR_XML = anpr_xml()
ANPR_UNKNOWN_XML = anpr_xml("unknown", confidence=0)
ANPR_MULTIPART = multipart(
    form_part(ANPR_XML, content_type='application/xml; charset="UTF-8"', name="anpr.xml", filename="anpr.xml"),
    jpeg_part(PLATE_JPEG, "licensePlatePicture.jpg"),
    jpeg_part(DETECTION_JPEG, "detectionPicture.jpg"),
)
# Names every which way: a name and no filename, a filename and no name, no Content-Disposition at all
ODDLY_NAMED_MULTIPART = multipart(
    form_part(ANPR_XML, content_type="application/xml", name="anpr.xml"),
    form_part(PLATE_JPEG, content_type="image/jpeg", filename="licensePlatePicture.jpg"),
    form_part(DETECTION_JPEG, content_type="image/jpeg", disposition=False),
    form_part(VEHICLE_JPEG, content_type="image/jpeg", name="vehiclePicture"),
)
LF_MULTIPART = multipart(
    xml_part(anpr_xml(line=b"\n"), line=b"\n"), jpeg_part(PLATE_JPEG, "licensePlatePicture.jpg", line=b"\n"), line=b"\n"
)
DUPLICATED_BOUNDARY_MULTIPART = b"--boundary\r\n" + ANPR_MULTIPART
# The connection dropped inside the detection picture: no closing boundary, half a JPEG
TRUNCATED_MULTIPART = ANPR_MULTIPART[: ANPR_MULTIPART.index(DETECTION_JPEG) + 200]

# A camera's intrusion detection: no XML declaration, LF only, one region (0..1000)
FIELD_DETECTION_XML = b"""<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<ipAddress>10.7.12.52</ipAddress>
<ipv6Address>::ffff:10.7.12.52</ipv6Address>
<portNo>80</portNo>
<protocol>HTTP</protocol>
<macAddress>ac:b9:2f:49:44:75</macAddress>
<channelID>1</channelID>
<dateTime>2026-03-14T23:53:05+05:00</dateTime>
<activePostCount>1</activePostCount>
<eventType>fielddetection</eventType>
<eventState>active</eventState>
<eventDescription>fielddetection alarm</eventDescription>
<DetectionRegionList>
<DetectionRegionEntry>
<regionID>3</regionID>
<sensitivityLevel>50</sensitivityLevel>
<RegionCoordinatesList>
<RegionCoordinates><positionX>572</positionX><positionY>100</positionY></RegionCoordinates>
<RegionCoordinates><positionX>572</positionX><positionY>995</positionY></RegionCoordinates>
<RegionCoordinates><positionX>1000</positionX><positionY>998</positionY></RegionCoordinates>
<RegionCoordinates><positionX>992</positionX><positionY>210</positionY></RegionCoordinates>
</RegionCoordinatesList>
<detectionTarget>human</detectionTarget>
</DetectionRegionEntry>
</DetectionRegionList>
<channelName>School 14 yard</channelName>
<detectionPictureTransType>binary</detectionPictureTransType>
<detectionPicturesNumber>0</detectionPicturesNumber>
<isDataRetransmission>true</isDataRetransmission>
</EventNotificationAlert>
"""


def nvr_v1_xml(event_push: bytes = b"VMD&amp;&amp;DS-7608NXI-I2/8P/S0820230101CCRRJ12345678WCVU") -> bytes:
    """An NVR's psialliance v1 frame for its IP camera 1 (channel 33), naive dateTime, ver10 namespace."""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\r\n'
        b'<EventNotificationAlert version="1.0" xmlns="http://www.hikvision.com/ver10/XMLSchema">\r\n'
        b"<ipAddress>10.7.3.10</ipAddress>\r\n<protocolType>HTTP</protocolType>\r\n"
        b"<macAddress>10:12:fb:80:d4:f6</macAddress>\r\n<channelID>33</channelID>\r\n"
        b"<dateTime>2026-03-14T18:55:00</dateTime>\r\n<activePostCount>1664</activePostCount>\r\n"
        b"<eventType>VMD</eventType>\r\n<eventState>active</eventState>\r\n"
        b"<eventDescription>Motion alarm</eventDescription>\r\n<Extensions>\r\n"
        b'<serialNumber xmlns="urn:selfextension:psiaext-ver10-xsd">DS-7608NXI-I2/8P/S0820230101CCRRJ12345678WCVU'
        b"</serialNumber>\r\n"
        b'<eventPush xmlns="urn:selfextension:psiaext-ver10-xsd">' + event_push + b"</eventPush>\r\n"
        b"</Extensions>\r\n</EventNotificationAlert>\r\n"
    )


NVR_V1_XML = nvr_v1_xml()
NVR_V1_RAW_AMPERSAND_XML = nvr_v1_xml(b"VMD&&DS-7608NXI-I2/8P/S0820230101CCRRJ12345678WCVU")

DURATION_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
<ipAddress>10.7.12.52</ipAddress>
<portNo>80</portNo>
<protocol>HTTP</protocol>
<macAddress>ac:b9:2f:49:44:75</macAddress>
<channelID>1</channelID>
<dateTime>2026-03-14T23:53:35+05:00</dateTime>
<activePostCount>1</activePostCount>
<eventType>duration</eventType>
<eventState>inactive</eventState>
<eventDescription>duration alarm</eventDescription>
<channelName>School 14 yard</channelName>
<DurationList>
<Duration>
<relationEvent>linedetection</relationEvent>
</Duration>
</DurationList>
<isDataRetransmission>false</isDataRetransmission>
</EventNotificationAlert>
""".replace(b"\n", CRLF)

HEARTBEAT_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\r\n'
    b'<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">\r\n'
    b"<ipAddress>10.7.12.41</ipAddress>\r\n<portNo>80</portNo>\r\n<protocol>HTTP</protocol>\r\n"
    b"<macAddress>bc:5e:33:62:2a:5c</macAddress>\r\n<channelID>1</channelID>\r\n"
    b"<dateTime>2026-03-14T09:30:00+05:00</dateTime>\r\n<activePostCount>0</activePostCount>\r\n"
    b"<eventType>heartBeat</eventType>\r\n<eventState>inactive</eventState>\r\n"
    b"<eventDescription>heartBeat</eventDescription>\r\n</EventNotificationAlert>\r\n"
)

# alertStream's idle frame, with a leading BOM and whitespace
VIDEOLOSS_INACTIVE_XML = (
    b"\xef\xbb\xbf\r\n  "
    b'<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">'
    b"<ipAddress>10.7.12.41</ipAddress><portNo>80</portNo><protocol>HTTP</protocol>"
    b"<macAddress>bc:5e:33:62:2a:5c</macAddress><channelID>1</channelID>"
    b"<dateTime>2026-03-14T09:30:10+05:00</dateTime><activePostCount>0</activePostCount>"
    b"<eventType>videoloss</eventType><eventState>inactive</eventState>"
    b"<eventDescription>videoloss alarm</eventDescription></EventNotificationAlert>"
)

# The older JSON: the alert's fields at the top
ANPR_JSON = (
    b'{"ipAddress":"10.7.12.43","portNo":80,"protocol":"HTTP","macAddress":"c0:56:e3:aa:bb:cc",'
    b'"channelID":2,"dateTime":"2026-03-14T09:27:02+05:00","activePostCount":3,"eventType":"ANPR",'
    b'"eventState":"active","eventDescription":"ANPR","channelName":"Trassa Uralsk-Samara km 12",'
    b'"ANPR":{"country":"KZ","licensePlate":" 777ABA07 ","line":2,"direction":"reverse","confidenceLevel":88,'
    b'"plateType":"unknown","plateColor":"white","vehicleType":"truck","vehicleInfo":{"index":5,'
    b'"colorDepth":1,"color":"blue","length":0,"vehicleLogoRecog":0}},'
    b'"UUID":"7e0c0a52-6a0b-4f4e-9d7c-0b8a61a3e9f1","isDataRetransmission":true}'
)

# The newer JSON: the same wrapped in EventNotificationAlert, pictures listed
ANPR_WRAPPED_JSON = (
    b'{"EventNotificationAlert":{"ipAddress":"10.7.12.44","portNo":80,"protocol":"HTTP",'
    b'"macAddress":"c0:56:e3:aa:bb:cd","channelID":1,"dateTime":"2026-03-14T09:28:15.120+05:00",'
    b'"activePostCount":1,"eventType":"ANPR","eventState":"active","eventDescription":"ANPR",'
    b'"ANPR":{"country":"KZ","licensePlate":"001KZA01","direction":"forward","confidenceLevel":64,'
    b'"vehicleType":"vehicle","vehicleInfo":{"color":"gray"},'
    b'"pictureInfoList":[{"fileName":"licensePlatePicture.jpg","type":"licensePlatePicture"}]},'
    b'"UUID":"3f0e5a1c-2b44-4a77-8f0d-6d9c1b2a3e4f","isDataRetransmission":false}}'
)
JSON_MULTIPART = multipart(
    form_part(ANPR_WRAPPED_JSON, content_type="application/json", name="ANPR"),
    jpeg_part(PLATE_JPEG, "licensePlatePicture.jpg"),
)

ALL = {
    "anpr multipart": (ANPR_MULTIPART, MULTIPART),
    "anpr xml": (ANPR_XML, "application/xml"),
    "oddly named": (ODDLY_NAMED_MULTIPART, MULTIPART),
    "lf multipart": (LF_MULTIPART, MULTIPART),
    "duplicated boundary": (DUPLICATED_BOUNDARY_MULTIPART, MULTIPART),
    "truncated": (TRUNCATED_MULTIPART, MULTIPART),
    "fielddetection": (FIELD_DETECTION_XML, "text/xml"),
    "nvr v1": (NVR_V1_RAW_AMPERSAND_XML, "application/xml"),
    "duration": (DURATION_XML, "application/xml"),
    "heartbeat": (HEARTBEAT_XML, ""),
    "json": (ANPR_JSON, "application/json"),
    "json multipart": (JSON_MULTIPART, MULTIPART),
}
