"""Bracelet alerts carry no personal data: title, address and payload name the person's file number,
never their name, home address, IIN, zones or track; the place is the event's. Who it is, the home zone
and the last positions come through the spine's audited read of the alert's details."""

import json
from datetime import timedelta

import pytest

from opscenter.errors import ReasonRequired
from opscenter.models import Alert, AuditEntry
from opscenter.serializers import alert_as_dict
from opscenter.services.alerts import alert_acknowledge
from opscenter.services.details import alert_details_read
from tests.bracelets.conftest import HOME, NOON, offset

pytestmark = pytest.mark.django_db

GRACE = 180
QUERIES = 11  # session, user, scope (2), alert, audit, violation+person, order, positions, savepoints


@pytest.fixture(autouse=True)
def _english_alerts(settings):
    settings.LANGUAGE_CODE = "en"  # alerts speak the platform's language; English here


def breach(send):
    send(NOON, north_m=0)
    send(NOON + timedelta(seconds=60), north_m=300)
    send(NOON + timedelta(seconds=60 + GRACE), north_m=340)
    return Alert.objects.get()


def assert_no_personal_data(alert: Alert, person) -> None:
    shown = json.dumps(alert_as_dict(alert), ensure_ascii=False)
    for secret in (person.full_name, "Ахметов", person.iin, person.home_address, "Dostyk", "Victim"):
        assert secret not in shown
    assert "zones" not in alert.payload and "positions" not in alert.payload and "person" not in alert.payload


def test_an_inclusion_breach_names_the_file_number_only(person, send):
    alert = breach(send)

    assert alert.title == f"{person.file_number} out of their zone for 3 min"
    assert person.file_number == f"EM-{person.pk:06d}"
    assert alert.address == ""
    assert (alert.latitude, alert.longitude) == pytest.approx(offset(HOME, north_m=340))
    assert_no_personal_data(alert, person)


def test_an_exclusion_zone_is_not_named(person, victim_zone, send):
    send(NOON, north_m=1900)

    alert = Alert.objects.get()
    assert alert.title == f"{person.file_number} entered an exclusion zone"
    assert (alert.latitude, alert.longitude) == pytest.approx(offset(HOME, north_m=1900))
    assert_no_personal_data(alert, person)


def test_a_device_alarm_names_the_file_number_only(person, send):
    send(NOON, alarms=("sos",))

    alert = Alert.objects.get()
    assert alert.title == f"SOS from a bracelet: {person.file_number}"
    assert_no_personal_data(alert, person)


def test_the_details_say_who_with_the_home_zone_and_last_positions_after_a_reason(person, send, operator_uralsk):
    alert = breach(send)

    with pytest.raises(ReasonRequired):
        alert_details_read(user=operator_uralsk, alert=alert)
    details = alert_details_read(user=operator_uralsk, alert=alert, reason="Case 2026-0042")

    assert details["card"]["name"] == "Ахметов Серик"
    assert details["card"]["address"] == "Uralsk, Dostyk 1"
    assert details["card"]["card_url"] == f"/bracelets/people/{person.pk}/"
    assert details["card"]["contacts"][0]["role"] == "responsible officer"
    assert (details["zones"][0]["kind"], details["zones"][0]["radius_m"]) == ("inclusion", 60)
    assert [p["latitude"] for p in details["positions"]] == pytest.approx(
        [offset(HOME, north_m=m)[0] for m in (340, 300, 0)]
    )
    entry = AuditEntry.objects.get(action="personal_data.read")
    assert (entry.reason, entry.object_id, entry.data["what"]) == (
        "Case 2026-0042",
        str(alert.pk),
        "alert.details:bracelets",
    )


def test_the_zone_concerned_comes_first(person, victim_zone, send, operator_uralsk):
    send(NOON, north_m=1900)
    alert = Alert.objects.get()
    alert_acknowledge(alert=alert, actor=operator_uralsk)

    details = alert_details_read(user=operator_uralsk, alert=alert)

    assert details["zones"][0]["id"] == victim_zone.pk
    assert AuditEntry.objects.get(action="personal_data.read").reason == f"Working alert #{alert.pk}"


def test_the_details_api_takes_a_fixed_number_of_queries(
    person, victim_zone, send, operator_uralsk, django_assert_num_queries
):
    from rest_framework.test import APIClient

    alert = breach(send)
    client = APIClient()
    client.force_login(operator_uralsk)
    client.post(f"/api/v1/alerts/{alert.pk}/details/", {"reason": "warm-up"}, format="json")  # rules cached

    with django_assert_num_queries(QUERIES):
        response = client.post(f"/api/v1/alerts/{alert.pk}/details/", {"reason": "Case 9"}, format="json")

    assert response.status_code == 200
    assert len(response.json()["details"]["positions"]) == 3


def test_an_order_number_made_up_at_enrolment_names_the_file_not_the_iin(person):
    number = person.orders.get().number

    assert number.startswith(f"{person.file_number}/") and person.iin not in number
