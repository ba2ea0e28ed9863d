"""Retention of alerts: ALERT_RETENTION_DAYS after an alert was resolved, the hourly purge empties its
payload and the data and texts of its timeline, and keeps what happened, when and by whom."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from opscenter.models import Alert, AlertEvent, AuditEntry
from opscenter.services.alerts import alert_comment, alert_raise, alert_resolve
from opscenter.services.retention import alerts_purge_expired, alerts_redact
from opscenter.tasks import purge_alerts
from tests.factories import district

pytestmark = pytest.mark.django_db


def resolved_alert(operator, *, days_ago: float) -> Alert:
    alert = alert_raise(
        source="test",
        kind="test",
        severity=2,
        title="EM-000001",
        district=district("uralsk"),
        latitude=51.2,
        longitude=51.3,
        address="Dostyk 1",
        payload={"who": "Ivanov"},
    )
    alert_comment(alert=alert, actor=operator, text="Ivanov at home")
    alert_resolve(alert=alert, actor=operator, disposition="real", note="Ivanov found")
    Alert.objects.filter(pk=alert.pk).update(resolved_at=timezone.now() - timedelta(days=days_ago))
    return alert


def test_the_default_retention_is_a_year():
    assert django_settings.ALERT_RETENTION_DAYS == 365
    assert django_settings.CELERY_BEAT_SCHEDULE["purge-alerts"] == {
        "task": "opscenter.tasks.purge_alerts",
        "schedule": 3600.0,
    }


def test_a_resolved_alert_past_its_retention_is_redacted_and_a_recent_one_kept(operator_uralsk, settings):
    settings.ALERT_RETENTION_DAYS = 30
    old = resolved_alert(operator_uralsk, days_ago=31)
    recent = resolved_alert(operator_uralsk, days_ago=29)

    assert purge_alerts.apply().get() == 1
    assert alerts_purge_expired() == 0  # once

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.payload, old.redacted_at is not None) == ({}, True)
    assert (old.title, old.status, old.disposition, old.latitude, old.address) == (
        "EM-000001",
        "resolved",
        "real",
        51.2,
        "Dostyk 1",
    )
    assert list(AlertEvent.objects.filter(alert=old).values_list("action", "text", "data")) == [
        ("raised", "", {}),
        ("commented", "", {}),
        ("resolved", "", {}),
    ]
    assert (recent.payload, recent.redacted_at) == ({"who": "Ivanov"}, None)
    assert AlertEvent.objects.get(alert=recent, action="commented").text == "Ivanov at home"
    assert AuditEntry.objects.get(action="alert.redact").data == {"alerts": [old.pk], "place": False}


def test_an_open_alert_is_never_purged(settings):
    settings.ALERT_RETENTION_DAYS = 0
    alert = alert_raise(
        source="test", kind="test", severity=2, title="t", district=district("uralsk"), payload={"who": "Ivanov"}
    )
    Alert.objects.filter(pk=alert.pk).update(raised_at=timezone.now() - timedelta(days=1000))

    assert alerts_purge_expired() == 0


def test_redacting_with_the_place_clears_it_too(operator_uralsk):
    alert = resolved_alert(operator_uralsk, days_ago=0)

    assert alerts_redact(alert_pks=[alert.pk], place=True) == 1
    assert alerts_redact(alert_pks=[alert.pk], place=True) == 0

    alert.refresh_from_db()
    assert (alert.payload, alert.latitude, alert.longitude, alert.address) == ({}, None, None, "")
