"""The working-day calendar's data: fill a year from the public holidays."""

from django.db import transaction

from appeals.models import CalendarDay, PublicHoliday
from appeals.workdays import Holiday, year_days_generate
from opscenter.models import User
from opscenter.services.audit import audit_record


@transaction.atomic
def calendar_year_fill(*, year: int, actor: User | None = None) -> list[CalendarDay]:
    """Enter `year`'s public holidays and the days off they move off weekends, leaving dates already
    entered as they are. Kurban Ait and the government's transfers are then added by hand."""
    holidays = [
        Holiday(holiday.month, holiday.day, holiday.name, holiday.moves_off_weekend)
        for holiday in PublicHoliday.objects.all()
    ]
    created = []
    for generated in year_days_generate(year, holidays):
        day, was_created = CalendarDay.objects.get_or_create(
            date=generated.date,
            defaults={"is_working": generated.is_working, "kind": generated.kind, "name": generated.name},
        )
        if was_created:
            created.append(day)
    audit_record(actor=actor, action="appeals.calendar.fill", data={"year": year, "created": len(created)})
    return created
