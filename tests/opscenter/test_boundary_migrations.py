"""The schematic boundaries are seeded on a database that comes from before the move to the spine: there
appeals' DistrictBoundary (related_name "boundary") is still in the historical state when opscenter 0011 runs."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from opscenter.models import District

pytestmark = pytest.mark.django_db


def test_the_seed_runs_while_appeals_still_has_its_boundary_model():
    # Given the historical models as they are between opscenter 0010 and appeals 0004
    state = MigrationLoader(connection).project_state(
        [("opscenter", "0010_district_boundary_and_saved_view"), ("appeals", "0003_partner_webhook_url_outbound")]
    )
    assert "districtboundary" in state.apps.all_models["appeals"]
    District.objects.filter(code="syrym").update(boundary=None, boundary_source="")

    # When the seed runs on them
    importlib.import_module("opscenter.migrations.0011_seed_district_boundaries").seed(state.apps, None)

    # Then the district has its schematic boundary
    syrym = District.objects.get(code="syrym")
    assert syrym.boundary_source == "schematic (migration 0011)"
    assert syrym.boundary["type"] == "Polygon"
    assert (syrym.boundary_min_longitude, syrym.boundary_max_latitude) == (51.9, 50.8)
