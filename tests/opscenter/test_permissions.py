"""The one vocabulary of capabilities: who may do what, by role, and its uses in pages and services."""

import pytest

from opscenter.errors import NotAllowed
from opscenter.models import Role
from opscenter.permissions import GRANTS, Capability, capabilities_of, has, holders, require
from opscenter.services.alerts import alert_comment, alert_raise
from tests.factories import UserFactory

C = Capability


@pytest.mark.parametrize(
    ("role", "capability", "allowed"),
    [
        (Role.OPERATOR, C.ALERT_ACT, True),
        (Role.SUPERVISOR, C.ALERT_ACT, True),
        (Role.DISTRICT_OFFICER, C.ALERT_ACT, False),
        (Role.ANALYST, C.ALERT_ACT, False),
        (Role.ANALYST, C.ALERT_COMMENT, False),
        (Role.DISTRICT_OFFICER, C.ALERT_COMMENT, True),
        (Role.OPERATOR, C.REPORTS_VIEW, False),
        (Role.SUPERVISOR, C.REPORTS_VIEW, True),
        (Role.ANALYST, C.REPORTS_VIEW, True),
        (Role.OPERATOR, C.APPEAL_WORK, False),
        (Role.DISTRICT_OFFICER, C.APPEAL_WORK, True),
        (Role.DISTRICT_OFFICER, C.APPEAL_SUPERVISE, False),
        (Role.SUPERVISOR, C.APPEAL_SUPERVISE, True),
        (Role.DISTRICT_OFFICER, C.COVERT_VIEW, False),
        (Role.OPERATOR, C.COVERT_VIEW, False),
        (Role.ADMINISTRATOR, C.ALERT_ACT, True),
        (Role.ADMINISTRATOR, C.OWN_CASELOAD_DEFAULT, False),
        (Role.SUPERVISOR, C.WALLBOARD_VIEW, True),
        (Role.ADMINISTRATOR, C.WALLBOARD_VIEW, True),
        (Role.OPERATOR, C.WALLBOARD_VIEW, False),
        (Role.ANALYST, C.WALLBOARD_VIEW, False),
        (Role.OPERATOR, C.SHIFT_LOG_KEEP, True),
        (Role.SUPERVISOR, C.SHIFT_LOG_KEEP, True),
        (Role.DISTRICT_OFFICER, C.SHIFT_LOG_KEEP, False),
        (Role.ANALYST, C.SHIFT_LOG_KEEP, False),
    ],
)
def test_a_role_is_granted_exactly_its_capabilities(db, role, capability, allowed):
    user = UserFactory(role=role)
    assert has(user, capability) is allowed


def test_an_inactive_user_can_do_nothing_and_a_superuser_what_an_administrator_can(db):
    inactive = UserFactory(role=Role.SUPERVISOR, is_active=False)
    superuser = UserFactory(role=Role.OPERATOR, is_superuser=True)
    assert capabilities_of(inactive) == frozenset()
    assert capabilities_of(superuser) == GRANTS[Role.ADMINISTRATOR]


def test_holders_names_the_working_roles_never_the_administrator():
    assert set(holders(C.APPEAL_WORK)) == {Role.DISTRICT_OFFICER, Role.SUPERVISOR}
    assert holders(C.ALERT_ESCALATION_RECEIVE) == [Role.SUPERVISOR]


def test_a_service_refuses_an_actor_without_the_capability(db):
    analyst = UserFactory(role=Role.ANALYST, centers=["uralsk"])
    alert = alert_raise(source="test", kind="test", severity=3, title="t", center=None, district=_uralsk())
    with pytest.raises(NotAllowed):
        alert_comment(alert=alert, actor=analyst, text="seen")
    with pytest.raises(NotAllowed):
        require(analyst, C.ALERT_ACT)


def test_pages_show_links_by_capability(client, db):
    analyst = UserFactory(role=Role.ANALYST, centers=["uralsk"])
    operator = UserFactory(role=Role.OPERATOR, centers=["uralsk"])
    client.force_login(analyst)
    assert "/alarms/report/" in client.get("/").content.decode()
    client.force_login(operator)
    assert "/alarms/report/" not in client.get("/").content.decode()


def _uralsk():
    from tests.factories import district

    return district("uralsk")
