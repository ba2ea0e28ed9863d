"""Register a partner and print its credentials, once, as JSON."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from appeals.models import Partner
from appeals.open311 import CREDENTIAL_KIND
from appeals.services.partners import partner_create
from opscenter.outbound import outbound_url_validate
from opscenter.services.credentials import credential_issue


class Command(BaseCommand):
    help = 'Register a partner; prints {"key_id", "secret", "webhook_secret"} once (and "open311_api_key").'

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="Short name, e.g. kaspi.")
        parser.add_argument("--name", required=True, help='Display name, e.g. "Kaspi.kz".')
        parser.add_argument("--webhook-url", default="", help="Where status changes are POSTed.")
        parser.add_argument("--open311", action="store_true", help="Also issue an Open311 api_key.")

    def handle(self, *args, **options):
        try:
            validate_slug(options["code"])
            outbound_url_validate(options["webhook_url"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if Partner.objects.filter(code=options["code"]).exists():
            raise CommandError(f"A partner with the code {options['code']!r} exists; rotate its secrets instead.")
        partner, credentials = partner_create(
            code=options["code"], name=options["name"], webhook_url=options["webhook_url"]
        )
        output = credentials.as_dict()
        if options["open311"]:
            _credential, output["open311_api_key"] = credential_issue(kind=CREDENTIAL_KIND, identifier=partner.code)
        self.stdout.write(json.dumps(output))
