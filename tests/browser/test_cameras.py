"""Cameras in the browser: the video wall's tiles follow the cameras live (a new frame, a stream going
down), and a panic pressed at a school opens, beside the alarm, the frames of the cameras that watch
that school first and then of those near it."""

from datetime import UTC, datetime

import cv2
import numpy as np
import pytest
from playwright.sync_api import expect

from alarms.services import panel_create
from cameras.services.events import event_close, event_open
from cameras.services.health import camera_latest_frame_store, camera_stream_lost
from cameras.services.registry import camera_create
from tests.alarms.running import RunningReceiver
from tests.browser.conftest import in_worker_thread
from tests.browser.test_alarms import press, raised
from tests.factories import UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


@pytest.fixture(autouse=True)
def _media_served(settings, server_media_root):
    settings.MEDIA_ROOT = server_media_root  # frames stored here are the ones the server serves


def jpeg(shade: int) -> bytes:
    frame = np.full((180, 320, 3), shade, np.uint8)
    cv2.putText(frame, str(shade), (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 4)
    return cv2.imencode(".jpg", frame)[1].tobytes()


def test_the_video_wall_tiles_follow_new_frames_and_a_stream_going_down(new_page, log_in):
    UserFactory(username="op_wall", centers=["uralsk"])
    camera, _ = camera_create(name="Dostyk / Abai", kind="fixed", district=district("uralsk"))
    other, _ = camera_create(name="Syrym bazaar", kind="fixed", district=district("syrym"))
    first = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    camera_latest_frame_store(camera=camera, jpeg=jpeg(60), at=first)
    page = new_page()
    log_in(page, "op_wall")
    page.goto("/cameras/")

    tile = page.locator(f"#camera-{camera.pk}")
    expect(tile.locator("img")).to_have_attribute("src", f"/cameras/{camera.pk}/latest.jpg?t={int(first.timestamp())}")
    page.wait_for_function(f"document.querySelector('#camera-{camera.pk} img').naturalWidth === 320")
    expect(page.locator(f"#camera-{other.pk}")).to_have_count(0)  # another district's camera: not in scope

    lost = datetime(2026, 12, 7, 10, 0, 5, tzinfo=UTC)
    camera_latest_frame_store(camera=camera, jpeg=jpeg(200), at=lost)
    in_worker_thread(camera_stream_lost, camera=camera, since=lost, error="broke", down=True)  # raises its alert
    expect(tile.locator("img")).to_have_attribute("src", f"/cameras/{camera.pk}/latest.jpg?t={int(lost.timestamp())}")
    expect(tile).to_have_attribute("data-up", "down")


@pytest.fixture
def receiver():
    running = in_worker_thread(RunningReceiver)
    yield running
    running.stop()


def test_a_panic_at_a_school_opens_the_schools_cameras_beside_the_alarm(new_page, log_in, receiver):
    panel = panel_create(
        account="5A5A", object_name="School No. 5", object_kind="school", district=district("uralsk"),
        latitude=51.2301, longitude=51.3702, address="Uralsk, Dostyk ave. 12",
    )  # fmt: skip
    uralsk = district("uralsk")
    # The yard camera watches the school from across the square (farther than the street camera).
    yard, _ = camera_create(
        name="School 5 yard", kind="fixed", district=uralsk, latitude=51.2330, longitude=51.3702,
        watches=panel.protected_object,
    )  # fmt: skip
    street, _ = camera_create(name="Dostyk / Abai", kind="fixed", district=uralsk, latitude=51.2305, longitude=51.3702)
    camera_create(name="Airport road", kind="fixed", district=uralsk, latitude=51.1500, longitude=51.5400)  # far away
    at = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    camera_latest_frame_store(camera=yard, jpeg=jpeg(90), at=at)
    UserFactory(username="op_school", centers=["uralsk"])
    page = new_page()
    log_in(page, "op_school")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    press(receiver.port, "1120 01 015", "0001")
    alert = raised()
    row = page.locator(f'#alert-list .alert-row[data-alert-id="{alert.pk}"]')
    expect(row).to_be_visible()
    row.click()

    beside = page.locator("#detail #beside")
    expect(beside).to_be_visible()
    tiles = beside.locator(".beside-tile")
    expect(tiles).to_have_count(2)
    first, second = tiles.nth(0), tiles.nth(1)
    expect(first).to_have_attribute("data-camera-id", str(yard.pk))
    expect(first).to_have_attribute("data-watches", "true")
    page.wait_for_function("document.querySelector('#beside .beside-tile img').naturalWidth === 320")
    expect(second).to_have_attribute("data-camera-id", str(street.pk))
    expect(second.locator(".beside-no-frame")).to_be_visible()  # no frame yet
    expect(second.locator(".beside-meta")).to_contain_text("44")  # metres from the school
    expect(first.locator("a")).to_have_attribute("href", f"/cameras/#camera-{yard.pk}")

    # The street camera's first frame arrives while the alarm is open: the tile shows it by itself.
    camera_latest_frame_store(camera=street, jpeg=jpeg(150), at=at)
    expect(second.locator(".beside-no-frame")).to_have_count(0)
    expect(second.locator("img")).to_have_count(1)


def test_a_left_object_alert_shows_its_before_and_best_pictures_and_the_after_joins_when_it_ends(new_page, log_in):
    camera, _ = camera_create(name="Yard behind Dostyk 5", kind="fixed", district=district("uralsk"))
    at = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    event = in_worker_thread(
        event_open, camera=camera, kind="dumping", origin="worker", started_at=at, zone="yard",
        pictures={"before": (jpeg(40), at), "best": (jpeg(80), at)},
    )  # fmt: skip
    UserFactory(username="op_dumping", centers=["uralsk"])
    page = new_page()
    log_in(page, "op_dumping")
    page.locator(f'#alert-list .alert-row[data-alert-id="{event.alert_id}"]').click()

    pictures = page.locator("#detail #evidence li")
    expect(pictures).to_have_count(2)
    expect(pictures.nth(0)).to_have_attribute("data-kind", "best")
    page.wait_for_function("[...document.querySelectorAll('#evidence img')].every(i => i.naturalWidth === 320)")
    expect(page.locator("#detail #beside .beside-tile")).to_have_count(1)  # the camera itself

    in_worker_thread(event_close, event=event, ended_at=at, pictures={"after": (jpeg(120), at)})
    expect(pictures).to_have_count(3)
    expect(page.locator("#evidence li[data-kind=after] img")).to_be_visible()
