"""Positions are purged a configurable time after the order ends, unless linked to a case."""

from datetime import timedelta

import pytest

from bracelets.models import CourtOrder, Position
from bracelets.services.registry import positions_link_case
from bracelets.services.retention import positions_purge
from bracelets.tasks import purge_positions
from opscenter.models import Alert, AlertEvent, AuditEntry
from tests.bracelets.conftest import NOON

pytestmark = pytest.mark.django_db


def test_positions_are_kept_until_the_retention_after_the_order_ends(person, send, settings, officer_uralsk):
    settings.BRACELET_POSITION_RETENTION_DAYS = 30
    for minute in range(3):
        send(NOON + timedelta(minutes=minute))
    order = CourtOrder.objects.get()
    CourtOrder.objects.filter(pk=order.pk).update(ends_at=NOON + timedelta(days=1))
    positions_link_case(person=person, since=NOON, until=NOON + timedelta(seconds=30), case_number="2026-0042",
                        actor=officer_uralsk)  # fmt: skip

    assert positions_purge(now=NOON + timedelta(days=30)) == 0
    assert positions_purge(now=NOON + timedelta(days=31, seconds=1)) == 2
    assert list(Position.objects.values_list("case_number", flat=True)) == ["2026-0042"]
    assert AuditEntry.objects.filter(action="bracelets.positions.purge").count() == 1
    assert AuditEntry.objects.get(action="bracelets.positions.link_case").reason == "2026-0042"


def test_the_task_purges_positions_with_no_order_by_their_age(device, send, settings):
    settings.BRACELET_POSITION_RETENTION_DAYS = 1
    send(NOON, now=NOON)
    assert purge_positions.apply().get() == 1


def test_purging_positions_redacts_the_alerts_that_hold_them(person, send, settings):
    settings.BRACELET_POSITION_RETENTION_DAYS = 30
    send(NOON, north_m=0)
    send(NOON + timedelta(seconds=60), north_m=300)
    send(NOON + timedelta(seconds=240), north_m=340)  # past the grace period: an alarm and its alert
    alert = Alert.objects.get()
    assert alert.latitude is not None and alert.payload["details"]["fix"]
    CourtOrder.objects.filter(pk=CourtOrder.objects.get().pk).update(ends_at=NOON + timedelta(days=1))

    positions_purge(now=NOON + timedelta(days=32))

    alert.refresh_from_db()
    assert Position.objects.count() == 0
    assert (alert.payload, alert.latitude, alert.longitude, alert.address) == ({}, None, None, "")
    assert alert.redacted_at == NOON + timedelta(days=32)
    assert not AlertEvent.objects.filter(alert=alert).exclude(data={}, text="").exists()
    assert AuditEntry.objects.get(action="bracelets.positions.purge").data["alerts_redacted"] == 1
