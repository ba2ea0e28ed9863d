"""Register a gateway (a Traccar server forwarding positions); prints {"name", "token"} once."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bracelets.services.registry import gateway_add


class Command(BaseCommand):
    help = 'Register a Traccar server that forwards positions; prints {"name", "token"} (shown once).'

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True)

    def handle(self, *args, **options) -> None:
        try:
            credential, token = gateway_add(name=options["name"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(json.dumps({"name": credential.identifier, "token": token}))
