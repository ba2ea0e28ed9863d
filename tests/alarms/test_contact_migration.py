"""Contacts typed in the admin as JSON become ObjectContact rows (alarms 0007), in their order, as named
people (personal data); entries that hold nothing are dropped; going back writes the JSON again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# serialized_rollback, as every transactional test here: the flush after it then leaves the content types and
# permissions to the next test's restore instead of making them again (duplicates otherwise).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("alarms", "0006_object_contacts_and_instructions")]
AFTER = [("alarms", "0008_remove_contacts_json")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def test_json_contacts_become_rows_in_their_order_and_come_back_as_json():
    old = migrate(BEFORE)
    District = old.get_model("opscenter", "District")
    ProtectedObject = old.get_model("alarms", "ProtectedObject")
    uralsk = District.objects.get(code="uralsk")
    school = ProtectedObject.objects.create(
        kind="school", name="School No. 5", district=uralsk,
        contacts_json=[
            {"name": "A. Serikova", "role": "director", "phone": "+77112000000"},
            "not an entry",
            {"role": "deputy"},
            {"name": "Vakhta", "phone": " +77112000001 "},
        ],
    )  # fmt: skip
    empty = ProtectedObject.objects.create(kind="kindergarten", name="Balapan", district=uralsk)

    new = migrate(AFTER)

    ObjectContact = new.get_model("alarms", "ObjectContact")
    rows = ObjectContact.objects.order_by("position").values_list(
        "protected_object_id", "kind", "name", "role", "phone", "position"
    )
    assert list(rows) == [
        (school.pk, "person", "A. Serikova", "director", "+77112000000", 0),
        (school.pk, "person", "Vakhta", "", "+77112000001", 3),
    ]
    assert not ObjectContact.objects.filter(protected_object_id=empty.pk).exists()

    back = migrate(BEFORE)

    restored = back.get_model("alarms", "ProtectedObject").objects.get(pk=school.pk)
    assert restored.contacts_json == [
        {"name": "A. Serikova", "role": "director", "phone": "+77112000000"},
        {"name": "Vakhta", "role": "", "phone": "+77112000001"},
    ]
    again = migrate(AFTER)
    assert again.get_model("alarms", "ObjectContact").objects.count() == 2
