"""The queue's order: escalated alerts nobody acknowledged first, then severity, then the oldest."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from opscenter.models import Alert
from opscenter.selectors import alert_list
from tests.factories import center, district

pytestmark = pytest.mark.django_db


def make(title: str, *, severity: int, minutes_ago: int, escalation_level: int = 0, status: str = "new") -> Alert:
    raised = timezone.now() - timedelta(minutes=minutes_ago)
    return Alert.objects.create(
        source="test", kind="test", severity=severity, title=title, center=center("uralsk"),
        district=district("uralsk"), raised_at=raised, updated_at=raised, escalation_level=escalation_level,
        status=status, acknowledged_at=raised if status != "new" else None,
    )  # fmt: skip


def test_escalated_first_then_severity_then_the_oldest(operator_uralsk):
    # Given alerts of every kind of rank, created out of order
    make("P2 newer", severity=2, minutes_ago=1)
    make("P1 newer", severity=1, minutes_ago=2)
    make("P3 escalated", severity=3, minutes_ago=3, escalation_level=1)
    make("P1 older", severity=1, minutes_ago=30)
    make("P2 older", severity=2, minutes_ago=20)
    make("P2 escalated twice", severity=2, minutes_ago=4, escalation_level=2)
    make("P1 escalated, acknowledged since", severity=1, minutes_ago=10, escalation_level=1, status="acknowledged")

    # When the queue is read, by the selector and over REST
    titles = [alert.title for alert in alert_list(user=operator_uralsk, open_only=True)]
    client = APIClient()
    client.force_login(operator_uralsk)
    rest = [alert["title"] for alert in client.get("/api/v1/alerts/?status=open").json()["results"]]

    # Then the escalated ones nobody took come first (by severity), then the most severe, oldest first;
    # an escalated alert someone acknowledged takes its place by severity and age again
    assert titles == [
        "P2 escalated twice",
        "P3 escalated",
        "P1 older",
        "P1 escalated, acknowledged since",
        "P1 newer",
        "P2 older",
        "P2 newer",
    ]
    assert rest == titles
