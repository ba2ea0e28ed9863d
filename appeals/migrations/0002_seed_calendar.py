"""Kazakhstan's working-day calendar for 2025-2027: the public holidays (Law "On holidays"), the days off
moved off weekends (Labour Code art. 85; not for the religious holidays), Kurban Ait and the government's
transfers. Administrators keep it up to date in the admin ("Fill a year", then Kurban Ait and transfers)."""

from datetime import date

from django.db import migrations

# month, day, name, the day off moves to the next working day when it falls on a weekend
PUBLIC_HOLIDAYS = [
    (1, 1, "Новый год", True),
    (1, 2, "Новый год", True),
    (1, 7, "Православное Рождество", False),
    (3, 8, "Международный женский день", True),
    (3, 21, "Наурыз мейрамы", True),
    (3, 22, "Наурыз мейрамы", True),
    (3, 23, "Наурыз мейрамы", True),
    (5, 1, "Праздник единства народа Казахстана", True),
    (5, 7, "День защитника Отечества", True),
    (5, 9, "День Победы", True),
    (7, 6, "День Столицы", True),
    (8, 30, "День Конституции", True),
    (10, 25, "День Республики", True),
    (12, 16, "День Независимости", True),
]

MOVED_DAYS_OFF = [
    (date(2025, 3, 10), "Международный женский день"),
    (date(2025, 3, 24), "Наурыз мейрамы"),
    (date(2025, 3, 25), "Наурыз мейрамы"),
    (date(2025, 7, 7), "День Столицы"),
    (date(2025, 9, 1), "День Конституции"),
    (date(2025, 10, 27), "День Республики"),
    (date(2026, 3, 9), "Международный женский день"),
    (date(2026, 3, 24), "Наурыз мейрамы"),
    (date(2026, 3, 25), "Наурыз мейрамы"),
    (date(2026, 5, 11), "День Победы"),
    (date(2026, 8, 31), "День Конституции"),
    (date(2026, 10, 26), "День Республики"),
    (date(2027, 1, 4), "Новый год"),
    (date(2027, 3, 24), "Наурыз мейрамы"),
    (date(2027, 5, 3), "Праздник единства народа Казахстана"),
    (date(2027, 5, 10), "День Победы"),
]

# The first day of Kurban Ait, set each year; 2027's is the expected date, to be confirmed.
KURBAN_AIT = [date(2025, 6, 6), date(2026, 5, 27), date(2027, 5, 16)]

# date, working day, name: the government's transfers of days off.
TRANSFERS = [
    (date(2025, 1, 3), False, "Перенос выходного дня с воскресенья 5 января"),
    (date(2025, 1, 5), True, "Рабочий день за пятницу 3 января"),
]


def seed(apps, schema_editor):
    PublicHoliday = apps.get_model("appeals", "PublicHoliday")
    CalendarDay = apps.get_model("appeals", "CalendarDay")
    for month, day, name, moves in PUBLIC_HOLIDAYS:
        PublicHoliday.objects.update_or_create(
            month=month, day=day, defaults={"name": name, "moves_off_weekend": moves}
        )
    rows = {}
    for year in (2025, 2026, 2027):
        for month, day, name, _moves in PUBLIC_HOLIDAYS:
            rows[date(year, month, day)] = (False, "holiday", name)
    for day, name in MOVED_DAYS_OFF:
        rows[day] = (False, "moved_day_off", name)
    for day in KURBAN_AIT:
        rows[day] = (False, "movable_holiday", "Курбан айт")
    for day, working, name in TRANSFERS:
        rows[day] = (working, "transferred_working_day" if working else "transferred_day_off", name)
    for day, (working, kind, name) in rows.items():
        CalendarDay.objects.update_or_create(date=day, defaults={"is_working": working, "kind": kind, "name": name})


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
