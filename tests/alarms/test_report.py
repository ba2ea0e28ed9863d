"""The response report: time to acknowledge, dispositions, silent panels, false alarms per object."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from alarms.models import AlarmPanel
from alarms.selectors import alarm_response_report
from alarms.services import frame_receive, panels_supervise
from opscenter.models import Alert
from opscenter.services.alerts import alert_acknowledge, alert_resolve
from tests.alarms.frames import build_frame
from tests.factories import UserFactory, center

pytestmark = pytest.mark.django_db


def press(sequence: str, data: str = "1120 01 015"):
    frame_receive(raw=build_frame(data=data, sequence=sequence), transport="tcp", peer="p")
    return Alert.objects.filter(status="new", source="alarms").latest("pk")


def acknowledged_after(alert, seconds, actor):
    alert = alert_acknowledge(alert=alert, actor=actor)
    Alert.objects.filter(pk=alert.pk).update(acknowledged_at=alert.raised_at + timedelta(seconds=seconds))


@pytest.fixture
def history(panel, operator_uralsk):
    for number, (seconds, disposition) in enumerate(
        [(10, "false_alarm"), (25, "real"), (45, "false_alarm"), (90, "test")]
    ):
        alert = press(f"{number + 1:04d}")
        acknowledged_after(alert, seconds, operator_uralsk)
        alert_resolve(alert=Alert.objects.get(pk=alert.pk), actor=operator_uralsk, disposition=disposition)
    press("0010")  # still open, never acknowledged
    AlarmPanel.objects.filter(pk=panel.pk).update(last_contact_at=timezone.now() - timedelta(hours=2))
    panels_supervise()


def window():
    now = timezone.now()
    return {"since": now - timedelta(days=1), "until": now + timedelta(minutes=1)}


def test_the_report_of_a_center(history, supervisor_uralsk):
    report = alarm_response_report(user=supervisor_uralsk, center=center("uralsk"), **window())

    assert (report.alarms, report.acknowledged) == (5, 4)
    assert (report.acknowledge_p50, report.acknowledge_p90, report.acknowledge_p99) == (25, 90, 90)
    assert (report.within_30s, report.within_60s) == (2 / 5, 3 / 5)
    assert report.by_disposition == {"false_alarm": 2, "real": 1, "test": 1, "open": 1}
    assert report.silent_alerts == 1
    assert [p["account"] for p in report.silent_now] == ["1234"]
    assert report.per_object == [{"object": "School No. 5", "alarms": 5, "false_alarms": 2, "false_alarm_rate": 0.4}]


def test_another_centers_supervisor_sees_nothing_of_it(history):
    supervisor = UserFactory(role="supervisor", centers=["syrym"])
    report = alarm_response_report(user=supervisor, **window())
    assert (report.alarms, report.silent_alerts, report.silent_now, report.per_object) == (0, 0, [], [])


def test_the_api_and_the_page(history, supervisor_uralsk):
    client = Client()
    client.force_login(supervisor_uralsk)
    data = client.get("/api/v1/alarms/report/", {"center": "uralsk"}).json()
    assert (data["alarms"], data["acknowledge_p50"], data["by_disposition"]["false_alarm"]) == (5, 25.0, 2)
    page = client.get("/alarms/report/", {"center": "uralsk"})
    assert page.status_code == 200
    assert "School No. 5" in page.content.decode()


def test_operators_may_not_see_the_report_and_centers_outside_scope_are_refused(
    history, operator_uralsk, supervisor_uralsk
):
    client = Client()
    client.force_login(operator_uralsk)
    assert client.get("/api/v1/alarms/report/").status_code == 403
    assert client.get("/alarms/report/").status_code == 403
    client.force_login(supervisor_uralsk)
    response = client.get("/api/v1/alarms/report/", {"center": "syrym"})
    assert response.status_code == 400
    assert "center" in response.json()["errors"]
