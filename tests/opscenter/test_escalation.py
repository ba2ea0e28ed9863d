"""Alerts left unacknowledged past their severity's threshold escalate, once per level, recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from opscenter.models import Alert, AuditEntry
from opscenter.services.alerts import alert_acknowledge, alert_raise, alerts_escalate_overdue
from opscenter.tasks import escalate_alerts
from tests.factories import UserFactory, center, district

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.ALERT_ESCALATION_SECONDS = {1: 30, 2: 120, 3: 900, 4: 0}


def raised_ago(seconds, severity=1, code="uralsk"):
    alert = alert_raise(source="test", kind="test", severity=severity, title="t", district=district(code))
    Alert.objects.filter(pk=alert.pk).update(raised_at=timezone.now() - timedelta(seconds=seconds))
    return alert


def level(alert):
    alert.refresh_from_db()
    return alert.escalation_level


def test_a_p1_escalates_after_30_seconds_to_the_supervisors(supervisor_uralsk):
    fresh, due = raised_ago(10), raised_ago(31)

    assert alerts_escalate_overdue() == 1

    assert (level(fresh), level(due)) == (0, 1)
    event = due.events.get(action="escalated")
    assert event.data == {"level": 1, "to": [supervisor_uralsk.username]}
    assert AuditEntry.objects.get(action="alert.escalate").data["level"] == 1


def test_escalation_happens_once_per_level(supervisor_uralsk):
    alert = raised_ago(31)
    alerts_escalate_overdue()
    assert alerts_escalate_overdue() == 0
    assert alert.events.filter(action="escalated").count() == 1


def test_the_head_of_the_center_is_told_at_twice_the_threshold(supervisor_uralsk):
    head = UserFactory(username="head", role="supervisor")
    uralsk = center("uralsk")
    uralsk.head = head
    uralsk.save()
    alert = raised_ago(61)

    assert alerts_escalate_overdue() == 2

    assert level(alert) == 2
    assert alert.events.filter(action="escalated").last().data == {
        "level": 2,
        "to": sorted([supervisor_uralsk.username, "head"]),
    }


def test_acknowledged_alerts_do_not_escalate(operator_uralsk):
    alert = raised_ago(31)
    alert_acknowledge(alert=alert, actor=operator_uralsk)
    assert alerts_escalate_overdue() == 0
    assert level(alert) == 0


@pytest.mark.parametrize(("severity", "seconds", "expected"), [(2, 119, 0), (2, 121, 1), (3, 901, 1), (4, 99999, 0)])
def test_thresholds_per_severity(severity, seconds, expected):
    alert = raised_ago(seconds, severity=severity)
    alerts_escalate_overdue()
    assert level(alert) == expected


def test_the_periodic_task_runs_the_service():
    raised_ago(31)
    assert escalate_alerts.apply().get() == 1
