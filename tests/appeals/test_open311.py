"""Open311 GeoReport v2 at /open311/v2/: the spec's fields, errors and time zones."""

import re

import pytest
from django.core.management import call_command

from appeals.models import Appeal, Channel
from appeals.services.appeals import appeal_answer
from tests.appeals.conftest import IIN

pytestmark = pytest.mark.django_db

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip


@pytest.fixture
def api_key(capsys, db) -> str:
    import json

    call_command("appeals_add_partner", "--code", "cityapp", "--name", "Uralsk city app", "--open311")
    return json.loads(capsys.readouterr().out)["open311_api_key"]


def post_request(client, key, **fields):
    data = {
        "api_key": key,
        "service_code": "traffic_violation",
        "lat": "51.2302",
        "long": "51.3860",
        "address_string": "Уральск, пр. Достык 12",
        "description": "Cars on the pavement.",
        "first_name": "Айгуль",
        "last_name": "Серикова",
        "phone": "+77011234567",
        "attribute[applicant_iin]": IIN,
        "attribute[appeal_type]": "statement",
    }
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post("/open311/v2/requests.json", data)


def assert_error(response, status: int) -> str:
    assert response.status_code == status
    body = response.json()
    assert isinstance(body, list) and set(body[0]) == {"code", "description"} and body[0]["code"] == status
    return body[0]["description"]


def test_services_list_the_categories(client):
    services = client.get("/open311/v2/services.json").json()
    assert [s["service_code"] for s in services][:2] == ["road_accident", "traffic_violation"]
    for service in services:
        assert set(service) == SERVICE_FIELDS
        assert service["type"] == "realtime" and service["metadata"] is True


def test_a_service_definition_lists_its_attributes(client):
    definition = client.get("/open311/v2/services/police_complaint.json").json()
    assert definition["service_code"] == "police_complaint"
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert set(attributes) == {"appeal_type", "applicant_iin", "occurred_at"}
    for attribute in attributes.values():
        assert {"variable", "code", "datatype", "required", "datatype_description", "order", "description"} <= set(
            attribute
        )
    assert attributes["applicant_iin"]["required"] is True  # no anonymous complaints about officers
    assert {v["key"] for v in attributes["appeal_type"]["values"]} >= {"statement", "complaint"}
    assert client.get("/open311/v2/services/road_accident.json").json()["attributes"][1]["required"] is False


def test_an_unknown_service_is_a_spec_error(client):
    assert "nope" in assert_error(client.get("/open311/v2/services/nope.json"), 404)


def test_only_json_is_served(client):
    assert_error(client.get("/open311/v2/services.xml"), 400)


def test_discovery(client):
    discovery = client.get("/open311/v2/discovery.json").json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")
    assert discovery["endpoints"][0]["formats"] == ["application/json"]


def test_a_request_is_filed_form_encoded_and_read_back(client, api_key):
    response = post_request(client, api_key)
    assert response.status_code == 201, response.content
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    appeal = Appeal.objects.get(registration_number=created["service_request_id"])
    assert (appeal.channel, appeal.appeal_type, appeal.applicant_full_name) == (
        Channel.OPEN311,
        "statement",
        "Серикова Айгуль",
    )
    assert "102" in created["service_notice"]

    [item] = client.get(f"/open311/v2/requests/{appeal.registration_number}.json", {"api_key": api_key}).json()
    assert set(item) == REQUEST_FIELDS
    assert item["status"] == "open"
    assert item["lat"] == pytest.approx(51.2302) and item["long"] == pytest.approx(51.3860)
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert ISO_WITH_OFFSET.match(item[name]), item[name]
    assert item["requested_datetime"].endswith("+05:00")
    assert item["expected_datetime"].startswith(appeal.deadline.isoformat())


def test_an_answered_request_is_closed_with_the_answer_as_notes(client, api_key, officer_uralsk):
    number = post_request(client, api_key).json()[0]["service_request_id"]
    appeal_answer(appeal=Appeal.objects.get(registration_number=number), actor=officer_uralsk, text="Fined.")
    [item] = client.get(f"/open311/v2/requests/{number}.json", {"api_key": api_key}).json()
    assert (item["status"], item["status_notes"]) == ("closed", "Fined.")


def test_requests_are_listed_with_the_specs_filters(client, api_key, officer_uralsk):
    first = post_request(client, api_key).json()[0]["service_request_id"]
    second = post_request(client, api_key, service_code="road_accident").json()[0]["service_request_id"]
    appeal_answer(appeal=Appeal.objects.get(registration_number=second), actor=officer_uralsk, text="Done.")

    def ids(**query):
        response = client.get("/open311/v2/requests.json", {"api_key": api_key, **query})
        assert response.status_code == 200, response.content
        return [item["service_request_id"] for item in response.json()]

    assert ids() == [second, first]
    assert ids(status="open") == [first]
    assert ids(status="closed") == [second]
    assert ids(service_code="road_accident") == [second]
    assert sorted(ids(service_request_id=f"{first},{second}")) == sorted([first, second])
    assert ids(start_date="2001-01-01T00:00:00Z", end_date="2001-02-01T00:00:00Z") == []
    assert_error(client.get("/open311/v2/requests.json", {"api_key": api_key, "status": "pending"}), 400)
    assert_error(client.get("/open311/v2/requests.json", {"api_key": api_key, "start_date": "last week"}), 400)


def test_another_partners_requests_do_not_exist_here(client, api_key, kaspi):
    theirs = kaspi[1].create().json()["registration_number"]
    assert_error(client.get(f"/open311/v2/requests/{theirs}.json", {"api_key": api_key}), 404)
    assert client.get("/open311/v2/requests.json", {"api_key": api_key, "service_request_id": theirs}).json() == []


@pytest.mark.parametrize(
    "fields, status, fragment",
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"api_key": None}, 403, "api_key"),
        ({"service_code": "nope"}, 400, "service_code"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": None, "long": None, "address_string": None}, 400, "location"),
        ({"description": ""}, 400, "description"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"attribute[applicant_iin]": "123"}, 400, "attribute[applicant_iin]"),
        ({"attribute[applicant_iin]": None, "service_code": "police_complaint"}, 400, "attribute[applicant_iin]"),
        ({"attribute[appeal_type]": "petition"}, 400, "attribute[appeal_type]"),
    ],
)
def test_bad_posts_are_spec_errors_and_store_nothing(client, api_key, fields, status, fragment):
    description = assert_error(post_request(client, api_key, **fields), status)
    assert fragment in description
    assert Appeal.objects.count() == 0


def test_an_anonymous_report_of_an_offence_is_filed_without_an_iin(client, api_key):
    response = post_request(client, api_key, **{"attribute[applicant_iin]": None, "service_code": "other_offence"})
    assert response.status_code == 201
    assert Appeal.objects.get().anonymous is True


def test_reading_needs_the_api_key(client, api_key):
    assert_error(client.get("/open311/v2/requests.json"), 403)


def test_a_partner_past_its_rate_gets_429_with_retry_after(client, api_key, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "partner": "2/minute"}}
    assert post_request(client, api_key).status_code == 201
    assert client.get("/open311/v2/requests.json", {"api_key": api_key}).status_code == 200

    refused = post_request(client, api_key)

    assert_error(refused, 429)
    assert 0 < int(refused["Retry-After"]) <= 60
    assert Appeal.objects.count() == 1
