"""The alarms admin: a protected object's page (the people to call) opens after a reason, recorded;
edits of objects and panels are audited with the fields they changed, keys and contacts named only."""

import pytest

from alarms.models import AlarmPanel
from opscenter.models import AuditEntry
from tests.admin_forms import change_form_data
from tests.alarms.conftest import KEY

pytestmark = pytest.mark.django_db


def test_a_panels_new_key_is_audited_by_name_never_by_value(admin_client, panel):
    url = f"/admin/alarms/alarmpanel/{panel.pk}/change/"
    page = admin_client.get(url)

    response = admin_client.post(url, change_form_data(page, aes_key=KEY, supervision_seconds="600"))

    assert response.status_code == 302, response.content.decode()[:2000]
    panel = AlarmPanel.objects.get(pk=panel.pk)
    assert (panel.aes_key, panel.supervision_seconds) == (KEY, 600)
    entry = AuditEntry.objects.get(action="admin.change", object_type="alarms.alarmpanel")
    assert sorted(entry.data["fields"]) == ["aes_key", "supervision_seconds"]
    assert entry.data["before"] == {"supervision_seconds": 300} and entry.data["after"] == {"supervision_seconds": 600}
    assert KEY not in str(entry.data)


def test_an_objects_page_asks_a_reason_before_showing_its_contacts(admin_client, panel):
    url = f"/admin/alarms/protectedobject/{panel.protected_object_id}/change/"

    asked = admin_client.get(url).content.decode()
    assert "Serikova" not in asked and "+77112000000" not in asked
    admin_client.post(url, {"_personal_data_reason": "Updating the school's contacts"})
    page = admin_client.get(url)
    assert "Serikova" in page.content.decode()

    contact = panel.protected_object.contacts.get()
    response = admin_client.post(
        url, change_form_data(page, **{"contacts-0-name": "B. Nurlanova", "contacts-0-phone": "+77112000001"})
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    read = AuditEntry.objects.get(action="personal_data.read")
    assert read.reason == "Updating the school's contacts"
    change = AuditEntry.objects.get(action="admin.change", object_type="alarms.objectcontact")
    assert change.object_id == str(contact.pk)
    assert sorted(change.data["fields"]) == ["name", "phone"] and "Nurlanova" not in str(change.data)
    assert change.data["before"] == {} and "+77112000001" not in str(change.data)


def test_contacts_are_entered_as_rows_a_duty_phone_marked_as_such(admin_client, panel):
    url = f"/admin/alarms/protectedobject/{panel.protected_object_id}/change/"
    admin_client.post(url, {"_personal_data_reason": "Adding the watchman's desk"})
    page = admin_client.get(url)
    data = change_form_data(page)
    data.update({"contacts-1-kind": "duty", "contacts-1-name": "Watchman's desk", "contacts-1-phone": "+77112000009",
                 "contacts-1-position": "1", "contacts-1-role": ""})  # fmt: skip

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    contacts = list(panel.protected_object.contacts.values_list("kind", "name", "phone"))
    assert contacts == [("person", "A. Serikova", "+77112000000"), ("duty", "Watchman's desk", "+77112000009")]
