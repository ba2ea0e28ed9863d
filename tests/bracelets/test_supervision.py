"""The periodic supervision: pending breaches past their grace, GPS lost, signal lost; each resolves
when the condition ends."""

from datetime import timedelta

import pytest

from bracelets.models import Violation
from bracelets.services.evaluation import bracelets_supervise
from bracelets.tasks import supervise_bracelets
from opscenter.models import Alert
from tests.bracelets.conftest import NOON

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.BRACELET_BREACH_GRACE_SECONDS = 180
    settings.BRACELET_GPS_LOST_SECONDS = 900
    settings.BRACELET_SIGNAL_LOST_SECONDS = 600
    settings.LANGUAGE_CODE = "en"  # alerts and endings speak the platform's language; English here


def test_a_pending_breach_with_no_further_fix_becomes_an_alarm_past_the_grace(person, send):
    send(NOON, north_m=500)
    assert bracelets_supervise(now=NOON + timedelta(seconds=179)) == 0
    assert bracelets_supervise(now=NOON + timedelta(seconds=181)) == 1
    assert bracelets_supervise(now=NOON + timedelta(seconds=200)) == 0
    assert Alert.objects.get().kind == "bracelet_inclusion"
    assert Violation.objects.get().status == "alarm"


def test_signal_lost_is_p2_and_resolves_when_heard_again(person, send):
    send(NOON)
    assert bracelets_supervise(now=NOON + timedelta(seconds=599)) == 0
    assert bracelets_supervise(now=NOON + timedelta(seconds=601)) == 1
    assert bracelets_supervise(now=NOON + timedelta(seconds=900)) == 0
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity) == ("bracelet_signal_lost", 2)
    send(NOON + timedelta(seconds=1000))
    alert.refresh_from_db()
    assert (alert.status, alert.disposition) == ("resolved", "technical")
    assert Violation.objects.get().end_reason == "Heard from the bracelet again."


def test_gps_lost_while_talking_is_p2_and_resolves_with_a_valid_fix(person, send):
    send(NOON)
    # the bracelet keeps talking, but with no valid fix
    for minute in range(1, 17):
        send(NOON + timedelta(minutes=minute), is_valid=False)
    assert bracelets_supervise(now=NOON + timedelta(minutes=16)) == 1
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity) == ("bracelet_gps_lost", 2)
    send(NOON + timedelta(minutes=17))
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_a_bracelet_never_heard_is_not_reported(person):
    assert bracelets_supervise(now=NOON + timedelta(days=1)) == 0


def test_the_task_is_scheduled_and_runs(person, send, settings):
    assert settings.CELERY_BEAT_SCHEDULE["supervise-bracelets"]["task"] == "bracelets.tasks.supervise_bracelets"
    assert settings.CELERY_BEAT_SCHEDULE["purge-bracelet-positions"]["task"] == "bracelets.tasks.purge_positions"
    send(NOON - timedelta(hours=2))
    assert supervise_bracelets.apply().get() == 1
