"""Working days on Kazakhstan's calendar: registration on the next working day, the 15-working-day deadline,
across holidays, moved days off, Kurban Ait and transfers; property tests of the arithmetic."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from appeals.models import CalendarDay, DayKind, PublicHoliday
from appeals.services.appeals import appeal_terms
from appeals.services.calendar import calendar_year_fill
from appeals.workdays import (
    Holiday,
    WorkingCalendar,
    add_months,
    registration_time,
    working_calendar_load,
    year_days_generate,
)

ORAL = ZoneInfo("Asia/Oral")
NINE = time(9, 0)


# --- The seeded calendar -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day, working",
    [
        (date(2025, 1, 3), False),  # transferred day off (Friday)
        (date(2025, 1, 5), True),  # the Sunday worked for it
        (date(2025, 1, 7), False),  # Orthodox Christmas
        (date(2025, 3, 10), False),  # 8 March on a Saturday moves to Monday
        (date(2025, 3, 24), False),
        (date(2025, 3, 25), False),
        (date(2025, 3, 26), True),
        (date(2025, 6, 6), False),  # Kurban Ait
        (date(2026, 3, 9), False),
        (date(2026, 3, 23), False),  # Nauryz on a Monday
        (date(2026, 3, 24), False),
        (date(2026, 3, 25), False),
        (date(2026, 3, 26), True),
        (date(2026, 5, 11), False),  # Victory Day on a Saturday
        (date(2026, 5, 27), False),  # Kurban Ait
        (date(2026, 8, 31), False),
        (date(2026, 10, 26), False),
        (date(2026, 12, 16), False),
        (date(2026, 12, 17), True),
        (date(2027, 1, 4), False),  # 2 January on a Saturday
        (date(2027, 1, 7), False),
        (date(2027, 1, 3), False),  # a plain Sunday
    ],
)
def test_the_seeded_calendar(day, working):
    calendar = working_calendar_load(first_year=2025, last_year=2027)
    assert calendar.is_working(day) is working


@pytest.mark.django_db
def test_the_generated_years_match_the_seed():
    holidays = [Holiday(h.month, h.day, h.name, h.moves_off_weekend) for h in PublicHoliday.objects.all()]
    for year in (2025, 2026, 2027):
        generated = {g.date for g in year_days_generate(year, holidays)}
        seeded = set(
            CalendarDay.objects.filter(date__year=year, kind__in=[DayKind.HOLIDAY, DayKind.MOVED_DAY_OFF]).values_list(
                "date", flat=True
            )
        )
        assert generated == seeded


@pytest.mark.django_db
def test_a_year_without_rows_is_computed_from_the_public_holidays_and_can_be_filled():
    calendar = working_calendar_load(first_year=2030, last_year=2030)
    assert not calendar.is_working(date(2030, 3, 21))  # Nauryz, a Thursday
    assert not calendar.is_working(date(2030, 3, 25))  # Nauryz 23 March on a Saturday moves to Monday
    created = calendar_year_fill(year=2030)
    assert {day.date for day in created} >= {date(2030, 3, 21), date(2030, 3, 25)}
    # then an admin adds a transfer, and it counts
    CalendarDay.objects.create(date=date(2030, 3, 26), is_working=False, kind=DayKind.TRANSFERRED_DAY_OFF)
    assert not working_calendar_load(first_year=2030, last_year=2030).is_working(date(2030, 3, 26))


# --- Registration and deadlines on real dates ------------------------------------------------------


def at_oral(*args) -> datetime:
    return datetime(*args, tzinfo=ORAL)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "received, registered, deadline",
    [
        # a plain working Monday: registered at once; 15 working days later is Monday three weeks on
        (at_oral(2026, 11, 2, 10, 30), at_oral(2026, 11, 2, 10, 30), date(2026, 11, 23)),
        # received on Saturday: registered on Monday at 09:00
        (at_oral(2026, 11, 28, 23, 50), at_oral(2026, 11, 30, 9, 0), date(2026, 12, 22)),
        # across Independence Day (16 Dec, Wednesday)
        (at_oral(2026, 12, 1, 12, 0), at_oral(2026, 12, 1, 12, 0), date(2026, 12, 23)),
        # received on Nauryz: registered on the first working day after 21-25 March
        (at_oral(2026, 3, 22, 8, 0), at_oral(2026, 3, 26, 9, 0), date(2026, 4, 16)),
        # across New Year and Christmas 2027 (1 Jan Fri, 4 Jan moved, 7 Jan Thu)
        (at_oral(2026, 12, 31, 17, 0), at_oral(2026, 12, 31, 17, 0), date(2027, 1, 26)),
        # across Kurban Ait 2026 (27 May) and Victory Day moved to 11 May
        (at_oral(2026, 5, 8, 9, 0), at_oral(2026, 5, 8, 9, 0), date(2026, 6, 2)),
        # received at 23:30 UTC on Friday = 04:30 Saturday in Uralsk: a day off there
        (datetime(2026, 11, 27, 23, 30, tzinfo=UTC), at_oral(2026, 11, 30, 9, 0), date(2026, 12, 22)),
    ],
)
def test_registration_and_deadline(received, registered, deadline):
    terms = appeal_terms(received_at=received)
    assert terms.registered_at == registered
    assert terms.deadline == deadline


@pytest.mark.django_db
def test_the_2025_transfer_counts_in_a_deadline():
    # Received on 2 Jan 2025 (a holiday); 3 Jan was transferred off and Sunday 5 Jan made a working day.
    terms = appeal_terms(received_at=at_oral(2025, 1, 2, 12, 0))
    assert terms.registered_at == at_oral(2025, 1, 5, 9, 0)
    # 6 (1), 7 off, 8-10 (2-4), 13-17 (5-9), 20-24 (10-14), 27 (15)
    assert terms.deadline == date(2025, 1, 27)


# --- Properties -----------------------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@st.composite
def calendars(draw) -> WorkingCalendar:
    """Random holidays and transfers (never so many that a month has no working day)."""
    exceptions = draw(st.dictionaries(days, st.booleans(), max_size=300))
    return WorkingCalendar(exceptions=exceptions)


@given(calendar=calendars(), start=days, count=st.integers(min_value=0, max_value=40))
def test_adding_working_days_lands_on_a_working_day_exactly_count_working_days_later(calendar, start, count):
    end = calendar.add_working_days(start, count)
    assert end >= start
    assert calendar.working_days_between(start, end) == count
    if count:
        assert calendar.is_working(end)
        assert end > start


@given(calendar=calendars(), first=days, second=days, count=st.integers(min_value=0, max_value=30))
def test_a_later_start_never_gives_an_earlier_deadline(calendar, first, second, count):
    assume(first <= second)
    assert calendar.add_working_days(first, count) <= calendar.add_working_days(second, count)


@given(calendar=calendars(), start=days, extra=days)
def test_an_added_holiday_never_brings_a_deadline_closer(calendar, start, extra):
    with_holiday = WorkingCalendar(exceptions={**calendar.exceptions, extra: False})
    assert with_holiday.add_working_days(start, 15) >= calendar.add_working_days(start, 15)


# hypothesis takes naive bounds and adds the zone itself
@given(
    calendar=calendars(),
    received=st.datetimes(
        min_value=datetime(2020, 1, 1),  # noqa: DTZ001
        max_value=datetime(2035, 12, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_registration_is_never_before_receipt_and_always_on_a_working_day(calendar, received):
    registered = registration_time(received, calendar, zone=ORAL, start=NINE)
    assert registered >= received
    assert calendar.is_working(registered.astimezone(ORAL).date())
    if calendar.is_working(received.astimezone(ORAL).date()):
        assert registered == received


@given(year=st.integers(min_value=2000, max_value=2100))
def test_a_generated_year_never_moves_a_day_off_onto_a_weekend_or_another_holiday(year):
    holidays = [Holiday(1, 1, "a"), Holiday(1, 2, "b"), Holiday(1, 7, "c", False), Holiday(3, 21, "n1"),
                Holiday(3, 22, "n2"), Holiday(3, 23, "n3"), Holiday(5, 9, "v"), Holiday(12, 16, "i")]  # fmt: skip
    generated = year_days_generate(year, holidays)
    moved = [g.date for g in generated if g.kind == "moved_day_off"]
    assert len(moved) == len(set(moved))
    assert all(day.weekday() < 5 for day in moved)
    fixed = {date(year, h.month, h.day) for h in holidays}
    assert not set(moved) & fixed
    weekend_holidays = [d for d in fixed if d.weekday() >= 5 and d != date(year, 1, 7)]
    assert len(moved) == len(weekend_holidays)


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), months=st.integers(0, 24))
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or (result.day < day.day and (result + timedelta(days=1)).day == 1)
