"""The incidents' REST API: one view per operation, scoped to the caller, errors as {"detail", "code"}."""

import pytest
from rest_framework.test import APIClient

from opscenter.models import Alert
from tests.factories import UserFactory
from tests.opscenter.test_alert_apis import raise_in

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_link_two_alerts_acknowledge_and_resolve_the_incident_through_the_api(operator_uralsk):
    first, second, third = raise_in("uralsk", severity=1), raise_in("uralsk"), raise_in("terekti")
    client = client_for(operator_uralsk)

    created = client.post("/api/v1/incidents/create/", {"alerts": [first.pk, second.pk]}, format="json")
    assert created.status_code == 201, created.json()
    incident = created.json()
    base = f"/api/v1/incidents/{incident['id']}"
    assert [alert["id"] for alert in incident["alerts"]] == [first.pk, second.pk]
    assert incident["title"] == "" and incident["center"] == "uralsk"

    linked = client.post(f"{base}/link/", {"alerts": [third.pk]}, format="json").json()
    assert [alert["incident"] for alert in linked["alerts"]] == [incident["id"]] * 3
    unlinked = client.post(f"{base}/unlink/", {"alert": second.pk}, format="json").json()
    assert [alert["id"] for alert in unlinked["alerts"]] == [first.pk, third.pk]
    acknowledged = client.post(f"{base}/acknowledge/").json()
    assert acknowledged["status"] == "acknowledged" and acknowledged["acknowledged_by"] == operator_uralsk.username
    assert {alert["status"] for alert in acknowledged["alerts"]} == {"acknowledged"}
    refused = client.post(f"{base}/resolve/", {}, format="json")
    assert refused.status_code == 400 and "disposition" in refused.json()["errors"]
    resolved = client.post(f"{base}/resolve/", {"disposition": "false_alarm", "note": "A pupil"}, format="json").json()
    assert (resolved["status"], resolved["disposition"]) == ("resolved", "false_alarm")
    assert {(alert["status"], alert["disposition"]) for alert in resolved["alerts"]} == {("resolved", "false_alarm")}
    assert Alert.objects.get(pk=second.pk).status == "new"

    again = client.post(f"{base}/resolve/", {"disposition": "real"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "incident_closed"
    listed = client.get("/api/v1/incidents/", {"open": "true"}).json()
    assert listed == {"count": 0, "results": []}
    assert client.get("/api/v1/incidents/").json()["count"] == 1


def test_alerts_and_incidents_beyond_the_callers_scope_are_not_found(operator_uralsk, operator_syrym):
    ours, theirs = raise_in("uralsk"), raise_in("syrym")
    client = client_for(operator_uralsk)

    refused = client.post("/api/v1/incidents/create/", {"alerts": [ours.pk, theirs.pk]}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    incident = client.post("/api/v1/incidents/create/", {"alerts": [ours.pk]}, format="json").json()
    stranger = client_for(operator_syrym)
    for url, body in [
        (f"/api/v1/incidents/{incident['id']}/link/", {"alerts": [theirs.pk]}),
        (f"/api/v1/incidents/{incident['id']}/resolve/", {"disposition": "real"}),
        (f"/api/v1/incidents/{incident['id']}/acknowledge/", {}),
    ]:
        assert stranger.post(url, body, format="json").status_code == 404
    assert stranger.get(f"/api/v1/incidents/{incident['id']}/").status_code == 404
    assert stranger.get("/api/v1/incidents/").json()["count"] == 0


def test_alerts_of_two_centers_are_refused_with_a_code(administrator):
    response = client_for(administrator).post(
        "/api/v1/incidents/create/", {"alerts": [raise_in("uralsk").pk, raise_in("syrym").pk]}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (409, "several_centers")


def test_an_analyst_may_see_incidents_but_not_link_alerts():
    analyst = UserFactory(role="analyst", centers=["uralsk"])

    response = client_for(analyst).post("/api/v1/incidents/create/", {"alerts": [raise_in("uralsk").pk]}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "not_allowed")


# The session, its user, the scope (2), the count, the page with its center and people joined.
INCIDENT_LIST_QUERIES = 6


def test_the_incident_list_costs_a_fixed_number_of_queries(operator_uralsk, django_assert_num_queries):
    client = client_for(operator_uralsk)
    client.post("/api/v1/incidents/create/", {"alerts": [raise_in("uralsk").pk]}, format="json")
    with django_assert_num_queries(INCIDENT_LIST_QUERIES):
        assert client.get("/api/v1/incidents/").json()["count"] == 1
    for _ in range(5):
        client.post("/api/v1/incidents/create/", {"alerts": [raise_in("uralsk").pk]}, format="json")
    with django_assert_num_queries(INCIDENT_LIST_QUERIES):
        assert client.get("/api/v1/incidents/").json()["count"] == 6
