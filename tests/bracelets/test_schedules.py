"""Windows in the oblast's time: across midnight, on chosen weekdays, with no daylight saving time."""

from datetime import UTC, datetime, time

import pytest

from bracelets.geometry import haversine_m, point_in_polygon, polygon_signed_distance_m
from bracelets.schedules import WeeklyWindow, local, parse_window


def uralsk(year, month, day, hour, minute=0) -> datetime:
    """A local time in Uralsk, given as UTC (UTC+5 all year)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).replace(hour=(hour - 5) % 24) if hour >= 5 else \
        datetime(year, month, day - 1, hour + 19, minute, tzinfo=UTC)  # fmt: skip


@pytest.mark.parametrize(("month", "day"), [(1, 15), (7, 15), (3, 29), (10, 25)])
def test_the_oblast_is_utc_plus_5_all_year(month, day):
    assert local(datetime(2026, month, day, 12, tzinfo=UTC)).utcoffset().total_seconds() == 5 * 3600


@pytest.mark.parametrize(("hour", "minute", "inside"), [
    (21, 59, False), (22, 0, True), (23, 59, True), (0, 0, True), (5, 59, True), (6, 0, False), (12, 0, False),
])  # fmt: skip
def test_a_night_window_runs_past_midnight(hour, minute, inside):
    window = parse_window("22:00-06:00")
    day = 3 if hour >= 12 else 4
    assert window.contains(uralsk(2026, 3, day, hour, minute)) is inside


def test_a_window_starting_on_friday_covers_saturday_morning_only():
    window = parse_window("22:00-06:00", "5")  # Friday nights
    assert window.contains(uralsk(2026, 3, 6, 23)) is True  # Friday 23:00
    assert window.contains(uralsk(2026, 3, 7, 5)) is True  # Saturday 05:00, the same night
    assert window.contains(uralsk(2026, 3, 7, 23)) is False  # Saturday night
    assert window.contains(uralsk(2026, 3, 6, 5)) is False  # Friday 05:00 belongs to Thursday night
    assert window.started_on(uralsk(2026, 3, 7, 5)).isoformat() == "2026-03-06"


def test_a_day_window_and_a_whole_day():
    assert WeeklyWindow(frozenset({1}), time(9), time(18)).contains(uralsk(2026, 3, 2, 9)) is True
    assert WeeklyWindow(frozenset({1}), time(9), time(18)).contains(uralsk(2026, 3, 2, 18)) is False
    whole = WeeklyWindow(frozenset(range(1, 8)), time(0), time(0))
    assert all(whole.contains(uralsk(2026, 3, 2, hour)) for hour in range(24))


@pytest.mark.parametrize("text", ["22:00", "22:00-06:00-07:00", "25:00-06:00", "night"])
def test_bad_windows_are_refused(text):
    with pytest.raises(ValueError):
        parse_window(text)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        local(datetime(2026, 3, 2, 12))  # noqa: DTZ001 -- naive on purpose: the refusal is under test


def test_geometry():
    assert haversine_m(51.23, 51.37, 51.23, 51.37) == 0
    assert haversine_m(51.0, 51.0, 52.0, 51.0) == pytest.approx(111_195, rel=1e-3)
    square = [(51.0, 51.0), (51.0, 51.01), (51.01, 51.01), (51.01, 51.0)]
    assert point_in_polygon(51.005, 51.005, square) is True
    assert point_in_polygon(51.02, 51.005, square) is False
    assert polygon_signed_distance_m(51.005, 51.005, square) == pytest.approx(-350, rel=0.02)
    assert polygon_signed_distance_m(51.02, 51.005, square) == pytest.approx(1112, rel=0.01)
