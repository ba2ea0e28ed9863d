"""Enrol a person under electronic monitoring: person, court order, home zone and bracelet in one step."""

import json
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bracelets.models import Measure
from bracelets.schedules import OBLAST_TIME_ZONE, parse_window
from bracelets.services.registry import person_enrol
from opscenter.models import District, User


def _local_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=OBLAST_TIME_ZONE)


class Command(BaseCommand):
    help = "Enrol a person with a home zone (always, or in curfew windows) and put a bracelet on them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--unique-id", required=True, help="The bracelet (add it first)")
        parser.add_argument("--person-iin", required=True)
        parser.add_argument("--home-lat", type=float, required=True)
        parser.add_argument("--home-lon", type=float, required=True)
        parser.add_argument("--home-radius", type=float, default=60.0, help="metres (default 60)")
        parser.add_argument("--measure", required=True, choices=Measure.values)
        parser.add_argument("--curfew", action="append", default=[],
                            help="HH:MM-HH:MM in the oblast's time, may cross midnight; repeatable. "
                                 "Without it the home zone applies always.")  # fmt: skip
        parser.add_argument("--curfew-days", default="1234567", help="ISO weekdays the curfew starts on")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--district", default="", help="District code (default: the nearest seat)")
        parser.add_argument("--home-address", default="")
        parser.add_argument("--order-number", default="")
        parser.add_argument("--court", default="")
        parser.add_argument("--order-start", default="", help="ISO date-time (oblast time if no offset)")
        parser.add_argument("--order-end", default="")
        parser.add_argument("--officer", default="", help="Username of the responsible district officer")

    def handle(self, *args, **options) -> None:
        try:
            windows = [parse_window(text, options["curfew_days"]) for text in options["curfew"]]
            starts = _local_datetime(options["order_start"]) if options["order_start"] else None
            ends = _local_datetime(options["order_end"]) if options["order_end"] else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        district = officer = None
        if options["district"]:
            district = District.objects.filter(code=options["district"]).first()
            if district is None:
                raise CommandError(f"Unknown district {options['district']!r}.")
        if options["officer"]:
            officer = User.objects.filter(username=options["officer"]).first()
            if officer is None:
                raise CommandError(f"Unknown user {options['officer']!r}.")
        try:
            person = person_enrol(
                unique_id=options["unique_id"], iin=options["person_iin"], home_latitude=options["home_lat"],
                home_longitude=options["home_lon"], home_radius_m=options["home_radius"], measure=options["measure"],
                curfew=windows, full_name=options["full_name"], district=district,
                home_address=options["home_address"], order_number=options["order_number"], court=options["court"],
                order_starts_at=starts, order_ends_at=ends, responsible_officer=officer,
            )  # fmt: skip
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            ) from None
        zone = person.zones.filter(kind="inclusion", name="Home", is_active=True).first()
        order = person.orders.first()
        if zone is None or order is None:  # person_enrol makes both
            raise CommandError("Enrolled, but without a home zone or an order.")
        self.stdout.write(json.dumps({
            "person": person.pk, "iin": person.iin, "name": person.full_name, "district": person.district.code,
            "bracelet": options["unique_id"], "measure": order.measure, "order": order.number,
            "home_zone": {"id": zone.pk, "latitude": zone.latitude, "longitude": zone.longitude,
                          "radius_m": zone.radius_m, "schedule": zone.schedule,
                          "windows": [f"{w.start:%H:%M}-{w.end:%H:%M}" for w in windows]},
        }, ensure_ascii=False))  # fmt: skip
