"""District boundaries move to the spine (opscenter.District.boundary), where the map draws them and
routing reads them. Boundaries loaded here replace the spine's schematic ones; then the model goes."""

from django.db import migrations

FIELDS = ("min_latitude", "max_latitude", "min_longitude", "max_longitude")


def to_the_spine(apps, schema_editor):
    DistrictBoundary = apps.get_model("appeals", "DistrictBoundary")
    District = apps.get_model("opscenter", "District")
    for boundary in DistrictBoundary.objects.all():
        District.objects.filter(pk=boundary.district_id).update(
            boundary=boundary.geometry,
            boundary_source=boundary.source,
            boundary_loaded_at=boundary.loaded_at,
            **{f"boundary_{name}": getattr(boundary, name) for name in FIELDS},
        )


def back_from_the_spine(apps, schema_editor):
    DistrictBoundary = apps.get_model("appeals", "DistrictBoundary")
    District = apps.get_model("opscenter", "District")
    for district in District.objects.filter(boundary__isnull=False).exclude(boundary_source__startswith="schematic"):
        DistrictBoundary.objects.create(
            district_id=district.pk,
            geometry=district.boundary,
            source=district.boundary_source,
            loaded_at=district.boundary_loaded_at,
            **{name: getattr(district, f"boundary_{name}") for name in FIELDS},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0003_partner_webhook_url_outbound"),
        ("opscenter", "0011_seed_district_boundaries"),
    ]

    operations = [
        migrations.RunPython(to_the_spine, back_from_the_spine),
        migrations.DeleteModel(name="DistrictBoundary"),
    ]
