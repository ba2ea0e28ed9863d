"""The bracelets admin shows no personal data without a reason recorded (people, zones) or not at all
(positions, violations' details), and its edits of people, orders, zones and absences are audited with
the fields they changed."""

import pytest

from bracelets.models import Position, Zone
from opscenter.models import AuditEntry
from tests.admin_forms import change_form_data
from tests.bracelets.conftest import NOON

pytestmark = pytest.mark.django_db


def reads():
    return list(AuditEntry.objects.filter(action="personal_data.read").values_list("reason", "object_id"))


def test_the_people_list_names_the_file_number_only_and_searches_by_it(admin_client, person):
    page = admin_client.get("/admin/bracelets/supervisedperson/").content.decode()
    assert person.file_number in page
    assert person.full_name not in page and person.iin not in page

    def found(term: str) -> int:
        return admin_client.get("/admin/bracelets/supervisedperson/", {"q": term}).context["cl"].result_count

    assert (found("Ахметов"), found(person.iin), found(person.file_number), found(str(person.pk))) == (0, 0, 1, 1)


def test_a_persons_page_asks_a_reason_and_records_it(admin_client, person):
    url = f"/admin/bracelets/supervisedperson/{person.pk}/change/"

    asked = admin_client.get(url)
    html = asked.content.decode()
    assert asked.status_code == 200
    assert person.full_name not in html and person.iin not in html and "Dostyk" not in html
    assert '<input id="personal-data-reason" name="_personal_data_reason" value=""' in html
    assert admin_client.post(url, {"_personal_data_reason": " "}).status_code == 400
    assert reads() == []

    given = admin_client.post(url, {"_personal_data_reason": "Order 2026-7 to enter"})
    assert (given.status_code, given["Location"]) == (302, url)
    shown = admin_client.get(url).content.decode()
    assert person.full_name in shown and person.iin in shown
    assert reads() == [("Order 2026-7 to enter", str(person.pk))]


def test_saving_a_person_without_a_reason_is_refused(admin_client, person):
    url = f"/admin/bracelets/supervisedperson/{person.pk}/change/"
    assert admin_client.post(url, {"full_name": "Someone else"}).status_code == 403
    person.refresh_from_db()
    assert person.full_name == "Ахметов Серик"


def test_a_zone_edit_is_audited_with_the_fields_named_not_copied(admin_client, person):
    zone = Zone.objects.get(person=person)
    url = f"/admin/bracelets/zone/{zone.pk}/change/"
    admin_client.post(url, {"_personal_data_reason": "Court changed the radius"})
    page = admin_client.get(url)

    response = admin_client.post(url, change_form_data(page, radius_m="120", schedule="windows"))

    assert response.status_code == 302, response.content.decode()[:3000]
    zone.refresh_from_db()
    assert zone.radius_m == 120
    entry = AuditEntry.objects.get(action="admin.change", object_type="bracelets.zone")
    assert sorted(entry.data["fields"]) == ["radius_m", "schedule"]
    assert entry.data["before"] == {"schedule": "always"} and entry.data["after"] == {"schedule": "windows"}


def test_an_order_edited_inline_on_the_persons_page_is_audited(admin_client, person):
    url = f"/admin/bracelets/supervisedperson/{person.pk}/change/"
    admin_client.post(url, {"_personal_data_reason": "Appeal court decision 12"})
    page = admin_client.get(url)
    order = person.orders.get()

    data = change_form_data(page)
    data["orders-0-number"] = "2026-NEW"
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(action="admin.change", object_type="bracelets.courtorder")
    assert (entry.object_id, entry.data["fields"]) == (str(order.pk), ["number"])
    assert entry.data["after"] == {"number": "2026-NEW"}


def test_positions_and_violations_show_no_coordinates(admin_client, person, send):
    send(NOON, north_m=0)
    position = Position.objects.get()
    latitude = f"{position.latitude:.4f}"[:6]

    listing = admin_client.get("/admin/bracelets/position/").content.decode()
    detail = admin_client.get(f"/admin/bracelets/position/{position.pk}/change/").content.decode()
    bracelet = admin_client.get(f"/admin/bracelets/bracelet/{position.bracelet_id}/change/").content.decode()

    for page in (listing, detail, bracelet):
        assert latitude not in page
        assert person.full_name not in page
    assert person.file_number in listing


def test_staff_without_the_permission_get_no_reason_page(client, person):
    from tests.factories import UserFactory

    staff = UserFactory(username="clerk", is_staff=True)
    client.force_login(staff)

    response = client.get(f"/admin/bracelets/supervisedperson/{person.pk}/change/")

    assert response.status_code in (302, 403)
    assert "personal-data-reason" not in response.content.decode()
