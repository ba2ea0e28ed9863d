"""The demo's cameras: rendered streams that the demo's own video worker analyses like any camera's
(people gathering on a square, a bag left in a ravine, a car stopping in a lane, a school's gate), and
smart cameras that push real Hikvision ISAPI notifications (an ANPR camera's plate reads, a police
post's line crossings) through the intake view. What they raise is real: the events, pictures and alerts
of the cameras app, through its services.

The streams are files under MEDIA_ROOT/demo-streams/, rendered once (a few seconds) and played in a loop
at their own rate, as a camera sends them."""

import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from cameras.intake import isapi_push
from cameras.models import AnalyticsProfile, Camera, PushProtocol
from cameras.services.registry import CREDENTIAL_KIND, camera_create, camera_rotate_push_token, push_path
from cameras.video import scenes
from cameras.video.worker import VideoWorker
from opscenter.models import District
from opscenter.services.credentials import credential_verify

FPS = 5.0
LOOP_SECONDS = {"ravine": 240.0}  # each scene plays this long (120 s unless named), then again
LOWER_HALF = [[0.05, 0.55], [0.95, 0.55], [0.95, 1.0], [0.05, 1.0]]


def _walkers(frame: np.ndarray, t: float, count: int = 2) -> None:
    """Passers-by crossing the image now and then, in both directions."""
    for index in range(count):
        phase = (t * 22 + index * 170) % 420 - 50
        x = phase if index % 2 == 0 else scenes.WIDTH - phase
        y = 150 + index * 12
        scenes.person(frame, x, y, scenes.person_height(y))


def square(frame: np.ndarray, t: float) -> None:
    """A square: passers-by; from 20 s eighteen people gather, and at 80 s they walk off."""
    _walkers(frame, t)
    arrive, leave = 20.0, 80.0
    for index, (x, y) in enumerate(scenes.crowd_positions(18)):
        start = arrive + index * 0.4
        if t < start:
            continue
        px = x + (t - leave) * 90 if t >= leave else min(x, 10 + (t - start) * 60) + np.sin(t * 2 + index) * 1.5
        if px < scenes.WIDTH + 20:
            scenes.person(frame, px, y, scenes.person_height(y))


def ravine(frame: np.ndarray, t: float) -> None:
    """A ravine at the edge of town: someone leaves a bag at 20 s and walks away, and it is cleared at
    100 s; at 140 s someone else tips a sack further along, cleared at 220 s (two places, so the models
    have no memory of the first when the second comes)."""
    for start, x0, y0, colour in ((20.0, 222, 132, (20, 60, 160)), (140.0, 268, 140, (40, 120, 40))):
        if start - 6 <= t < start + 6:
            x = 330 - (t - start + 6) * (330 - x0) / 6 if t < start else x0 + (t - start) * 30
            scenes.person(frame, x, 150, 50)
        if start <= t < start + 80:
            cv2.rectangle(frame, (x0, y0), (x0 + 24, y0 + 18), colour, -1)


def road(frame: np.ndarray, t: float) -> None:
    """A road: cars pass; at 30 s one stops in the lane for forty seconds, then drives on."""
    for offset in (0.0, 9.0):
        x = ((t + offset) * 70) % 520 - 100
        cv2.rectangle(frame, (int(x), 150), (int(x) + 46, 170), (60, 60, 60), -1)
    if t < 30:
        x = -60 + t * 7.0
    elif t < 70:
        x = 150.0
    else:
        x = 150 + (t - 70) * 60
    if -60 < x < scenes.WIDTH + 10:
        cv2.rectangle(frame, (int(x), 120), (int(x) + 50, 145), (30, 30, 180), -1)


def school_gate(frame: np.ndarray, t: float) -> None:
    """A school's gate: pupils and parents come and go; nothing to raise."""
    _walkers(frame, t, count=3)


@dataclass(frozen=True)
class DemoCamera:
    name: str
    district: str
    latitude: float
    longitude: float
    address: str
    scene: str = ""  # a rendered stream; empty for a smart camera that only pushes
    zones: list[dict[str, Any]] = field(default_factory=list)
    profile: str = ""
    perspective: dict[str, float] = field(default_factory=dict)  # people's height, top and bottom rows
    push: str = PushProtocol.NONE
    vendor: str = ""
    model: str = ""
    kind: str = "fixed"


SCENES = {"square": square, "ravine": ravine, "road": road, "school_gate": school_gate}

PROFILES: dict[str, dict[str, Any]] = {
    "Демо: площадь (скопления)": {"crowd_detection": True, "crowd_min_people": 12, "crowd_seconds": 15},
    "Демо: свалки": {"dumping_detection": True, "dumping_seconds": 20},
    "Демо: дорога": {"lane_incidents": True, "lane_stop_seconds": 15},
}

DEMO_CAMERAS = (
    DemoCamera(
        name="Площадь Дружбы народов",
        district="uralsk",
        latitude=51.2335,
        longitude=51.3700,
        address="Уральск, пл. Дружбы народов",
        scene="square",
        zones=[{"kind": "crowd", "name": "площадь", "points": LOWER_HALF}],
        profile="Демо: площадь (скопления)",
        perspective={"top": 0.1, "bottom": 0.3},
    ),
    DemoCamera(
        name="Овраг у ул. Гагарина",
        district="uralsk",
        latitude=51.2052,
        longitude=51.3991,
        address="Уральск, ул. Гагарина, овраг",
        scene="ravine",
        zones=[{"kind": "dumping", "name": "овраг", "points": [[0.5, 0.5], [0.95, 0.5], [0.95, 0.95], [0.5, 0.95]]}],
        profile="Демо: свалки",
    ),
    DemoCamera(
        name="пр. Евразия / ул. Ихсанова",
        district="uralsk",
        latitude=51.2178,
        longitude=51.3776,
        address="Уральск, пр. Евразия / ул. Ихсанова",
        scene="road",
        zones=[{"kind": "lane", "name": "на восток", "points": [[0, 0.6], [1, 0.6], [1, 0.85], [0, 0.85]]}],
        profile="Демо: дорога",
    ),
    DemoCamera(
        name="Школа-лицей № 5, ворота",
        district="uralsk",
        latitude=51.2292,
        longitude=51.3863,
        address="Уральск, пр. Достык, 12",
        scene="school_gate",
    ),
    DemoCamera(
        name="Трасса Уральск–Самара, ANPR",
        district="uralsk",
        latitude=51.2790,
        longitude=51.4430,
        address="Трасса Уральск–Самара, 12 км",
        push=PushProtocol.ISAPI,
        vendor="Hikvision",
        model="iDS-TCM203-A",
        kind="anpr",
    ),
    DemoCamera(
        name="Пост полиции, Аксай",
        district="burlin",
        latitude=51.1710,
        longitude=53.0030,
        address="Аксай, ул. Железнодорожная, 3",
        push=PushProtocol.ISAPI,
        vendor="Hikvision",
        model="DS-2CD2T47G2",
    ),
)

_setup_lock = threading.Lock()
_push_secrets: dict[int, str] = {}  # this run's push tokens of the smart cameras, by camera


def stream_path(scene: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "demo-streams" / f"{scene}.mp4"


def render_stream(scene: str) -> Path:
    """The scene's looped clip (rendered once; a few seconds each)."""
    path = stream_path(scene)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.mp4")
    writer = cv2.VideoWriter(str(partial), cv2.VideoWriter.fourcc(*"mp4v"), FPS, (scenes.WIDTH, scenes.HEIGHT))
    for _t, frame in scenes.clip(SCENES[scene], seconds=LOOP_SECONDS.get(scene, 120.0), fps=FPS, seed=len(scene)):
        writer.write(frame)
    writer.release()
    partial.rename(path)
    return path


def demo_cameras_setup() -> list[Camera]:
    """The demo's cameras, created once (by name), their streams rendered, the smart cameras' push tokens
    issued afresh for this run."""
    with _setup_lock:
        cameras = []
        for demo in DEMO_CAMERAS:
            camera = Camera.objects.filter(name=demo.name).first()
            stream = str(render_stream(demo.scene)) if demo.scene else ""
            if camera is None:
                profile = None
                if demo.profile:
                    profile, _created = AnalyticsProfile.objects.update_or_create(
                        name=demo.profile, defaults={"analysis_fps": FPS, **PROFILES[demo.profile]}
                    )
                camera, _secret = camera_create(
                    name=demo.name,
                    kind=demo.kind,
                    district=District.objects.get(code=demo.district),
                    latitude=demo.latitude,
                    longitude=demo.longitude,
                    address=demo.address,
                    detect_stream=stream,
                    vendor=demo.vendor,
                    model=demo.model,
                    profile=profile,
                    push_protocol=demo.push,
                    source_networks="127.0.0.1/32" if demo.push != PushProtocol.NONE else "",
                    zones=demo.zones,
                )
                if demo.perspective:
                    Camera.objects.filter(pk=camera.pk).update(perspective=demo.perspective)
                    camera.perspective = demo.perspective
            elif camera.detect_stream != stream:
                Camera.objects.filter(pk=camera.pk).update(detect_stream=stream)  # MEDIA_ROOT moved
            if demo.push != PushProtocol.NONE and not _push_secret_valid(camera):
                _push_secrets[camera.pk] = camera_rotate_push_token(camera=camera)
            cameras.append(camera)
        return cameras


def _push_secret_valid(camera: Camera) -> bool:
    secret = _push_secrets.get(camera.pk)
    if secret is None:
        return False
    credential = credential_verify(secret=secret, kind=CREDENTIAL_KIND)
    return credential is not None and credential.pk == camera.credential_id


def run_video(stop: threading.Event) -> None:
    """The demo's video worker: the same `VideoWorker` as `run_video_analytics`, in a thread of the demo."""
    demo_cameras_setup()
    VideoWorker(name="demo", capacity=len(DEMO_CAMERAS)).run(stop)


# --- Smart cameras pushing Hikvision ISAPI notifications ---------------------------------------------

_PLATE_LETTERS = "ABCDEHKMOPTXY"


def _plate_jpeg(text: str) -> bytes:
    image = np.full((60, 220, 3), 245, np.uint8)
    cv2.rectangle(image, (2, 2), (217, 57), (20, 20, 20), 2)
    cv2.putText(image, text, (10, 42), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (15, 15, 15), 2, cv2.LINE_AA)
    return cv2.imencode(".jpg", image)[1].tobytes()


def _scene_jpeg(seed: int) -> bytes:
    frame = scenes.background(640, 360, seed=seed)
    cv2.rectangle(frame, (260, 200), (400, 280), (40, 40, 40), -1)
    return cv2.imencode(".jpg", frame.astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()


def _event_xml(event_type: str, body: str, *, channel_name: str, uuid: str) -> bytes:
    now = timezone.localtime().isoformat(timespec="seconds")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<ipAddress>10.7.12.41</ipAddress>
<portNo>80</portNo>
<protocol>HTTP</protocol>
<channelID>1</channelID>
<dateTime>{now}</dateTime>
<activePostCount>1</activePostCount>
<eventType>{event_type}</eventType>
<eventState>active</eventState>
<eventDescription>{event_type}</eventDescription>
<channelName>{channel_name}</channelName>
<UUID>{uuid}</UUID>
{body}
</EventNotificationAlert>
""".replace("\n", "\r\n").encode()


def _multipart(parts: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A Hikvision alarm-server multipart: each part with its Content-Type and Content-Length."""
    boundary = "MIME_boundary"
    body = b""
    for name, content_type, payload in parts:
        filename = f'; filename="{name}"' if content_type == "image/jpeg" else ""
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{filename}\r\n'
                f"Content-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n\r\n"
            ).encode()
            + payload
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def anpr_push(rng: random.Random) -> tuple[bytes, str]:
    letters = "".join(rng.choice(_PLATE_LETTERS) for _ in range(3))
    plate = f"{rng.randint(100, 999)}{letters}{rng.choice(['07', '07', '07', '01', '02'])}"
    beliefs = ",".join(str(rng.randint(88, 99)) for _ in plate)
    anpr = f"""<ANPR>
<country>KZ</country>
<licensePlate>{plate}</licensePlate>
<line>1</line>
<direction>{rng.choice(["forward", "reverse"])}</direction>
<confidenceLevel>{rng.randint(85, 99)}</confidenceLevel>
<plateCharBelieve>{beliefs}</plateCharBelieve>
<vehicleType>vehicle</vehicleType>
<vehicleInfo><color>{rng.choice(["white", "black", "gray", "red"])}</color></vehicleInfo>
<pictureInfoList>
<pictureInfo><fileName>licensePlatePicture.jpg</fileName><type>licensePlatePicture</type></pictureInfo>
<pictureInfo><fileName>vehiclePicture.jpg</fileName><type>vehiclePicture</type></pictureInfo>
</pictureInfoList>
</ANPR>"""
    uuid = f"demo-anpr-{rng.getrandbits(64):016x}"
    xml = _event_xml("ANPR", anpr, channel_name="Трасса Уральск–Самара", uuid=uuid)
    return _multipart(
        [
            ("anpr.xml", "application/xml", xml),
            ("licensePlatePicture.jpg", "image/jpeg", _plate_jpeg(plate)),
            ("vehiclePicture.jpg", "image/jpeg", _scene_jpeg(rng.randint(1, 1000))),
        ]
    )


def line_crossing_push(rng: random.Random) -> tuple[bytes, str]:
    region = """<DetectionRegionList><DetectionRegionEntry><regionID>1</regionID>
<sensitivityLevel>50</sensitivityLevel></DetectionRegionEntry></DetectionRegionList>"""
    uuid = f"demo-line-{rng.getrandbits(64):016x}"
    xml = _event_xml("linedetection", region, channel_name="Пост полиции", uuid=uuid)
    return _multipart(
        [("linedetection.xml", "application/xml", xml), ("detectionPicture.jpg", "image/jpeg", _scene_jpeg(7))]
    )


def heartbeat_push() -> tuple[bytes, str]:
    now = timezone.localtime().isoformat(timespec="seconds")
    xml = f"""<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<ipAddress>10.7.12.42</ipAddress><channelID>1</channelID><dateTime>{now}</dateTime>
<activePostCount>0</activePostCount><eventType>heartBeat</eventType><eventState>inactive</eventState>
<eventDescription>heartBeat</eventDescription></EventNotificationAlert>"""
    return xml.encode(), "application/xml"


def push(camera: Camera, body: bytes, content_type: str) -> int:
    """POST the body to the camera's push URL as the camera would, through the intake view itself."""
    secret = _push_secrets[camera.pk]
    request = RequestFactory().post(push_path(secret), data=body, content_type=content_type, REMOTE_ADDR="127.0.0.1")
    return isapi_push(request, secret).status_code


def simulate_smart_cameras(rng: random.Random) -> int:
    """One round: the ANPR camera reads a plate or two; now and then the post's camera sees a line crossed;
    both send their heartbeats. Returns how many notifications were pushed."""
    cameras = {camera.name: camera for camera in demo_cameras_setup() if camera.push_protocol == PushProtocol.ISAPI}
    anpr, post = cameras[DEMO_CAMERAS[4].name], cameras[DEMO_CAMERAS[5].name]
    pushed = 0
    for _ in range(rng.choice([0, 1, 1, 2])):
        push(anpr, *anpr_push(rng))
        pushed += 1
    if rng.random() < 0.08:
        push(post, *line_crossing_push(rng))
        pushed += 1
    for camera in (anpr, post):
        push(camera, *heartbeat_push())
        pushed += 1
    return pushed
