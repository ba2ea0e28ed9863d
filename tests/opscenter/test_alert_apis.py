"""REST for alerts: scoped lists and details, the lifecycle actions, errors, query counts."""

import pytest
from rest_framework.test import APIClient

from opscenter.services.alerts import alert_acknowledge, alert_comment, alert_dispatch, alert_raise, alert_resolve
from tests.factories import UserFactory, district, make_unit

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def raise_in(code, **fields):
    return alert_raise(
        **{"source": "test", "kind": "test", "severity": 2, "title": code, "district": district(code), **fields}
    )


def test_anonymous_gets_401_or_403():
    response = APIClient().get("/api/v1/alerts/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_list_is_scoped(operator_syrym, operator_uralsk):
    raise_in("uralsk")
    raise_in("syrym")

    response = client_for(operator_syrym).get("/api/v1/alerts/")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert [a["district"] for a in response.json()["results"]] == ["syrym"]


def test_detail_of_another_centers_alert_is_404(operator_syrym):
    alert = raise_in("uralsk")
    assert client_for(operator_syrym).get(f"/api/v1/alerts/{alert.pk}/").status_code == 404
    assert csrf_client_for(operator_syrym).post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 404
    alert.refresh_from_db()
    assert alert.status == "new"


def test_list_filters(operator_uralsk):
    critical = raise_in("uralsk", severity=1)
    acknowledged = raise_in("terekti", severity=3)
    alert_acknowledge(alert=acknowledged, actor=operator_uralsk)
    client = client_for(operator_uralsk)

    def ids(query):
        return [a["id"] for a in client.get(f"/api/v1/alerts/?{query}").json()["results"]]

    assert ids("severity=1") == [critical.pk]
    assert ids("status=acknowledged") == [acknowledged.pk]
    assert ids("status=open") == [critical.pk, acknowledged.pk]
    assert ids("status=new&status=acknowledged") == [critical.pk, acknowledged.pk]
    assert ids("center=uralsk") == [critical.pk, acknowledged.pk]
    assert ids("center=syrym") == []
    assert ids("since=2999-01-01T00:00:00Z") == []


def test_bad_filters_name_the_field(operator_uralsk):
    response = client_for(operator_uralsk).get("/api/v1/alerts/?severity=9&since=yesterday")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"severity", "since"}


# The session, its user, the user's centers and districts (scope), the count, the page with its centers,
# districts and users joined: the same six queries for three alerts or twenty-three.
LIST_QUERIES = 6


def test_the_list_costs_a_fixed_number_of_queries_however_many_alerts(operator_uralsk, django_assert_num_queries):
    client = client_for(operator_uralsk)
    for _ in range(3):
        raise_in("uralsk")
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get("/api/v1/alerts/").json()["count"] == 3
    others = [UserFactory(role="operator", centers=["uralsk"]) for _ in range(4)]
    for number in range(20):
        alert = alert_acknowledge(alert=raise_in("terekti"), actor=others[number % 4])
        if number % 2:
            alert = alert_dispatch(alert=alert, actor=others[(number + 1) % 4], units=[make_unit(f"Беркут-{number}")])
        if number % 4 == 3:
            alert_resolve(alert=alert, actor=others[(number + 2) % 4], disposition="real")
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/api/v1/alerts/")
    assert response.json()["count"] == 23
    results = response.json()["results"]
    named = {row[step] for row in results for step in ("acknowledged_by", "dispatched_by", "resolved_by")}
    assert named == {None, *(user.username for user in others)}


# The session, its user, the scope, the alert, then its events with their actors, and the pre-plan of its
# kind (none here; tests/alarms/test_preplans.py pins an alarm's, with its object's part).
DETAIL_QUERIES = 7


def test_the_detail_costs_a_fixed_number_of_queries_however_long_its_timeline(
    operator_uralsk, django_assert_num_queries
):
    client = client_for(operator_uralsk)
    alert = raise_in("uralsk")
    with django_assert_num_queries(DETAIL_QUERIES):
        assert len(client.get(f"/api/v1/alerts/{alert.pk}/").json()["events"]) == 1
    for number in range(10):
        alert_comment(alert=alert, actor=UserFactory(role="operator", centers=["uralsk"]), text=f"note {number}")
    with django_assert_num_queries(DETAIL_QUERIES):
        events = client.get(f"/api/v1/alerts/{alert.pk}/").json()["events"]
    assert [event["action"] for event in events] == ["raised"] + ["commented"] * 10
    assert len({event["actor"] for event in events[1:]}) == 10


def test_the_lifecycle_through_the_api(operator_uralsk):
    alert = raise_in("uralsk", severity=1)
    client = csrf_client_for(operator_uralsk)
    base = f"/api/v1/alerts/{alert.pk}"

    assert client.post(f"{base}/acknowledge/").json()["acknowledged_by"] == operator_uralsk.username
    assert client.post(f"{base}/acknowledge/").status_code == 200  # the same person again: a retry
    patrol = make_unit("Patrol 7")
    assert client.post(f"{base}/dispatch/", {"units": [patrol.pk]}, format="json").json()["status"] == "dispatched"
    assert client.post(f"{base}/comment/", {"text": "Unit arrived"}, format="json").status_code == 201
    resolved = client.post(f"{base}/resolve/", {"disposition": "real", "note": "Detained"}, format="json")
    assert resolved.json()["status"] == "resolved"

    detail = client.get(f"{base}/").json()
    assert [e["action"] for e in detail["events"]] == [
        "raised",
        "acknowledged",
        "dispatched",
        "commented",
        "unit_cleared",
        "resolved",
    ]  # the unit is free again when the alert is resolved


def test_resolve_twice_is_a_conflict_with_a_code(operator_uralsk):
    alert = raise_in("uralsk")
    client = csrf_client_for(operator_uralsk)
    client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"disposition": "test"}, format="json")

    response = client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"disposition": "test"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "alert_moved_on"
    assert response.json()["current"]["status"] == "resolved"


def test_acknowledging_what_another_operator_holds_is_refused_with_who_and_when(operator_uralsk, supervisor_uralsk):
    # Given an alert Иванов Арман acknowledged
    operator_uralsk.first_name, operator_uralsk.last_name = "Арман", "Иванов"
    operator_uralsk.save()
    alert = alert_acknowledge(alert=raise_in("uralsk"), actor=operator_uralsk)

    # When another operator, whose screen still shows it new, acknowledges it
    response = csrf_client_for(supervisor_uralsk).post(f"/api/v1/alerts/{alert.pk}/acknowledge/")

    # Then it is refused with its state now and who holds it since when, and nothing is recorded
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "alert_moved_on"
    assert body["current"] == {
        "status": "acknowledged",
        "by": "op_uralsk",
        "by_name": "Иванов А.",
        "at": alert.acknowledged_at.isoformat(),
    }
    assert (body["alert"]["id"], body["alert"]["status"], body["alert"]["acknowledged_by"]) == (
        alert.pk, "acknowledged", "op_uralsk",
    )  # fmt: skip
    assert alert.events.filter(action="acknowledged").count() == 1


@pytest.mark.parametrize(
    "action, body", [("acknowledge", {}), ("dispatch", {"units": ["Patrol 7"]}), ("resolve", {"disposition": "real"})]
)
def test_acting_on_a_resolved_alert_is_refused_with_who_resolved_it(operator_uralsk, supervisor_uralsk, action, body):
    alert = raise_in("uralsk")
    if action == "dispatch":
        body = {"units": [make_unit(body["units"][0]).pk]}
    csrf_client_for(supervisor_uralsk).post(
        f"/api/v1/alerts/{alert.pk}/resolve/", {"disposition": "test"}, format="json"
    )

    response = csrf_client_for(operator_uralsk).post(f"/api/v1/alerts/{alert.pk}/{action}/", body, format="json")

    assert response.status_code == 409
    current = response.json()["current"]
    assert (current["status"], current["by"], current["by_name"]) == ("resolved", "sup_uralsk", "sup_uralsk")


def test_resolving_without_a_disposition_is_refused(operator_uralsk):
    alert = raise_in("uralsk")
    client = csrf_client_for(operator_uralsk)

    for body in ({}, {"disposition": ""}, {"note": "Closed"}):
        response = client.post(f"/api/v1/alerts/{alert.pk}/resolve/", body, format="json")
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["disposition"]
    alert.refresh_from_db()
    assert (alert.status, alert.disposition) == ("new", "")


def test_an_analyst_may_read_but_not_act():
    analyst = UserFactory(role="analyst", centers=["uralsk"])
    alert = raise_in("uralsk")
    client = csrf_client_for(analyst)
    assert client.get(f"/api/v1/alerts/{alert.pk}/").status_code == 200
    response = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert (response.status_code, response.json()["code"]) == (403, "not_allowed")


def test_posting_without_a_csrf_token_is_refused(operator_uralsk):
    alert = raise_in("uralsk")
    response = client_for(operator_uralsk).post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == "new"


def test_dispatch_without_a_unit_names_the_field(operator_uralsk):
    alert = raise_in("uralsk")
    response = csrf_client_for(operator_uralsk).post(f"/api/v1/alerts/{alert.pk}/dispatch/", {}, format="json")
    assert response.status_code == 400
    assert "units" in response.json()["errors"]


def test_the_schema_is_served(operator_uralsk):
    response = client_for(operator_uralsk).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/alerts/{alert_pk}/acknowledge/" in response.content
