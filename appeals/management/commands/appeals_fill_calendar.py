"""Enter a year's public holidays and moved days off in the working-day calendar."""

from django.core.management.base import BaseCommand

from appeals.services.calendar import calendar_year_fill


class Command(BaseCommand):
    help = "Fill a year of the working-day calendar from the public holidays; add Kurban Ait and transfers by hand."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, **options):
        created = calendar_year_fill(year=options["year"])
        for day in created:
            self.stdout.write(f"{day.date:%Y-%m-%d} {day.kind} {day.name}")
        self.stdout.write(f"{len(created)} days entered for {options['year']}.")
