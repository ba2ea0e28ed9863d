"""What every report shares: a validated period of local days, charts laid out on the server, CSV."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from opscenter.reports import Period, PeriodForm, bar_chart, csv_response

TODAY = date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"since": "2026-12-04"}, {"since": ["The period cannot start in the future."]}),
        ({"until": "2026-12-04"}, {"until": ["The period cannot end in the future (today is 2026-12-03)."]}),
        (
            {"since": "2026-12-02", "until": "2026-12-01"},
            {"__all__": ["The start of the period must not be after its end."]},
        ),
        (
            {"since": "2025-12-01", "until": "2026-12-02"},
            {"__all__": ["A report covers at most 366 days; this period has 367."]},
        ),
        ({"since": "yesterday"}, {"since": ["Enter a valid date."]}),
        ({"until": "2026-13-01"}, {"until": ["Enter a valid date."]}),
        ({"since": "2026-02-30"}, {"since": ["Enter a valid date."]}),
        ({"since": "0"}, {"since": ["Enter a valid date."]}),
        ({"since": "2026-12-01'; DROP TABLE"}, {"since": ["Enter a valid date."]}),
    ],
)
def test_a_bad_period_is_refused_with_a_clear_message(data, errors):
    with translation.override("en"):
        form = PeriodForm(data)
        assert not form.is_valid()
        assert {field: [str(error) for error in messages] for field, messages in form.errors.items()} == errors


def test_a_bad_period_is_said_in_russian_too():
    with translation.override("ru"):
        form = PeriodForm({"since": "2026-12-02", "until": "2026-12-01"})
        assert not form.is_valid()
        assert form.messages == ["Начало периода не может быть позже его конца."]


@pytest.mark.parametrize(
    ("data", "first", "last"),
    [
        ({}, date(2026, 11, 4), TODAY),
        ({"until": "2026-11-30"}, date(2026, 11, 1), date(2026, 11, 30)),
        ({"since": "2026-12-01"}, date(2026, 12, 1), TODAY),
        ({"since": "2026-12-03", "until": "2026-12-03"}, TODAY, TODAY),
        ({"since": "2025-12-03", "until": "2026-12-03"}, date(2025, 12, 3), TODAY),  # 366 days
    ],
)
def test_a_good_period_with_its_defaults(data, first, last):
    form = PeriodForm(data)
    assert form.is_valid(), form.errors
    assert (form.period.first, form.period.last) == (first, last)


def test_a_period_is_local_days_as_moments():
    period = Period(first=date(2026, 12, 1), last=date(2026, 12, 2))
    oral = ZoneInfo("Asia/Oral")
    assert (period.since, period.until) == (datetime(2026, 12, 1, tzinfo=oral), datetime(2026, 12, 3, tzinfo=oral))
    assert period.days == [date(2026, 12, 1), date(2026, 12, 2)]
    assert period.until - period.since == timedelta(days=2)


def test_a_bar_chart_is_laid_out_to_the_tallest_bar():
    chart = bar_chart(title="T", bars=[("a", 2), ("b", 4), ("c", None)], width=320, height=200, highlight=[1])

    assert [(bar.label, bar.value, bar.text, bar.highlight) for bar in chart.bars] == [
        ("a", 2, "2", False),
        ("b", 4, "4", True),
        ("c", 0, "—", False),
    ]
    tallest = chart.bars[1]
    assert (tallest.y, tallest.height, chart.baseline) == (chart.top, chart.baseline - chart.top, 166.0)
    assert chart.bars[0].height == tallest.height / 2
    assert chart.bars[2].height == 0


def test_a_chart_renders_as_svg_with_dots_for_decimals_in_every_language():
    chart = bar_chart(title="Время", bars=[(str(day), day * 1.5) for day in range(40)], decimals=1)
    with translation.override("ru"):
        svg = render_to_string("opscenter/_chart.html", {"chart": chart})
    assert svg.count("<rect ") == 40
    assert 'aria-label="Время"' in svg
    assert "," not in svg.split("<rect ", 2)[1].split(">")[0]  # x="12.3", never x="12,3"
    assert chart.label_every == 3  # 40 days: every third labelled


def test_csv_has_a_bom_and_crlf_and_empties_for_none():
    response = csv_response(filename="r.csv", header=["День", "n"], rows=[["a,b", None], [1, 2.5]])
    assert response["Content-Disposition"] == 'attachment; filename="r.csv"'
    assert response.content.decode("utf-8") == '\ufeffДень,n\r\n"a,b",\r\n1,2.5\r\n'
