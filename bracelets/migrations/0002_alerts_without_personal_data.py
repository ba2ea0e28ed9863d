"""Alerts raised before bracelet alerts were pseudonymous carry the person's name (title, payload), home
address and zones and track (payload): rewrite them as they are raised now, naming the file number."""

from django.db import migrations

PERSONAL_KEYS = ("person", "positions", "zones")


def _person_pk(alert) -> int | None:
    person = (alert.payload or {}).get("person")
    if isinstance(person, dict) and isinstance(person.get("id"), int):
        return person["id"]
    parts = alert.dedup_key.split(":")  # bracelets:<person pk>:<condition>
    return int(parts[1]) if len(parts) > 2 and parts[0] == "bracelets" and parts[1].isdigit() else None


def forwards(apps, schema_editor) -> None:
    Alert = apps.get_model("opscenter", "Alert")
    SupervisedPerson = apps.get_model("bracelets", "SupervisedPerson")
    Zone = apps.get_model("bracelets", "Zone")
    for alert in Alert.objects.filter(source="bracelets").iterator():
        payload = {key: value for key, value in (alert.payload or {}).items() if key not in PERSONAL_KEYS}
        title = alert.title
        person_pk = _person_pk(alert)
        if person_pk is not None:
            file_number = f"EM-{person_pk:06d}"
            payload["file"] = file_number
            payload.setdefault("link", {"url": f"/bracelets/people/{person_pk}/", "label": file_number})
            person = SupervisedPerson.objects.filter(pk=person_pk).first()
            if person is not None and person.full_name:
                title = title.replace(person.full_name, file_number)
            for name in Zone.objects.filter(person_id=person_pk).values_list("name", flat=True):
                if name:
                    title = title.replace(f" {name}", "").replace(name, "")
        Alert.objects.filter(pk=alert.pk).update(title=title[:300], address="", payload=payload)


class Migration(migrations.Migration):
    dependencies = [
        ("bracelets", "0001_initial"),
        ("opscenter", "0005_alert_redacted_at"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
