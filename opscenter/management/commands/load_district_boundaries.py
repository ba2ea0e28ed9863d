"""Load district boundaries from a GeoJSON FeatureCollection file."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opscenter.services.geography import BoundaryInvalid, district_boundaries_load


class Command(BaseCommand):
    help = "Load district boundaries (GeoJSON FeatureCollection; each feature names its district)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--property",
            default="code",
            dest="key_property",
            help="The feature property naming the district: a code or its name (default: code).",
        )

    def handle(self, *args, **options):
        try:
            collection = json.loads(options["path"].read_text(encoding="utf-8"))
            loaded = district_boundaries_load(
                collection=collection, source=options["path"].name, key_property=options["key_property"]
            )
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {options['path']}: {error}") from error
        except BoundaryInvalid as error:
            raise CommandError(error.detail) from error
        self.stdout.write(f"{len(loaded)} district boundaries loaded: {', '.join(d.code for d in loaded)}")
