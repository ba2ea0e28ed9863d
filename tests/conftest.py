import pytest

from tests.audit_triggers import flushing_bypasses_the_audit_triggers
from tests.factories import UserFactory


@pytest.fixture(autouse=True, scope="session")
def _flushing_empties_the_audit():
    """The audit refuses TRUNCATE and DELETE; the flush after each transactional test may still empty it."""
    with flushing_bypasses_the_audit_triggers():
        yield


@pytest.fixture
def operator_uralsk(db):
    return UserFactory(username="op_uralsk", role="operator", centers=["uralsk"])


@pytest.fixture
def operator_syrym(db):
    return UserFactory(username="op_syrym", role="operator", centers=["syrym"])


@pytest.fixture
def supervisor_uralsk(db):
    return UserFactory(username="sup_uralsk", role="supervisor", centers=["uralsk"])


@pytest.fixture
def officer_terekti(db):
    return UserFactory(username="officer_terekti", role="district_officer", districts=["terekti"])


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin1", role="administrator")


@pytest.fixture(autouse=True)
def _plain_http_and_in_process_tasks(settings):
    """Tests speak plain HTTP to the test client, run Celery tasks in-process (a real worker is tested on
    its own, tests/opscenter/test_worker.py) and, outside requests, speak English."""
    from django.utils import translation

    from opscenter.celery import app

    translation.activate("en")  # services write English in tests; requests still negotiate their own
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_throttle_counters(monkeypatch):
    """Each test counts its own requests: a credential's primary key comes back from test to test (SQLite),
    and the counters of the last minute would otherwise carry over."""
    import uuid

    from django.core.cache.backends.locmem import LocMemCache

    from opscenter.throttling import CredentialRateThrottle

    monkeypatch.setattr(CredentialRateThrottle, "cache", LocMemCache(f"throttle-{uuid.uuid4().hex}", {}))
