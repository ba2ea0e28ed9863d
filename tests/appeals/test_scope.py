"""Scope: officers of one district see nothing of another's, in the selectors and in the pages."""

import pytest

from appeals.models import Appeal
from appeals.selectors import appeal_summary, appeals_visible
from tests.appeals.conftest import NOWHERE, TEREKTI_POINT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SYRYM_POINT = {"latitude": 50.25, "longitude": 52.6, "address": ""}


@pytest.fixture
def appeals(file_appeal):
    return {
        "uralsk": file_appeal(),
        "terekti": file_appeal(**TEREKTI_POINT),
        "syrym": file_appeal(**SYRYM_POINT),
        "manual": file_appeal(**NOWHERE),
    }


def visible(user) -> set[int]:
    return set(appeals_visible(user=user).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "user_fixture, expected",
    [
        ("officer_terekti", {"terekti"}),
        ("operator_syrym", {"syrym"}),
        # Terekti is watched from the Uralsk center; appeals waiting for manual routing wait there too
        ("supervisor_uralsk", {"uralsk", "terekti", "manual"}),
        ("administrator", {"uralsk", "terekti", "syrym", "manual"}),
    ],
)
def test_each_user_sees_exactly_their_scope(request, appeals, user_fixture, expected):
    user = request.getfixturevalue(user_fixture)
    assert visible(user) == {appeals[name].pk for name in expected}


def test_a_user_without_scope_or_inactive_sees_nothing(appeals, officer_terekti):
    assert visible(UserFactory(username="nobody", role="district_officer")) == set()
    officer_terekti.is_active = False
    officer_terekti.save()
    assert visible(officer_terekti) == set()


def test_another_districts_appeal_page_is_404_like_a_missing_one(client, appeals, officer_terekti):
    client.force_login(officer_terekti)
    theirs = client.get(f"/appeals/{appeals['uralsk'].pk}/")
    missing = client.get("/appeals/999999/")
    assert theirs.status_code == missing.status_code == 404
    assert client.get(f"/appeals/{appeals['terekti'].pk}/").status_code == 200
    for action in ("start", "answer", "comment"):
        assert client.post(f"/appeals/{appeals['uralsk'].pk}/act/{action}/", {"text": "x"}).status_code == 404
    assert client.post(f"/appeals/{appeals['uralsk'].pk}/applicant/", {"reason": "curious"}).status_code == 404
    assert Appeal.objects.get(pk=appeals["uralsk"].pk).status == "registered"


def test_the_list_shows_only_the_districts_appeals(client, appeals, officer_terekti):
    client.force_login(officer_terekti)
    page = client.get("/appeals/").content.decode()
    assert appeals["terekti"].registration_number in page
    for name in ("uralsk", "syrym", "manual"):
        assert appeals[name].registration_number not in page


def test_the_summary_counts_only_the_scope(appeals, operator_syrym):
    rows = {row.code: row for row in appeal_summary(user=operator_syrym)}
    assert set(rows) == {"syrym", "zhangala", "karatobe"}
    assert rows["syrym"].total == 1
