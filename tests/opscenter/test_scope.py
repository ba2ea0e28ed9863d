"""Every selector filters by the actor's scope; no scope sees nothing; a superuser sees all."""

import pytest

from opscenter.selectors import alert_list, alerts_visible, centers_visible, districts_visible, live_groups_for
from opscenter.services.alerts import alert_raise
from tests.factories import UserFactory, center, district

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts():
    return {
        code: alert_raise(source="test", kind="test", severity=2, title=code, district=district(code))
        for code in ("uralsk", "terekti", "syrym", "burlin")
    }


def titles(user):
    return sorted(alerts_visible(user=user).values_list("title", flat=True))


def test_an_operator_sees_the_alerts_of_their_center(alerts, operator_uralsk, operator_syrym):
    assert titles(operator_uralsk) == ["terekti", "uralsk"]
    assert titles(operator_syrym) == ["syrym"]


def test_a_district_officer_sees_their_district_only(alerts, officer_terekti):
    assert titles(officer_terekti) == ["terekti"]


def test_a_user_with_no_scope_sees_nothing(alerts):
    for role in ("operator", "supervisor", "district_officer", "analyst"):
        user = UserFactory(role=role)
        assert titles(user) == []
        assert list(centers_visible(user=user)) == []
        assert list(districts_visible(user=user)) == []


def test_administrators_and_superusers_see_everything(alerts, administrator):
    superuser = UserFactory(role="operator", is_superuser=True)
    assert titles(administrator) == titles(superuser) == ["burlin", "syrym", "terekti", "uralsk"]


def test_an_inactive_user_sees_nothing(alerts):
    user = UserFactory(role="operator", centers=["uralsk"], is_active=False)
    assert titles(user) == []


def test_an_analyst_of_a_center_sees_its_alerts(alerts):
    analyst = UserFactory(role="analyst", centers=["burlin"])
    assert titles(analyst) == ["burlin"]


def test_filters_stay_inside_the_scope(alerts, operator_syrym):
    assert list(alert_list(user=operator_syrym, center="uralsk")) == []


def test_centers_and_districts_visible(officer_terekti, operator_syrym):
    assert [c.code for c in centers_visible(user=officer_terekti)] == ["uralsk"]
    assert [d.code for d in districts_visible(user=officer_terekti)] == ["terekti"]
    assert sorted(d.code for d in districts_visible(user=operator_syrym)) == ["karatobe", "syrym", "zhangala"]


def test_live_groups_match_the_scope(operator_syrym, officer_terekti, administrator):
    assert live_groups_for(user=operator_syrym) == [
        f"alerts.user.{operator_syrym.pk}",
        f"alerts.center.{center('syrym').pk}",
    ]
    assert live_groups_for(user=officer_terekti) == [
        f"alerts.user.{officer_terekti.pk}",
        f"alerts.district.{district('terekti').pk}",
    ]
    assert live_groups_for(user=administrator) == [f"alerts.user.{administrator.pk}", "alerts.all"]
