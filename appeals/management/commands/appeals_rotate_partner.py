"""Rotate a partner's secrets; the old ones keep working for the overlap. Prints the new ones once."""

import json

from django.core.management.base import BaseCommand, CommandError

from appeals.models import Partner
from appeals.services.partners import partner_rotate


class Command(BaseCommand):
    help = "Rotate a partner's request and/or webhook secret; prints the new credentials as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True)
        parser.add_argument("--overlap-hours", type=float, default=None,
                            help="How long the old secret keeps working (default APPEALS_PARTNER_SECRET_OVERLAP_HOURS).")  # fmt: skip
        parser.add_argument("--only", choices=["request", "webhook"], default=None, help="Rotate only this secret.")

    def handle(self, *args, **options):
        partner = Partner.objects.filter(code=options["code"]).first()
        if partner is None:
            raise CommandError(f"No partner has the code {options['code']!r}.")
        only = options["only"]
        credentials = partner_rotate(
            partner=partner,
            overlap_hours=options["overlap_hours"],
            request_secret=only in (None, "request"),
            webhook_secret=only in (None, "webhook"),
        )
        self.stdout.write(json.dumps({key: value for key, value in credentials.as_dict().items() if value}))
