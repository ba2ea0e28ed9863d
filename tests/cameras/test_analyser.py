"""The analysis on rendered clips: what must raise nothing, and what must raise exactly one event."""

import cv2
import numpy as np
import pytest

from cameras.video import scenes
from cameras.video.analyser import AnalyserSettings, CameraAnalyser
from cameras.video.crowd import Perspective
from cameras.zones import zones_of

FPS = 5.0
LOWER_HALF = [[0.1, 0.55], [0.9, 0.55], [0.9, 1.0], [0.1, 1.0]]


def _run(settings: AnalyserSettings, frames):
    analyser = CameraAnalyser(frame_shape=(scenes.HEIGHT, scenes.WIDTH), settings=settings)
    findings, moving = [], 0
    for t, frame in frames:
        findings.extend(analyser.analyse(frame, t))
        moving += bool(analyser.last_boxes)
    return findings, moving


def test_sensor_noise_raises_no_motion():
    _findings, moving = _run(AnalyserSettings(), scenes.clip(lambda frame, t: None, seconds=20))
    assert moving == 0


def test_a_lighting_jump_raises_no_motion():
    # A street light coming on, a cloud passing: the whole image brightens at once at 5 s and stays so.
    frames = scenes.clip(lambda frame, t: None, seconds=20, brightness=lambda t: 1.0 if t < 5 else 1.4)
    _findings, moving = _run(AnalyserSettings(), frames)
    assert moving == 0


def test_an_ir_switch_changing_the_whole_image_only_recalibrates():
    rng = np.random.default_rng(1)
    base = scenes.background()
    # At 5 s the camera switches to infrared: the same scene, every grey level different.
    frames = ((i / FPS, scenes.noisy(base if i < 25 else 255 - base, rng)) for i in range(100))
    _findings, moving = _run(AnalyserSettings(), frames)
    assert moving == 0


def test_a_walker_is_seen_moving():
    def walk(frame, t):
        scenes.person(frame, 20 + t * 25, 150, 50)

    _findings, moving = _run(AnalyserSettings(), scenes.clip(walk, seconds=10))
    assert moving >= 40  # of 50 frames, the first ones calibrate


def _gathering_settings(**overrides):
    values = dict(
        fps=FPS,
        crowd=True,
        crowd_min_people=12,
        crowd_seconds=6,
        zones=tuple(zones_of([{"kind": "crowd", "name": "square", "points": LOWER_HALF}])),
        perspective=Perspective(top=0.1, bottom=0.3),
    )
    values.update(overrides)
    return AnalyserSettings(**values)


def _gathering(frame, t, people=18, arrive=4.0, leave=30.0):
    """People walk in from the left from `arrive`, stand (shifting a little) and walk off at `leave`."""
    for index, (x, y) in enumerate(scenes.crowd_positions(people)):
        start = arrive + index * 0.2
        if t < start:
            continue
        walking_off = t >= leave
        px = x + (t - leave) * 120 if walking_off else min(x, 10 + (t - start) * 80) + np.sin(t * 2 + index) * 1.5
        if px < scenes.WIDTH + 20:
            scenes.person(frame, px, y, scenes.person_height(y))


def test_a_gathering_raises_exactly_one_event_and_it_ends():
    findings, _ = _run(_gathering_settings(), scenes.clip(_gathering, seconds=60))
    crowd = [(f.action, f.zone) for f in findings if f.kind == "crowd" and f.action != "update"]
    assert crowd == [("start", "square"), ("end", "square")]
    start = next(f for f in findings if f.action == "start")
    assert 12 <= start.score <= 26  # 18 drawn, counted from occupancy under the perspective
    assert start.pictures["best"].startswith(b"\xff\xd8")
    assert set(start.data) == {"density_per_image"}  # counts and density only, nothing about anyone


def test_a_few_passers_by_are_no_gathering():
    findings, _ = _run(_gathering_settings(), scenes.clip(lambda frame, t: _gathering(frame, t, people=4), seconds=40))
    assert [f for f in findings if f.kind == "crowd"] == []


def _dumping_settings(**overrides):
    values = dict(
        fps=FPS,
        dumping=True,
        dumping_seconds=8,
        zones=tuple(
            zones_of(
                [{"kind": "dumping", "name": "ravine", "points": [[0.5, 0.5], [0.95, 0.5], [0.95, 0.95], [0.5, 0.95]]}]
            )
        ),
    )
    values.update(overrides)
    return AnalyserSettings(**values)


def _dump(frame, t):
    """Someone walks in, leaves a bag at 8 s, and walks away; the bag stays."""
    if 4 <= t < 12:
        x = 330 - (t - 4) * 25 if t < 8 else 230 + (t - 8) * 40
        scenes.person(frame, x, 150, 50)
    if t >= 8:
        cv2.rectangle(frame, (222, 132), (246, 150), (20, 60, 160), -1)


def test_a_left_object_raises_a_dumping_event_after_its_time_with_before_and_after():
    findings, _ = _run(_dumping_settings(), scenes.clip(_dump, seconds=40))
    dumping = [f for f in findings if f.kind == "dumping"]
    assert [f.action for f in dumping] == ["start"]
    start = dumping[0]
    assert 8 + 8 <= start.t <= 8 + 8 + 6
    assert set(start.pictures) == {"best", "after", "before"}
    x, y, _w, _h = start.box
    assert abs(x - 222 / 320) < 0.05 and abs(y - 132 / 180) < 0.06
    assert start.data["track"], "the person who left it was moving there just before"


def test_a_passer_by_leaves_nothing_behind():
    def walk(frame, t):
        scenes.person(frame, 330 - t * 20, 150, 50)

    findings, _ = _run(_dumping_settings(), scenes.clip(walk, seconds=30))
    assert findings == []


def test_a_car_stopped_in_a_lane_is_a_possible_accident():
    def car(frame, t):
        x = min(150.0, -60 + t * 60)
        cv2.rectangle(frame, (int(x), 120), (int(x) + 50, 145), (30, 30, 180), -1)

    settings = AnalyserSettings(
        fps=FPS,
        lanes=True,
        lane_stop_seconds=6,
        zones=tuple(
            zones_of([{"kind": "lane", "name": "eastbound", "points": [[0, 0.6], [1, 0.6], [1, 0.85], [0, 0.85]]}])
        ),
    )
    findings, _ = _run(settings, scenes.clip(car, seconds=30))
    assert [(f.kind, f.action, f.zone) for f in findings] == [("lane_stop", "start", "eastbound")]
    assert 3.5 + 6 - 1 <= findings[0].t <= 3.5 + 6 + 5  # sampled once a second


@pytest.mark.parametrize("kind", ["mask"])
def test_motion_inside_a_mask_is_ignored(kind):
    def flicker(frame, t):
        cv2.rectangle(frame, (10, 10), (60, 60), (255, 255, 255) if int(t * 5) % 2 else (0, 0, 0), -1)

    settings = AnalyserSettings(
        zones=tuple(zones_of([{"kind": kind, "name": "clock", "points": [[0, 0], [0.25, 0], [0.25, 0.4], [0, 0.4]]}]))
    )
    _findings, moving = _run(settings, scenes.clip(flicker, seconds=10))
    assert moving == 0


def test_a_car_that_stopped_and_drove_on_is_one_incident_and_leaves_no_ghost():
    # When it leaves, the long-term model still holds the car where the road is now: that ghost is no
    # second stopped vehicle.
    def car(frame, t):
        x = min(150.0, -60 + t * 60) if t < 30 else 150 + (t - 30) * 60
        cv2.rectangle(frame, (int(x), 120), (int(x) + 50, 145), (30, 30, 180), -1)

    settings = AnalyserSettings(
        fps=FPS,
        lanes=True,
        lane_stop_seconds=6,
        zones=tuple(
            zones_of([{"kind": "lane", "name": "eastbound", "points": [[0, 0.6], [1, 0.6], [1, 0.85], [0, 0.85]]}])
        ),
    )
    findings, _ = _run(settings, scenes.clip(car, seconds=90))
    assert [(f.kind, f.action) for f in findings] == [("lane_stop", "start"), ("lane_stop", "end")]


def test_a_left_object_is_one_event_while_it_stays_and_ends_when_it_is_taken_away():
    def dump_and_collect(frame, t):
        _dump(frame, t) if t < 150 else None  # picked up at 150 s, long after its 8 s

    findings, _ = _run(_dumping_settings(), scenes.clip(dump_and_collect, seconds=180))
    dumping = [(f.action, round(f.t)) for f in findings if f.kind == "dumping"]
    assert [action for action, _t in dumping] == ["start", "end"]
    assert dumping[1][1] >= 150  # not before it was taken away
