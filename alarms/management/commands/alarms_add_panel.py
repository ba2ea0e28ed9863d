"""Register an alarm panel and the object it protects; prints the panel as JSON."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from alarms.models import ObjectKind
from alarms.services import panel_create
from opscenter.models import District


class Command(BaseCommand):
    help = "Register an alarm panel (SIA account, optional AES key) and the object it protects."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--account", required=True, help="SIA account, 3-16 hexadecimal characters")
        parser.add_argument("--object-name", required=True)
        parser.add_argument("--object-kind", required=True, choices=ObjectKind.values)
        parser.add_argument("--district", required=True, help="District code, e.g. uralsk")
        parser.add_argument("--lat", type=float)
        parser.add_argument("--lon", type=float)
        parser.add_argument("--address", default="")
        parser.add_argument("--key", default="", help="AES key: 16, 24 or 32 hexadecimal characters")
        parser.add_argument("--supervision-seconds", type=int, default=300)

    def handle(self, *args, **options) -> None:
        try:
            district = District.objects.get(code=options["district"])
        except District.DoesNotExist:
            codes = ", ".join(District.objects.values_list("code", flat=True))
            raise CommandError(f"Unknown district {options['district']!r}; one of: {codes}") from None
        try:
            panel = panel_create(
                account=options["account"],
                object_name=options["object_name"],
                object_kind=options["object_kind"],
                district=district,
                latitude=options["lat"],
                longitude=options["lon"],
                address=options["address"],
                aes_key=options["key"],
                supervision_seconds=options["supervision_seconds"],
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            ) from None
        protected = panel.protected_object
        self.stdout.write(
            json.dumps(
                {
                    "id": panel.pk,
                    "account": panel.account,
                    "encrypted": bool(panel.aes_key),
                    "supervision_seconds": panel.supervision_seconds,
                    "object": {
                        "id": protected.pk,
                        "name": protected.name,
                        "kind": protected.kind,
                        "district": district.code,
                        "center": district.center.code,
                        "latitude": protected.latitude,
                        "longitude": protected.longitude,
                    },
                },
                ensure_ascii=False,
            )
        )
