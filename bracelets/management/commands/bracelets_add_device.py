"""Register a bracelet; prints {"unique_id", "token"}. The token is shown only this once."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bracelets.services.registry import bracelet_add


class Command(BaseCommand):
    help = 'Register a bracelet and print {"unique_id", "token"} (the token is never shown again).'

    def add_arguments(self, parser) -> None:
        parser.add_argument("--unique-id", required=True, help="The device's unique id, usually its IMEI")
        parser.add_argument("--model", default="")
        parser.add_argument("--firmware", default="")

    def handle(self, *args, **options) -> None:
        try:
            bracelet, token = bracelet_add(unique_id=options["unique_id"], model=options["model"],
                                           firmware=options["firmware"])  # fmt: skip
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(json.dumps({"unique_id": bracelet.unique_id, "token": token}))
