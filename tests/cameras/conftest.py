import pytest

from cameras.services.registry import camera_create
from tests.factories import district


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def camera(db):
    camera, _secret = camera_create(
        name="Dostyk / Abulkhair Khan", kind="fixed", district=district("uralsk"), latitude=51.2301, longitude=51.3702
    )
    return camera
