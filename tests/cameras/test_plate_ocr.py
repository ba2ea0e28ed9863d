"""Reading plates off rendered vehicles with rapidocr (its models inside its wheel): every format of the
data; a tilted, blurred, noisy, night-time or dirty plate; frames voted into the exact text; the
classical localiser when the detector finds nothing; a van's lettering, a make's badge and a taxi's sign
are no plates; and all of it offline."""

import subprocess
import sys
from pathlib import Path

import pytest

from cameras.plates.formats import formats
from cameras.plates.ocr import PlateReader
from cameras.plates.voting import Reading, vote
from cameras.video import scenes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reader() -> PlateReader:
    return PlateReader()


def plate_of(reader: PlateReader, image) -> str | None:
    found = reader.read_vehicle(image)
    return found[0].text if found else None


@pytest.mark.parametrize("plate_format", formats(), ids=lambda f: f"{f.country}-{f.kind}-{f.example}")
def test_every_format_is_read_off_a_vehicle(reader, plate_format):
    image = scenes.vehicle_with(
        scenes.plate_image(plate_format.written(plate_format.example), flag=plate_format.country == "KZ")
    )
    (found,) = reader.read_vehicle(image)
    assert found.text == plate_format.example
    assert found.localiser == "detector" and len(found.confidences) == len(found.text)
    assert found.crop.shape[1] > found.crop.shape[0] * 2  # the rectified plate line, kept as evidence


@pytest.mark.parametrize(
    "street",
    [
        {"tilt": 0.12},
        {"blur": 7},
        {"noise": 12},
        {"night": True, "noise": 4},
        {"dirt": 14},
        {"tilt": 0.2, "blur": 5, "noise": 10},
    ],
    ids=["tilted", "blurred", "noisy", "night", "dirty", "all-at-once"],
)
def test_a_plate_is_read_as_a_street_camera_sees_it(reader, street):
    image = scenes.degrade(scenes.vehicle_with(scenes.plate_image("123 ABC 07")), **street)
    assert plate_of(reader, image) == "123ABC07"


def test_frames_of_one_car_are_voted_into_its_exact_plate(reader):
    readings = []
    for seed in range(6):
        image = scenes.degrade(
            scenes.vehicle_with(scenes.plate_image("777 KZA 07"), seed=seed), dirt=40, noise=8, blur=7, seed=seed
        )
        readings += [Reading.of(found.text, found.confidences, frame=seed) for found in reader.read_vehicle(image)]
    voted = vote(readings)
    assert voted is not None and voted.text == "777KZA07" and voted.country == "KZ"


def test_the_classical_localiser_reads_what_the_detector_missed(reader, monkeypatch):
    monkeypatch.setattr(reader, "_detect", lambda image: [])
    image = scenes.degrade(scenes.vehicle_with(scenes.plate_image("123 ABC 07")), tilt=0.08, noise=6)
    (found,) = reader.read_vehicle(image)
    assert (found.text, found.localiser) == ("123ABC07", "classical")


@pytest.mark.parametrize(
    ("lettering", "badge"), [("DOSTAVKA 24/7", ""), ("TAXI 7777", ""), ("", "KIA"), ("SALE -50%", "BMW")]
)
def test_lettering_badges_and_signs_are_no_plates(reader, lettering, badge):
    assert reader.read_vehicle(scenes.vehicle_with(None, lettering=lettering, badge=badge)) == []


def test_the_reader_works_offline():
    """Loading the models and reading a plate with every network connection refused."""
    script = """
import socket
def refuse(*args, **kwargs):
    raise OSError("no network in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
from cameras.plates.ocr import PlateReader
from cameras.video import scenes
found = PlateReader().read_vehicle(scenes.vehicle_with(scenes.plate_image("123 ABC 07")))
print(found[0].text)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "123ABC07"
