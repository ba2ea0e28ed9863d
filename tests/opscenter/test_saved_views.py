"""Saved views of the console: a person's own, saved by name (again: replaced), listed and deleted; never
anyone else's; filters kept in the REST list's words, checked."""

import pytest
from rest_framework.test import APIClient

from opscenter.models import SavedView
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FILTERS = {"q": "школа", "severity": [2, 1], "source": ["alarms"], "district": ["terekti"]}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_view_is_saved_listed_and_replaced_by_its_name(operator_uralsk):
    client = client_for(operator_uralsk)
    created = client.post("/api/v1/views/", {"name": " P1 школ ", "filters": FILTERS}, format="json")
    assert created.status_code == 201
    assert created.json()["name"] == "P1 школ"
    assert created.json()["filters"] == {
        "q": "школа",
        "severity": [1, 2],
        "source": ["alarms"],
        "district": ["terekti"],
    }

    replaced = client.post("/api/v1/views/", {"name": "P1 школ", "filters": {"severity": [1]}}, format="json")
    assert replaced.status_code == 200
    assert replaced.json()["id"] == created.json()["id"]

    listed = client.get("/api/v1/views/").json()
    assert [(view["name"], view["filters"]) for view in listed] == [
        ("P1 школ", {"q": "", "severity": [1], "source": [], "district": []})
    ]


def test_only_the_owners_views_are_listed_and_deleted(operator_uralsk, operator_syrym, administrator):
    mine = SavedView.objects.create(user=operator_uralsk, name="mine", filters={})
    theirs = SavedView.objects.create(user=operator_syrym, name="theirs", filters={})

    assert [view["name"] for view in client_for(operator_uralsk).get("/api/v1/views/").json()] == ["mine"]
    assert client_for(administrator).get("/api/v1/views/").json() == []
    # someone else's view is not there, for an administrator neither
    assert client_for(operator_uralsk).delete(f"/api/v1/views/{theirs.pk}/").status_code == 404
    assert client_for(administrator).delete(f"/api/v1/views/{mine.pk}/").status_code == 404
    assert SavedView.objects.count() == 2

    assert client_for(operator_uralsk).delete(f"/api/v1/views/{mine.pk}/").status_code == 204
    assert list(SavedView.objects.values_list("name", flat=True)) == ["theirs"]


def test_two_people_may_use_the_same_name(operator_uralsk, operator_syrym):
    for user in (operator_uralsk, operator_syrym):
        assert (
            client_for(user).post("/api/v1/views/", {"name": "Ночь", "filters": {}}, format="json").status_code == 201
        )
    assert SavedView.objects.filter(name="Ночь").count() == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "", "filters": {}}, "name"),
        ({"name": "x" * 81, "filters": {}}, "name"),
        ({"name": "bad", "filters": {"severity": [7]}}, "filters"),
        ({"name": "bad", "filters": {"district": ["not a slug"]}}, "filters"),
        ({"name": "bad", "filters": {"q": "x" * 201}}, "filters"),
    ],
)
def test_bad_views_are_refused_with_the_field(operator_uralsk, body, field):
    response = client_for(operator_uralsk).post("/api/v1/views/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert SavedView.objects.count() == 0


def test_anonymous_has_no_views():
    assert APIClient().get("/api/v1/views/").status_code in (401, 403)


def test_listing_views_is_one_query(operator_uralsk, django_assert_num_queries):
    for index in range(5):
        SavedView.objects.create(user=operator_uralsk, name=f"view {index}", filters={})
    client = client_for(operator_uralsk)
    client.get("/api/v1/views/")  # the session and the user are read once per request, before the views
    UserFactory(username="someone")
    with django_assert_num_queries(3):  # session, user, views
        assert len(client.get("/api/v1/views/").json()) == 5
