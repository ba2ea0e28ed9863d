"""When a rule applies: weekly windows in the oblast's time, which may run past midnight.

The oblast keeps one offset all year (Asia/Oral, UTC+5, no daylight saving time), but times are still
converted through the zone database, never by a fixed offset.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OBLAST_TIME_ZONE = ZoneInfo("Asia/Oral")
ALL_WEEKDAYS = "1234567"


def local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("A naive datetime cannot be placed in the oblast's time.")
    return moment.astimezone(OBLAST_TIME_ZONE)


def parse_weekdays(text: str) -> frozenset[int]:
    """ISO weekday digits, 1 Monday .. 7 Sunday: "12345" is Monday to Friday."""
    days = frozenset(int(character) for character in text if character.isdigit())
    if not days or not days <= frozenset(range(1, 8)):
        raise ValueError(f"Weekdays must be digits 1 (Monday) to 7 (Sunday), not {text!r}.")
    return days


@dataclass(frozen=True)
class WeeklyWindow:
    """From `start` on each of `weekdays` until `end`; an `end` not after `start` is on the next day
    (22:00-06:00 is a night), and `end` equal to `start` makes a whole day."""

    weekdays: frozenset[int]
    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def started_on(self, moment: datetime) -> date | None:
        """The local date the window containing `moment` began on, or None when `moment` is outside."""
        here = local(moment)
        clock, day = here.time(), here.isoweekday()
        if not self.crosses_midnight:
            inside = day in self.weekdays and self.start <= clock < self.end
            return here.date() if inside else None
        if day in self.weekdays and clock >= self.start:
            return here.date()
        previous = here.date() - timedelta(days=1)
        if previous.isoweekday() in self.weekdays and clock < self.end:
            return previous
        return None

    def contains(self, moment: datetime) -> bool:
        return self.started_on(moment) is not None


def parse_window(text: str, weekdays: str = ALL_WEEKDAYS) -> WeeklyWindow:
    """ "22:00-06:00" -> a nightly window."""
    try:
        start_text, end_text = text.split("-")
        return WeeklyWindow(parse_weekdays(weekdays), time.fromisoformat(start_text.strip()),
                            time.fromisoformat(end_text.strip()))  # fmt: skip
    except ValueError as error:
        raise ValueError(f"A window is HH:MM-HH:MM, such as 22:00-06:00, not {text!r}.") from error
