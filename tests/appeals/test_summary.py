"""The appeals summary as a report: a validated period, charts, sources named, and a CSV that is the
page's table."""

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal
from appeals.selectors import appeal_summary_report
from tests.appeals.conftest import NOWHERE

pytestmark = pytest.mark.django_db


def at(day, hour: int):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def period_of_appeals(file_appeal, halyk):
    """Three appeals in Uralsk registered two days ago, yesterday and today (answered after 0.5 and 4
    days, one open), one waiting for manual routing, one registered before the period."""
    today = timezone.localdate()
    appeals = {
        "two_days_ago": file_appeal(partner_reference="a"),
        "yesterday": file_appeal(partner=halyk[0], partner_reference="b"),
        "today": file_appeal(partner_reference="c"),
        "manual": file_appeal(partner_reference="d", **NOWHERE),
        "before": file_appeal(partner_reference="e"),
    }
    for name, days_ago, answered_after in [
        ("two_days_ago", 2, 0.5),
        ("yesterday", 1, 4),
        ("today", 0, None),
        ("manual", 0, None),
        ("before", 10, 1),
    ]:
        registered = at(today - timedelta(days=days_ago), 9)
        answered = registered + timedelta(days=answered_after) if answered_after is not None else None
        status = "answered" if answered else "registered"
        Appeal.objects.filter(pk=appeals[name].pk).update(registered_at=registered, answered_at=answered, status=status)
    return today


def three_days(today) -> dict:
    return {"since": (today - timedelta(days=2)).isoformat(), "until": today.isoformat()}


def test_the_report_of_a_period(period_of_appeals, supervisor_uralsk):
    today = period_of_appeals
    report = appeal_summary_report(user=supervisor_uralsk, since=today - timedelta(days=2), until=today)

    rows = {row.code: row for row in report.rows}
    assert (rows["uralsk"].total, rows["uralsk"].answered, rows["-"].total) == (3, 2, 1)
    assert report.answer_histogram == [1, 0, 1, 0, 0, 0]  # 0.5 and 4 days
    assert report.registered_by_day == [(today - timedelta(days=2), 1), (today - timedelta(days=1), 1), (today, 2)]
    assert report.by_source == [("Kaspi.kz", "partner_api", 3), ("Halyk Bank", "partner_api", 1)]


def test_the_csv_is_the_pages_table(period_of_appeals, supervisor_uralsk):
    client = Client(headers={"accept-language": "en"})
    client.force_login(supervisor_uralsk)
    today = period_of_appeals

    response = client.get("/appeals/summary/", {**three_days(today), "format": "csv"})

    lines = response.content.decode().splitlines()
    first = today - timedelta(days=2)
    assert response["Content-Disposition"] == (
        f'attachment; filename="appeals-summary-{first:%Y%m%d}-{today:%Y%m%d}.csv"'
    )
    assert lines[0] == (
        "\ufeffDistrict,Registered,Assigned,In progress,Answered,Redirected,Rejected,Closed,"
        "Open,Overdue,Answers given,Median days to answer,Longest"
    )
    assert "г. Уральск,1,0,0,2,0,0,0,1,0,2,2.2,4.0" in lines
    assert "Waiting for manual routing,1,0,0,0,0,0,0,1,0,0,," in lines
    assert len(lines) == 1 + len(
        {row.code for row in appeal_summary_report(user=supervisor_uralsk, since=first, until=today).rows}
    )


def test_the_page_draws_its_charts_and_names_the_channels(period_of_appeals, supervisor_uralsk):
    client = Client(headers={"accept-language": "ru"})
    client.force_login(supervisor_uralsk)

    html = client.get("/appeals/summary/", three_days(period_of_appeals)).content.decode()

    assert html.count('<svg class="chart-svg"') == 2
    assert "Kaspi.kz" in html and "API партнёра" in html and "partner_api" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "not a date"}, "From: Enter a valid date."),
        ({"until": "2999-12-31"}, "To: The period cannot end in the future"),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "The start of the period must not be after its end."),
        ({"since": "2024-01-01", "until": "2026-01-01"}, "A report covers at most 366 days"),
    ],
)
def test_a_bad_period_is_a_clear_message(supervisor_uralsk, query, message):
    client = Client(headers={"accept-language": "en"})
    client.force_login(supervisor_uralsk)
    for extra in ({}, {"format": "csv"}):
        response = client.get("/appeals/summary/", {**query, **extra})
        assert response.status_code == 400
        assert message in response.content.decode()


def test_the_page_takes_the_same_queries_however_many_appeals(
    django_assert_num_queries, period_of_appeals, supervisor_uralsk, file_appeal
):
    client = Client()
    client.force_login(supervisor_uralsk)
    query = three_days(period_of_appeals)
    client.get("/appeals/summary/", query)
    with django_assert_num_queries(13):
        client.get("/appeals/summary/", query)
    for number in range(3):
        file_appeal(partner_reference=f"more{number}")
    with django_assert_num_queries(13):
        client.get("/appeals/summary/", query)
