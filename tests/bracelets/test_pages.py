"""Officers' pages: scope (an officer sees the people of their districts only), the reason asked before a
card opens, the audit of every card and track read, the track and violation history, and a list whose
query count does not grow with the number of people."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bracelets.models import SupervisedPerson
from bracelets.selectors import people_overview, people_visible
from bracelets.services.registry import bracelet_add, person_enrol
from opscenter.models import AuditEntry
from tests.bracelets.conftest import HOME
from tests.factories import UserFactory, district

pytestmark = pytest.mark.django_db


def enrol(unique_id: str, iin: str, district_code: str, officer=None) -> SupervisedPerson:
    bracelet_add(unique_id=unique_id)
    return person_enrol(unique_id=unique_id, iin=iin, full_name=f"Person {iin}", district=district(district_code),
                        home_latitude=HOME[0], home_longitude=HOME[1], home_radius_m=60, measure="house_arrest",
                        responsible_officer=officer)  # fmt: skip


def login(client, user):
    client.force_login(user)
    return client


def test_scope(person, officer_terekti, operator_syrym, supervisor_uralsk, administrator, officer_uralsk):
    terekti_person = enrol("T1", "770101300001", "terekti")
    assert list(people_visible(user=officer_uralsk)) == [person]
    assert list(people_visible(user=officer_terekti)) == [terekti_person]
    assert list(people_visible(user=operator_syrym)) == []
    # Uralsk's center covers uralsk, akzhaik and terekti? Whatever it covers, it never covers Syrym.
    assert person in people_visible(user=supervisor_uralsk)
    assert set(people_visible(user=administrator)) == {person, terekti_person}
    assert list(people_visible(user=UserFactory(username="nobody"))) == []


def test_an_officer_lists_their_own_people_by_default_and_all_of_their_districts_on_request(
    client, person, officer_uralsk
):
    other = enrol("U2", "770101300002", "uralsk")
    login(client, officer_uralsk)
    page = client.get("/bracelets/").content.decode()
    assert person.full_name in page and other.full_name not in page
    page = client.get("/bracelets/?all=1").content.decode()
    assert person.full_name in page and other.full_name in page


def test_the_list_shows_the_state(client, person, officer_uralsk, send):
    from tests.bracelets.conftest import NOON

    send(NOON, alarms=("tampering",))
    login(client, officer_uralsk)
    page = client.get("/bracelets/").content.decode()
    assert 'data-state="alarm"' in page
    assert 'data-kind="tamper"' in page


def test_the_list_query_count_does_not_grow(client, supervisor_uralsk, person):
    login(client, supervisor_uralsk)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/bracelets/").status_code == 200
    for index in range(5):
        enrol(f"U{index + 10}", f"77010130{index + 10:04d}", "uralsk")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/bracelets/")
    assert len(response.context["rows"]) == 6
    assert len(many) == len(few)


def test_a_card_asks_for_a_reason_first_and_every_read_is_audited(client, person, officer_uralsk, send):
    now = timezone.now()
    send(now - timedelta(minutes=5), north_m=5)
    send(now - timedelta(minutes=4), north_m=10)
    login(client, officer_uralsk)
    url = f"/bracelets/people/{person.pk}/"

    page = client.get(url)
    assert page.status_code == 200
    assert 'id="reason-form"' in page.content.decode() and person.iin not in page.content.decode()
    assert AuditEntry.objects.filter(action="personal_data.read").count() == 0

    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400
    assert client.get(url).content.decode().count(person.iin) == 0

    opened = client.post(url, {"reason": "Case 2026-0042"})
    assert opened.status_code == 302
    card = client.get(url)
    body = card.content.decode()
    assert person.iin in body and 'id="track-map"' in body
    assert card.context["track_count"] == 2
    assert len(card.context["map_data"]["track"]) == 2
    assert card.context["map_data"]["zones"][0]["radius_m"] == 60
    entry = AuditEntry.objects.get(action="personal_data.read")
    assert (entry.actor, entry.reason, entry.object_id) == (officer_uralsk, "Case 2026-0042", str(person.pk))
    assert entry.data["what"] == "bracelets.card_and_track" and entry.data["positions"] == 2

    since = timezone.localtime(now - timedelta(minutes=4, seconds=30)).strftime("%Y-%m-%dT%H:%M:%S")
    card = client.get(url, {"since": since})
    assert card.context["track_count"] == 1
    assert AuditEntry.objects.filter(action="personal_data.read").count() == 2


def test_someone_out_of_scope_gets_404_even_with_a_reason(client, person, officer_terekti, operator_syrym):
    for user in (officer_terekti, operator_syrym):
        login(client, user)
        url = f"/bracelets/people/{person.pk}/"
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "curious"}).status_code == 404
    assert AuditEntry.objects.filter(action="personal_data.read").count() == 0


def test_the_violation_history_is_on_the_card(client, person, officer_uralsk, send):
    from tests.bracelets.conftest import NOON

    send(NOON, north_m=500)
    send(NOON + timedelta(seconds=30), north_m=0)
    login(client, officer_uralsk)
    client.post(f"/bracelets/people/{person.pk}/", {"reason": "check"})
    body = client.get(f"/bracelets/people/{person.pk}/").content.decode()
    assert 'class="violation-row" data-kind="inclusion" data-status="cleared"' in body


def test_pages_need_a_login(client, person):
    assert client.get("/bracelets/").status_code == 302
    assert client.get(f"/bracelets/people/{person.pk}/").status_code == 302


def test_people_overview_for_an_administrator_sorts_the_worst_first(administrator, person, send):
    from tests.bracelets.conftest import NOON

    calm = enrol("U9", "770101300009", "uralsk")
    send(NOON, alarms=("removing",))
    rows = people_overview(user=administrator)
    assert [row.person for row in rows] == [person, calm]
    assert [row.state for row in rows] == ["alarm", "ok"]


def test_the_card_writes_dates_as_the_kazakh_locale_does_and_names_the_home_zone_in_kazakh(
    client, person, officer_uralsk, send
):
    from tests.bracelets.conftest import NOON

    send(NOON, north_m=500)  # 12:00:00 in Uralsk
    officer_uralsk.language = "kk"
    officer_uralsk.save(update_fields=["language"])
    login(client, officer_uralsk)
    client.post(f"/bracelets/people/{person.pk}/", {"reason": "check"})

    body = client.get(f"/bracelets/people/{person.pk}/").content.decode()

    assert "<td>02.03.2026 12:00:00</td>" in body
    assert "<li>Болу аймағы (одан шықпау керек): Үй (60 m)" in body
    assert "Home" not in body
