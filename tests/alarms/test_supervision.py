"""Supervision: a panel that misses its interval plus grace raises one P2 "panel silent" alert."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alarms.models import AlarmPanel
from alarms.services import panels_supervise
from alarms.tasks import supervise_panels
from opscenter.models import Alert

pytestmark = pytest.mark.django_db


def heard_ago(panel, seconds):
    AlarmPanel.objects.filter(pk=panel.pk).update(
        is_online=True, last_contact_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_panel_within_interval_and_grace_is_fine(panel, settings):
    settings.SIA_SUPERVISION_GRACE_SECONDS = 60
    heard_ago(panel, 300 + 59)
    assert panels_supervise() == 0
    assert Alert.objects.count() == 0


def test_a_panel_past_interval_and_grace_goes_silent_once(panel, settings):
    settings.SIA_SUPERVISION_GRACE_SECONDS = 60
    heard_ago(panel, 300 + 61)

    assert panels_supervise() == 1
    assert panels_supervise() == 0

    alert = Alert.objects.get()
    assert (alert.kind, alert.severity, alert.center.code) == ("panel_silent", 2, "uralsk")
    assert alert.payload["panel"] == "1234"
    panel.refresh_from_db()
    assert panel.is_online is False


def test_a_panel_never_heard_is_not_reported_silent(panel):
    assert panel.last_contact_at is None
    assert panels_supervise() == 0


def test_an_inactive_panel_is_not_supervised(panel):
    heard_ago(panel, 10_000)
    AlarmPanel.objects.filter(pk=panel.pk).update(is_active=False)
    assert panels_supervise() == 0


def test_the_periodic_task_supervises(panel):
    heard_ago(panel, 10_000)
    assert supervise_panels.apply().get() == 1
