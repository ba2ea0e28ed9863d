"""The demo's cameras: their rendered streams raise what they show when analysed with the demo cameras'
own settings, their smart cameras push real ISAPI bytes through the intake, and what a thread of the
demo's own (the video worker) publishes reaches the screens on the server's loop."""

import asyncio
import random
import threading

import cv2
import pytest
from channels.layers import channel_layers, get_channel_layer

from cameras import demo
from cameras.models import Camera, CameraEvent
from cameras.video.analyser import CameraAnalyser
from cameras.video.worker import analyser_settings
from opscenter.models import Alert
from opscenter.services import live

pytestmark = pytest.mark.django_db


def findings_of(camera: Camera) -> list[tuple[str, str]]:
    capture = cv2.VideoCapture(camera.detect_stream)
    analyser = None
    seen, index = [], 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if analyser is None:
            analyser = CameraAnalyser(frame_shape=frame.shape[:2], settings=analyser_settings(camera, camera.profile))
        seen += [(f.kind, f.action) for f in analyser.analyse(frame, index / demo.FPS) if f.action != "update"]
        index += 1
    capture.release()
    return seen


def test_the_demo_streams_show_a_gathering_two_dumpings_and_a_stopped_car():
    cameras = {camera.name: camera for camera in demo.demo_cameras_setup()}
    assert len(cameras) == len(demo.DEMO_CAMERAS)
    assert demo.demo_cameras_setup()[0].pk == cameras[demo.DEMO_CAMERAS[0].name].pk  # set up once
    square, ravine, road = (cameras[demo.DEMO_CAMERAS[index].name] for index in range(3))
    assert findings_of(square) == [("crowd", "start"), ("crowd", "end")]
    assert findings_of(ravine) == [("dumping", "start"), ("dumping", "end")] * 2
    assert findings_of(road) == [("lane_stop", "start"), ("lane_stop", "end")]


class Always(random.Random):
    """The dice of a round in which everything happens."""

    def random(self) -> float:
        return 0.0


def test_the_smart_cameras_push_hikvision_notifications_through_the_intake():
    demo.demo_cameras_setup()
    pushed = demo.simulate_smart_cameras(Always(5))
    anpr = Camera.objects.get(name=demo.DEMO_CAMERAS[4].name)
    post = Camera.objects.get(name=demo.DEMO_CAMERAS[5].name)
    reads = CameraEvent.objects.filter(camera=anpr, kind="anpr")
    assert pushed == reads.count() + 1 + 2  # the plates, one line crossing, two heartbeats
    for read in reads:
        assert read.data["plate"] and read.origin == "isapi"
        assert sorted(read.pictures.values_list("kind", flat=True)) == ["plate", "vehicle"]
    crossing = CameraEvent.objects.get(camera=post, kind="line_crossing")
    assert Alert.objects.get(pk=crossing.alert_id).severity == 3
    assert not CameraEvent.objects.filter(kind="heartbeat").exists()


def test_what_a_thread_of_its_own_publishes_reaches_the_server_loop(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    loop = asyncio.new_event_loop()
    server = threading.Thread(target=loop.run_forever, daemon=True)
    server.start()
    try:
        layer = get_channel_layer()
        channel = asyncio.run_coroutine_threadsafe(layer.new_channel(), loop).result(5)
        asyncio.run_coroutine_threadsafe(layer.group_add("demo-test", channel), loop).result(5)
        loop.call_soon_threadsafe(live.serve_in_memory_on, loop)
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0), loop).result(5)

        worker = threading.Thread(target=live._send, args=(["demo-test"], {"type": "alert.changed"}))
        worker.start()
        worker.join(10)

        message = asyncio.run_coroutine_threadsafe(asyncio.wait_for(layer.receive(channel), 5), loop).result(10)
        assert message["type"] == "alert.changed" and message["group"] == "demo-test"
    finally:
        live.serve_in_memory_on(None)
        loop.call_soon_threadsafe(loop.stop)
        server.join(5)
        channel_layers.backends.clear()
