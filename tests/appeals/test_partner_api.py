"""The partner API: filing, reading back, categories; every refusal names its field and stores nothing."""

import json
import re

import pytest
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, Attachment, IdempotencyKey
from opscenter.models import Alert
from tests.appeals.conftest import IIN, appeal_body

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"


def test_an_appeal_is_registered_at_once(kaspi):
    partner, signed = kaspi
    response = signed.create()
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"id", "registration_number", "status", "registered_at", "deadline"}
    year = timezone.localdate().year
    assert re.fullmatch(rf"ZKO-{year}-\d{{6}}", data["registration_number"]) or data["registration_number"].startswith(
        "ZKO-"
    )
    assert data["status"] == "registered"
    appeal = Appeal.objects.get(pk=data["id"])
    assert appeal.partner == partner
    assert appeal.registration_number == data["registration_number"]
    assert appeal.deadline.isoformat() == data["deadline"]
    assert appeal.district.code == "uralsk"
    assert appeal.applicant_iin == IIN
    assert list(appeal.events.values_list("action", flat=True)) == ["registered", "routed"]


def test_the_partner_reads_back_status_history_and_answer_without_internal_steps(kaspi, officer_uralsk):
    from appeals.services.appeals import appeal_answer, appeal_comment

    _partner, signed = kaspi
    created = signed.create().json()
    appeal = Appeal.objects.get(pk=created["id"])
    appeal_comment(appeal=appeal, actor=officer_uralsk, text="Internal: call the school first.")
    appeal_answer(appeal=appeal, actor=officer_uralsk, text="A patrol was sent; the driver was fined.")

    response = signed.get(f"/api/v1/partner/appeals/{created['registration_number']}")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "answered"
    assert data["public_answer"] == "A patrol was sent; the driver was fined."
    assert [event["event"] for event in data["history"]] == ["registered", "answered"]
    assert "Internal" not in json.dumps(data, ensure_ascii=False)
    assert "iin" not in json.dumps(data)


def test_another_partners_appeal_is_404_exactly_like_none(kaspi, halyk):
    created = kaspi[1].create().json()
    theirs = halyk[1].get(f"/api/v1/partner/appeals/{created['registration_number']}")
    missing = halyk[1].get("/api/v1/partner/appeals/ZKO-2026-999999")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


def test_categories_and_appeal_types(kaspi_client):
    data = kaspi_client.get("/api/v1/partner/categories").json()
    assert [c["code"] for c in data["categories"]] == [
        "road_accident", "traffic_violation", "domestic_violence", "child_incident", "other_offence",
        "police_complaint",
    ]  # fmt: skip
    anonymous = {c["code"]: c["anonymous_allowed"] for c in data["categories"]}
    assert anonymous["police_complaint"] is False
    assert anonymous["domestic_violence"] is True
    assert [t["code"] for t in data["appeal_types"]] == [
        "statement", "report", "response", "proposal", "inquiry", "complaint"
    ]  # fmt: skip


def errors_of(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["errors"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"category": "jaywalking"}, "category"),
        ({"appeal_type": "petition"}, "appeal_type"),
        ({"description": "x" * 4001}, "description"),
        ({"description": ""}, "description"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2099-01-01T00:00:00+05:00"}, "occurred_at"),
        ({"location": {"lat": 91, "lon": 51}}, "location"),
        ({"location": {"lat": 51.2}}, "location"),
        ({"location": {}}, "location"),
        ({"applicant": {"iin": "900115300018", "full_name": "A"}}, "applicant"),
        ({"applicant": {"iin": "90011530001", "full_name": "A"}}, "applicant"),
        ({"applicant": None}, "applicant"),
        ({"anonymous": True, "applicant": None, "category": "police_complaint"}, "anonymous"),
        ({"anonymous": True}, "applicant"),
        ({"attachments": [999]}, "attachments"),
    ],
)
def test_a_bad_appeal_is_refused_naming_the_field_and_stores_nothing(kaspi_client, overrides, field):
    response = kaspi_client.create(appeal_body(**overrides), key="k1")
    assert field in errors_of(response)
    assert Appeal.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0
    assert AppealEvent.objects.count() == 0


def test_the_iin_error_names_the_nested_field_and_the_check_digit(kaspi_client):
    iin = IIN[:11] + str((int(IIN[11]) + 1) % 10)
    errors = errors_of(kaspi_client.create(appeal_body(applicant={"iin": iin, "full_name": "A"})))
    assert "check digit" in errors["applicant"]["iin"][0]


def test_a_refused_appeal_may_be_corrected_and_retried_with_the_same_key(kaspi_client):
    assert kaspi_client.create(appeal_body(category="nope"), key="retry-me").status_code == 400
    assert kaspi_client.create(appeal_body(), key="retry-me").status_code == 201


def test_an_anonymous_report_of_an_offence_is_accepted(kaspi_client):
    response = kaspi_client.create(appeal_body(anonymous=True, applicant=None, category="other_offence"))
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get()
    assert appeal.anonymous and appeal.applicant_iin == ""


def test_malformed_json_is_a_400_and_stores_nothing(kaspi_client):
    response = kaspi_client.create(b'{"category": ', key="broken")
    assert response.status_code == 400
    assert IdempotencyKey.objects.count() == 0


def test_the_idempotency_key_is_required(kaspi_client):
    response = kaspi_client.send("POST", "/api/v1/partner/appeals", json.dumps(appeal_body()).encode())
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert Appeal.objects.count() == 0


def test_domestic_violence_raises_a_p2_alert_in_the_districts_center(kaspi_client):
    body = appeal_body(category="domestic_violence", location={"lat": 51.2542, "lon": 51.9897, "address": ""})
    created = kaspi_client.create(body).json()
    appeal = Appeal.objects.get(pk=created["id"])
    assert appeal.district.code == "terekti"
    alert = Alert.objects.get()
    assert (alert.severity, alert.source, alert.kind) == (2, "appeals", "appeal_domestic_violence")
    assert alert.center == appeal.district.center and alert.district == appeal.district
    assert appeal.alert == alert


def test_an_uploaded_photo_is_linked_to_the_appeal_that_names_it(kaspi_client):
    uploaded = kaspi_client.upload(JPEG, name="whatever.bin")
    assert uploaded.status_code == 201, uploaded.content
    data = uploaded.json()
    assert (data["kind"], data["content_type"]) == ("photo", "image/jpeg")
    created = kaspi_client.create(appeal_body(attachments=[data["id"]])).json()
    assert Attachment.objects.get(pk=data["id"]).appeal_id == created["id"]
    # and it cannot be used a second time
    again = kaspi_client.create(appeal_body(attachments=[data["id"]], partner_reference="ref-2"))
    assert "attachments" in errors_of(again)


def test_another_partners_attachment_cannot_be_named(kaspi_client, halyk):
    theirs = halyk[1].upload(JPEG).json()
    assert "attachments" in errors_of(kaspi_client.create(appeal_body(attachments=[theirs["id"]])))
    assert Attachment.objects.get(pk=theirs["id"]).appeal_id is None


def test_the_openapi_schema_describes_the_partner_endpoints(client, administrator):
    client.force_login(administrator)
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    assert {"post"} <= set(paths["/api/v1/partner/appeals"])
    assert "get" in paths["/api/v1/partner/appeals/{registration_number}"]
    assert "post" in paths["/api/v1/partner/attachments"]
    assert "get" in paths["/api/v1/partner/categories"]
    assert "/api/v1/partner/bench/noop" not in paths
    create = paths["/api/v1/partner/appeals"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    assert "partnerSignature" in schema["components"]["securitySchemes"]
    assert create["security"] == [{"partnerSignature": []}]


def test_deeply_nested_json_is_a_400_and_leaves_no_claim(kaspi):
    _partner, signed = kaspi

    response = signed.create(b'{"description": ' + b"[" * 20_000 + b"]" * 20_000 + b"}")  # 40 KB: under the limit

    assert response.status_code == 400, response.content
    assert response.json() == {"detail": "JSON parse error - JSON nested deeper than 32 levels.", "code": "parse_error"}
    assert Appeal.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0
