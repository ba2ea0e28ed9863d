"""Alarm alerts raised before contacts became the alerts' audited details carry the people to call in
their payload: take them out (the details read finds them on the object)."""

from django.db import migrations


def forwards(apps, schema_editor) -> None:
    Alert = apps.get_model("opscenter", "Alert")
    for alert in Alert.objects.filter(source="alarms", payload__has_key="object").iterator():
        payload = dict(alert.payload)
        card = payload.get("object")
        if isinstance(card, dict) and "contacts" in card:
            payload["object"] = {key: value for key, value in card.items() if key != "contacts"}
            Alert.objects.filter(pk=alert.pk).update(payload=payload)


class Migration(migrations.Migration):
    dependencies = [
        ("alarms", "0002_refused_input_and_source_networks"),
        ("opscenter", "0005_alert_redacted_at"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
