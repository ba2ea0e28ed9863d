"""The personal data behind an alert leaves only through an audited read: scoped, by capability, with a
reason unless the reader is working the alert; POST /api/v1/alerts/<id>/details/."""

import pytest
from rest_framework.test import APIClient

from opscenter.errors import NotAllowed, ReasonRequired
from opscenter.models import Alert, AuditEntry
from opscenter.services import details as registry
from opscenter.services.alerts import alert_acknowledge, alert_dispatch, alert_raise, alert_resolve
from opscenter.services.details import alert_details_read, register_alert_details
from tests.factories import UserFactory, district, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(monkeypatch):
    """A details provider for source "test", counting its calls."""
    monkeypatch.setattr(registry, "_providers", dict(registry._providers))
    calls = []

    def details(alert):
        calls.append(alert.pk)
        return {"card": {"name": "Ivanov Ivan", "address": "Dostyk 1"}, "facts": [("File", "T-1")]}

    register_alert_details("test", details)
    return calls


def raise_one(code="uralsk", **fields):
    return alert_raise(
        **{"source": "test", "kind": "test", "severity": 2, "title": "T-1", "district": district(code), **fields}
    )


def reads():
    return list(AuditEntry.objects.filter(action="personal_data.read").values_list("actor_label", "reason", "data"))


def test_a_reader_not_working_the_alert_must_give_a_reason(provider, operator_uralsk):
    alert = raise_one()

    with pytest.raises(ReasonRequired):
        alert_details_read(user=operator_uralsk, alert=alert, reason="  ")

    assert provider == [] and reads() == []


def test_a_read_with_a_reason_is_audited_with_it(provider, operator_uralsk):
    alert = raise_one()

    details = alert_details_read(user=operator_uralsk, alert=alert, reason="Case 123")

    assert details["card"]["name"] == "Ivanov Ivan"
    assert reads() == [("op_uralsk", "Case 123", {"what": "alert.details:test", "kind": "test", "working": False})]
    entry = AuditEntry.objects.get(action="personal_data.read")
    assert (entry.object_type, entry.object_id) == ("opscenter.alert", str(alert.pk))


@pytest.mark.parametrize("work", ["acknowledge", "dispatch"])
def test_for_someone_working_the_alert_the_alert_is_the_reason(provider, operator_uralsk, work):
    alert = raise_one()
    if work == "acknowledge":
        alert_acknowledge(alert=alert, actor=operator_uralsk)
    else:
        alert_dispatch(alert=alert, actor=operator_uralsk, units=[make_unit("U-7")])

    alert_details_read(user=operator_uralsk, alert=alert)

    assert reads() == [
        ("op_uralsk", f"Working alert #{alert.pk}", {"what": "alert.details:test", "kind": "test", "working": True})
    ]


def test_a_colleague_of_the_one_working_it_still_gives_a_reason(provider, operator_uralsk):
    colleague = UserFactory(username="op2", role="operator", centers=["uralsk"])
    alert = raise_one()
    alert_acknowledge(alert=alert, actor=operator_uralsk)

    with pytest.raises(ReasonRequired):
        alert_details_read(user=colleague, alert=alert)


def test_a_resolved_alert_is_no_longer_a_reason(provider, operator_uralsk):
    alert = raise_one()
    alert_acknowledge(alert=alert, actor=operator_uralsk)
    alert_resolve(alert=alert, actor=operator_uralsk, disposition="real")

    with pytest.raises(ReasonRequired):
        alert_details_read(user=operator_uralsk, alert=alert)


def test_out_of_scope_is_not_found_and_records_nothing(provider, operator_syrym):
    alert = raise_one("uralsk")

    with pytest.raises(Alert.DoesNotExist):
        alert_details_read(user=operator_syrym, alert=alert, reason="Curious")

    assert provider == [] and reads() == []


def test_a_role_without_the_capability_is_refused(provider):
    analyst = UserFactory(username="analyst", role="analyst", centers=["uralsk"])
    alert = raise_one()

    with pytest.raises(NotAllowed):
        alert_details_read(user=analyst, alert=alert, reason="Case 1")

    assert provider == [] and reads() == []


def test_an_alert_whose_app_has_no_details_gives_none_and_records_nothing(provider, operator_uralsk):
    alert = raise_one(source="other")

    assert alert_details_read(user=operator_uralsk, alert=alert, reason="Case 1") is None
    assert reads() == []


def test_a_kinds_own_provider_wins_over_its_sources(provider, operator_uralsk):
    register_alert_details("test", lambda alert: {"facts": [("kind", "special")]}, kind="special")

    assert alert_details_read(user=operator_uralsk, alert=raise_one(kind="special"), reason="x") == {
        "facts": [("kind", "special")]
    }
    assert alert_details_read(user=operator_uralsk, alert=raise_one(kind="plain"), reason="x")["card"]


def client_for(user) -> APIClient:
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def test_api_asks_for_a_reason_then_returns_the_details(provider, operator_uralsk):
    alert = raise_one()
    client = client_for(operator_uralsk)

    refused = client.post(f"/api/v1/alerts/{alert.pk}/details/", {}, format="json")
    given = client.post(f"/api/v1/alerts/{alert.pk}/details/", {"reason": "Case 77"}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (400, "reason_required")
    assert given.status_code == 200
    assert given["Cache-Control"] == "private, no-store"
    assert given.json() == {
        "alert": alert.pk,
        "details": {"card": {"name": "Ivanov Ivan", "address": "Dostyk 1"}, "facts": [["File", "T-1"]]},
    }
    assert reads() == [("op_uralsk", "Case 77", {"what": "alert.details:test", "kind": "test", "working": False})]


def test_api_gives_404_out_of_scope_and_403_without_the_capability(provider, operator_syrym):
    alert = raise_one("uralsk")
    analyst = UserFactory(username="analyst", role="analyst", centers=["uralsk"])

    assert client_for(operator_syrym).post(f"/api/v1/alerts/{alert.pk}/details/", {"reason": "x"}).status_code == 404
    assert client_for(analyst).post(f"/api/v1/alerts/{alert.pk}/details/", {"reason": "x"}).status_code == 403
    assert client_for(operator_syrym).get(f"/api/v1/alerts/{alert.pk}/details/").status_code == 405


def test_a_redacted_alert_has_no_details_any_more(provider, operator_uralsk):
    from opscenter.services.retention import alerts_redact

    alert = raise_one()
    alerts_redact(alert_pks=[alert.pk])

    assert alert_details_read(user=operator_uralsk, alert=alert, reason="Case 1") is None
    assert provider == [] and reads() == []
