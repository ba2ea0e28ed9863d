"""Schematic boundaries of the oblast's districts, so that the map draws them and routing by location
works from the first start: each holds its district seat, none overlap, Uralsk is a hole in Baiterek.
They are rectilinear sketches, not survey data: load the real ones with `manage.py
load_district_boundaries zko.geojson` (or the admin's upload), which replaces them. A district that
already has a boundary keeps it."""

from django.db import migrations
from django.utils import timezone

SOURCE = "schematic (migration 0011)"

# longitude, latitude; each ring closed (first position repeated last) by `_ring`.
URALSK = [(51.25, 51.13), (51.50, 51.13), (51.50, 51.32), (51.25, 51.32)]
OUTLINES = {
    "uralsk": [URALSK],
    "bayterek": [[(50.6, 50.8), (51.7, 50.8), (51.7, 51.8), (50.6, 51.8)], URALSK],
    "taskala": [[(49.6, 50.8), (50.6, 50.8), (50.6, 51.8), (49.6, 51.8)]],
    "terekti": [[(51.7, 50.8), (52.6, 50.8), (52.6, 51.75), (51.7, 51.75)]],
    "burlin": [[(52.6, 50.8), (53.6, 50.8), (53.6, 51.7), (52.6, 51.7)]],
    "shyngyrlau": [[(53.6, 50.5), (55.4, 50.5), (55.4, 51.6), (53.6, 51.6)]],
    "syrym": [[(51.9, 49.8), (53.2, 49.8), (53.2, 50.8), (51.9, 50.8)]],
    "karatobe": [[(51.9, 49.0), (54.4, 49.0), (54.4, 50.5), (53.2, 50.5), (53.2, 49.8), (51.9, 49.8)]],
    "akzhaik": [[(50.6, 48.4), (51.9, 48.4), (51.9, 50.8), (50.0, 50.8), (50.0, 49.8), (50.6, 49.8)]],
    "zhangala": [[(49.2, 48.6), (50.6, 48.6), (50.6, 49.8), (49.2, 49.8)]],
    "kaztalov": [[(47.6, 49.2), (49.2, 49.2), (49.2, 49.8), (50.0, 49.8), (50.0, 50.8), (47.6, 50.8)]],
    "zhanibek": [[(46.5, 49.2), (47.6, 49.2), (47.6, 50.4), (46.5, 50.4)]],
    "bokeyorda": [[(46.5, 47.9), (49.2, 47.9), (49.2, 49.2), (46.5, 49.2)]],
}


def _ring(points):
    return [list(point) for point in points] + [list(points[0])]


def seed(apps, schema_editor):
    District = apps.get_model("opscenter", "District")
    now = timezone.now()
    # update(), not assignment: until appeals 0004 runs, appeals' DistrictBoundary is still in the
    # historical state with related_name "boundary", and its reverse accessor shadows the new field on the
    # model class (a database migrated before 0010 reaches this migration that way).
    for pk, code in District.objects.filter(code__in=OUTLINES, boundary__isnull=True).values_list("pk", "code"):
        rings = OUTLINES[code]
        outer = rings[0]
        District.objects.filter(pk=pk).update(
            boundary={"type": "Polygon", "coordinates": [_ring(ring) for ring in rings]},
            boundary_min_longitude=min(x for x, _y in outer),
            boundary_max_longitude=max(x for x, _y in outer),
            boundary_min_latitude=min(y for _x, y in outer),
            boundary_max_latitude=max(y for _x, y in outer),
            boundary_source=SOURCE,
            boundary_loaded_at=now,
        )


def unseed(apps, schema_editor):
    District = apps.get_model("opscenter", "District")
    District.objects.filter(boundary_source=SOURCE).update(
        boundary=None,
        boundary_min_longitude=None,
        boundary_max_longitude=None,
        boundary_min_latitude=None,
        boundary_max_latitude=None,
        boundary_source="",
        boundary_loaded_at=None,
    )


class Migration(migrations.Migration):
    dependencies = [("opscenter", "0010_district_boundary_and_saved_view")]
    operations = [migrations.RunPython(seed, unseed)]
