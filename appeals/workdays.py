"""Working-day arithmetic on Kazakhstan's calendar: pure functions over a `WorkingCalendar`, built from
the data (`CalendarDay`, `PublicHoliday`) by `working_calendar_load`.

Terms follow АППК art. 76 and the Labour Code: a term of N working days starts the day after the event
(registration) and ends on the N-th working day; a month term ends on the same date N months later.
"""

import calendar as month_calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SATURDAY = 5


@dataclass(frozen=True)
class Holiday:
    month: int
    day: int
    name: str
    moves_off_weekend: bool = True


@dataclass(frozen=True)
class GeneratedDay:
    date: date
    is_working: bool
    kind: str
    name: str


def year_days_generate(year: int, holidays: Iterable[Holiday]) -> list[GeneratedDay]:
    """The fixed holidays of `year` and the days off they move to when they fall on a weekend: the next
    weekday that is not already a day off, holiday by holiday in date order (so Nauryz on Saturday to
    Monday moves two days off to Tuesday and Wednesday)."""
    dated = []
    for holiday in holidays:
        try:
            dated.append((date(year, holiday.month, holiday.day), holiday))
        except ValueError:
            continue  # 29 February in a common year
    dated.sort(key=lambda item: item[0])
    days = {day: GeneratedDay(day, False, "holiday", holiday.name) for day, holiday in dated}
    for day, holiday in dated:
        if not holiday.moves_off_weekend or day.weekday() < SATURDAY:
            continue
        candidate = day + timedelta(days=1)
        while candidate.weekday() >= SATURDAY or candidate in days:
            candidate += timedelta(days=1)
        days[candidate] = GeneratedDay(candidate, False, "moved_day_off", holiday.name)
    return sorted(days.values(), key=lambda generated: generated.date)


@dataclass(frozen=True)
class WorkingCalendar:
    """Which dates are working days: Monday to Friday, except the dates in `exceptions` (date -> is it a
    working day), which hold the holidays, the moved and transferred days off and the working Saturdays."""

    exceptions: Mapping[date, bool] = field(default_factory=dict)

    def is_working(self, day: date) -> bool:
        working = self.exceptions.get(day)
        return day.weekday() < SATURDAY if working is None else working

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself is not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        while count:
            day += timedelta(days=1)
            if self.is_working(day):
                count -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in (start, end]."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working(day)
        return count


def add_months(day: date, months: int) -> date:
    """The same date `months` later, or the month's last day when it has no such date (31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def registration_time(received_at: datetime, calendar: WorkingCalendar, *, zone: ZoneInfo, start: time) -> datetime:
    """When an appeal received at `received_at` is registered: at once on a working day, else at the start
    of the next working day (local time)."""
    local = received_at.astimezone(zone)
    if calendar.is_working(local.date()):
        return received_at
    return datetime.combine(calendar.next_working_day(local.date()), start, tzinfo=zone)


def working_calendar_load(*, first_year: int, last_year: int) -> WorkingCalendar:
    """The calendar of [first_year, last_year] from the data. A year with CalendarDay rows is taken as
    entered; a year without is generated from the public holidays (without Kurban Ait and transfers)."""
    from appeals.models import CalendarDay, PublicHoliday

    exceptions: dict[date, bool] = {}
    years_entered = set()
    for row in CalendarDay.objects.filter(date__gte=date(first_year, 1, 1), date__lte=date(last_year, 12, 31)):
        exceptions[row.date] = row.is_working
        years_entered.add(row.date.year)
    missing = [year for year in range(first_year, last_year + 1) if year not in years_entered]
    if missing:
        holidays = [
            Holiday(month, day, name, moves)
            for month, day, name, moves in PublicHoliday.objects.values_list(
                "month", "day", "name", "moves_off_weekend"
            )
        ]
        for year in missing:
            for generated in year_days_generate(year, holidays):
                exceptions.setdefault(generated.date, generated.is_working)
    return WorkingCalendar(exceptions=exceptions)
