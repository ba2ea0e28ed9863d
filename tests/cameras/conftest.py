import pytest

from cameras.services.registry import camera_create, push_path
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


@pytest.fixture
def pushing(db):
    """A smart ANPR camera pushing over ISAPI, and its push URL."""
    camera, secret = camera_create(
        name="Dostyk ANPR",
        kind="anpr",
        district=district("uralsk"),
        latitude=51.23,
        longitude=51.37,
        push_protocol="isapi",
    )
    return camera, push_path(secret)
