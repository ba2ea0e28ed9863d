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


def today_only() -> dict:
    today = timezone.localdate().isoformat()
    return {"center": "uralsk", "since": today, "until": today}


def test_the_csv_is_the_pages_report_day_by_day(history, supervisor_uralsk):
    client = Client(headers={"accept-language": "en"})
    client.force_login(supervisor_uralsk)

    response = client.get("/alarms/report/", {**today_only(), "format": "csv"})

    day = timezone.localdate()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="alarm-report-uralsk-{day:%Y%m%d}-{day:%Y%m%d}.csv"'
    )
    assert response.content.decode().splitlines() == [
        "\ufeffDay,Alarms,Acknowledged,"
        '"Median time to acknowledge, s","p90 time to acknowledge, s",Acknowledged within the target,'
        "Real,False alarm,Test,Technical,Duplicate,Still open",
        f"{day.isoformat()},5,4,25.0,90.0,3,1,2,1,0,0,1",
        "Total,5,4,25.0,90.0,3,1,2,1,0,0,1",
    ]


def test_the_page_names_dispositions_and_kinds_and_draws_its_charts(history, supervisor_uralsk):
    client = Client(headers={"accept-language": "ru"})
    client.force_login(supervisor_uralsk)

    html = client.get("/alarms/report/", today_only()).content.decode()

    assert html.count('<svg class="chart-svg"') == 3
    assert "Ложная тревога" in html and "false_alarm" not in html
    assert "Тревожная кнопка" in html and ">panic<" not in html
    assert 'href="?center=uralsk' in html and "format=csv" in html


def test_the_report_over_a_period_is_day_by_day(history, supervisor_uralsk):
    today = timezone.localdate()
    days = [today - timedelta(days=2), today - timedelta(days=1), today]
    report = alarm_response_report(
        user=supervisor_uralsk, since=timezone.now() - timedelta(days=3), until=timezone.now() + timedelta(1), days=days
    )
    assert [(row.day, row.alarms, row.acknowledged, row.acknowledge_p50) for row in report.by_day] == [
        (days[0], 0, 0, None),
        (days[1], 0, 0, None),
        (today, 5, 4, 25.0),
    ]
    assert report.ack_histogram == [0, 1, 1, 0, 1, 0, 1, 0, 0, 0]  # 10, 25, 45, 90 s


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-13-01"}, "From: Enter a valid date."),
        ({"since": "2999-01-01"}, "From: The period cannot start in the future."),
        ({"until": "2999-01-01"}, "To: The period cannot end in the future"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "The start of the period must not be after its end."),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "A report covers at most 366 days"),
        ({"center": "syrym"}, "Center: Unknown center, or not in your scope."),
    ],
)
def test_a_bad_period_on_the_page_is_a_clear_message_never_a_500(supervisor_uralsk, query, message):
    client = Client(headers={"accept-language": "en"})
    client.force_login(supervisor_uralsk)
    for extra in ({}, {"format": "csv"}):
        response = client.get("/alarms/report/", {**query, **extra})
        assert response.status_code == 400
        assert message in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "2026-03-02T00:00:00Z", "until": "2026-03-01T00:00:00Z"}, "since"),
        ({"until": "2999-01-01T00:00:00Z"}, "until"),
        ({"since": "2020-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "since"),
    ],
)
def test_the_api_refuses_bad_periods_too(supervisor_uralsk, query, field):
    client = Client()
    client.force_login(supervisor_uralsk)
    response = client.get("/api/v1/alarms/report/", query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_the_page_takes_the_same_queries_however_many_alarms(
    django_assert_num_queries, history, supervisor_uralsk, operator_uralsk
):
    client = Client()
    client.force_login(supervisor_uralsk)
    client.get("/alarms/report/", {"center": "uralsk"})
    with django_assert_num_queries(13):
        client.get("/alarms/report/", {"center": "uralsk"})
    for number in range(3):
        alert = press(f"{number + 20:04d}")
        acknowledged_after(alert, 5, operator_uralsk)
        alert_resolve(alert=Alert.objects.get(pk=alert.pk), actor=operator_uralsk, disposition="test")
    with django_assert_num_queries(13):
        client.get("/alarms/report/", {"center": "uralsk"})
