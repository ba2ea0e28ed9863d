"""Plates on our own cameras: a vehicle driving past a camera that reads plates is followed as one track,
handed over once with a few crops, and its crops read on the recognition queue into one PlateRead."""

import cv2
import numpy as np
import pytest

from cameras.models import PlateRead
from cameras.services.plates import vehicle_passed
from cameras.services.registry import camera_create
from cameras.video import scenes
from cameras.video.analyser import AnalyserSettings, CameraAnalyser
from opscenter.celery import app
from tests.factories import district

WIDTH, HEIGHT, FPS = 640, 360, 5.0


def drive_past(plate: str, seconds: float = 8.0):
    """A street; from 0.5 s a car (its back to the camera, its plate readable) crosses it left to right."""
    car = cv2.resize(scenes.vehicle_with(scenes.plate_image(plate)), (240, 160), interpolation=cv2.INTER_AREA)
    base = scenes.background(WIDTH, HEIGHT).astype(np.uint8)
    rng = np.random.default_rng(3)
    for index in range(int(seconds * FPS)):
        t = index / FPS
        frame = base.copy()
        x = int(-240 + (t - 0.5) * 220)
        if t >= 0.5 and x < WIDTH:
            left, right = max(0, x), min(WIDTH, x + 240)
            frame[170:330, left:right] = car[:, left - x : right - x]
        yield t, scenes.noisy(frame, rng, sigma=2.0)


def test_a_passing_car_is_one_track_handed_over_once_with_its_crops():
    analyser = CameraAnalyser(frame_shape=(HEIGHT, WIDTH), settings=AnalyserSettings(fps=FPS, plates=True))
    findings = [finding for t, frame in drive_past("123 ABC 07") for finding in analyser.analyse(frame, t)]
    (passed,) = [finding for finding in findings if finding.kind == "vehicle"]
    assert passed.action == "passed" and 3 <= len(passed.crops) <= 6
    assert all(crop.startswith(b"\xff\xd8") for crop in passed.crops)
    assert passed.pictures["context"].startswith(b"\xff\xd8")


def test_without_plate_reading_no_vehicle_is_followed():
    analyser = CameraAnalyser(frame_shape=(HEIGHT, WIDTH), settings=AnalyserSettings(fps=FPS))
    assert [f for t, frame in drive_past("123 ABC 07") for f in analyser.analyse(frame, t)] == []


@pytest.mark.django_db
def test_the_crops_are_read_on_the_recognition_queue_into_one_plate_read():
    assert app.amqp.router.route({}, "cameras.tasks.read_plates")["queue"].name == "recognition"
    camera, _secret = camera_create(
        name="Eurasia / Ikhsanov", kind="fixed", district=district("uralsk"), latitude=51.2178, longitude=51.3776
    )
    analyser = CameraAnalyser(frame_shape=(HEIGHT, WIDTH), settings=AnalyserSettings(fps=FPS, plates=True))
    findings = [finding for t, frame in drive_past("777 KZA 07") for finding in analyser.analyse(frame, t)]
    (passed,) = [finding for finding in findings if finding.kind == "vehicle"]

    vehicle_passed(camera=camera, finding=passed)  # Celery runs in-process in the tests

    read = PlateRead.objects.get()
    assert (read.text, read.display, read.country, read.source) == ("777KZA07", "777 KZA 07", "KZ", "worker")
    assert len(read.raw_texts) >= 2  # more than one frame voted
    assert read.crop.read().startswith(b"\xff\xd8") and read.context.read().startswith(b"\xff\xd8")
    assert (read.latitude, read.longitude) == (51.2178, 51.3776)
