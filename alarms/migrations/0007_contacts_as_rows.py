"""The people to call at an object were typed in the admin as JSON ([{"name", "role", "phone"}]): each
entry becomes an ObjectContact row, in the order it had. They were named people, so they become personal
contacts (shown only through the audited details read); an administrator marks a duty phone as such.
Entries that are no object, or have neither a name nor a phone, are dropped; the migration says how many."""

from django.db import migrations


def _text(value, limit: int) -> str:
    return str(value).strip()[:limit] if value is not None else ""


def forwards(apps, schema_editor) -> None:
    ProtectedObject = apps.get_model("alarms", "ProtectedObject")
    ObjectContact = apps.get_model("alarms", "ObjectContact")
    rows, dropped = [], 0
    for protected in ProtectedObject.objects.exclude(contacts_json=[]).iterator():
        entries = protected.contacts_json if isinstance(protected.contacts_json, list) else []
        for position, entry in enumerate(entries):
            if not isinstance(entry, dict) or not (entry.get("name") or entry.get("phone")):
                dropped += 1
                continue
            rows.append(
                ObjectContact(
                    protected_object=protected,
                    kind="person",
                    name=_text(entry.get("name"), 200) or _text(entry.get("role"), 200) or "—",
                    role=_text(entry.get("role"), 100),
                    phone=_text(entry.get("phone"), 32),
                    position=position,
                )
            )
    ObjectContact.objects.bulk_create(rows, batch_size=500)
    if dropped:
        print(f"\n  alarms.0007: {dropped} contact entries without a name or phone were not kept.")


def backwards(apps, schema_editor) -> None:
    ProtectedObject = apps.get_model("alarms", "ProtectedObject")
    ObjectContact = apps.get_model("alarms", "ObjectContact")
    contacts: dict[int, list[dict[str, str]]] = {}
    for contact in ObjectContact.objects.order_by("protected_object_id", "position", "pk"):
        contacts.setdefault(contact.protected_object_id, []).append(
            {"name": contact.name, "role": contact.role, "phone": contact.phone}
        )
    for pk, entries in contacts.items():
        ProtectedObject.objects.filter(pk=pk).update(contacts_json=entries)
    ObjectContact.objects.all().delete()  # forwards makes them again from the JSON


class Migration(migrations.Migration):
    dependencies = [("alarms", "0006_object_contacts_and_instructions")]

    operations = [migrations.RunPython(forwards, backwards)]
