"""Incidents: several alerts of one center linked and worked as one; each alert keeps its own history."""

import pytest

from opscenter.errors import InvalidTransition, NotAllowed
from opscenter.models import Alert, AlertEvent, AlertStatus, AuditEntry, Incident, IncidentStatus
from opscenter.serializers import AlertEventSerializer
from opscenter.services.alerts import alert_acknowledge, alert_raise, alert_resolve
from opscenter.services.incidents import (
    IncidentClosed,
    incident_acknowledge,
    incident_create,
    incident_link,
    incident_resolve,
    incident_unlink,
)
from tests.factories import UserFactory, district

pytestmark = pytest.mark.django_db


def panic(code: str = "uralsk", title: str = "Panic: School No. 5", severity: int = 1) -> Alert:
    return alert_raise(source="alarms", kind="panic", severity=severity, title=title, district=district(code))


def shown(event: AlertEvent) -> str:
    """The timeline's text as the reader sees it (English in the tests; stored in Russian)."""
    return AlertEventSerializer(event).data["text"]


def actions(alert: Alert) -> list[str]:
    return list(AlertEvent.objects.filter(alert=alert).order_by("at", "pk").values_list("action", flat=True))


def test_three_panic_buttons_at_one_school_become_one_incident(operator_uralsk):
    first, second, third = panic(severity=2), panic(title="Panic: School No. 5, hall"), panic()

    incident = incident_create(actor=operator_uralsk, alerts=[first, second, third])

    assert incident.center.code == "uralsk"
    assert incident.status == IncidentStatus.OPEN
    assert incident.title == ""  # the console names it by its first alert, in the reader's language
    assert set(Alert.objects.filter(incident=incident).values_list("pk", flat=True)) == {first.pk, second.pk, third.pk}
    event = AlertEvent.objects.get(alert=first, action="linked")
    assert (event.actor, event.data["incident"], shown(event)) == (
        operator_uralsk,
        incident.pk,
        f"Linked to incident #{incident.pk}.",
    )
    assert event.text == f"Привязана к инциденту №{incident.pk}."  # stored in the default language
    entry = AuditEntry.objects.get(action="incident.create")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        operator_uralsk,
        "opscenter.incident",
        str(incident.pk),
    )
    assert sorted(entry.data["alerts"]) == sorted([first.pk, second.pk, third.pk])


def test_a_title_given_is_kept(operator_uralsk):
    incident = incident_create(actor=operator_uralsk, alerts=[panic()], title="  School No. 5: three buttons  ")

    assert incident.title == "School No. 5: three buttons"


def test_alerts_are_linked_to_an_open_incident_and_linking_again_changes_nothing(operator_uralsk):
    first, second = panic(), panic()
    incident = incident_create(actor=operator_uralsk, alerts=[first])

    incident_link(incident=incident, actor=operator_uralsk, alerts=[first, second])
    incident_link(incident=incident, actor=operator_uralsk, alerts=[second])

    assert Alert.objects.get(pk=second.pk).incident_id == incident.pk
    assert actions(first) == ["raised", "linked"]
    assert actions(second) == ["raised", "linked"]
    assert AuditEntry.objects.get(action="incident.link").data == {"alerts": [second.pk]}


def test_an_alert_linked_by_mistake_is_unlinked_and_worked_on_its_own(operator_uralsk):
    first, second = panic(), panic()
    incident = incident_create(actor=operator_uralsk, alerts=[first, second])

    incident_unlink(incident=incident, actor=operator_uralsk, alert=second)
    incident_resolve(incident=incident, actor=operator_uralsk, disposition="false_alarm")

    second = Alert.objects.get(pk=second.pk)
    assert (second.incident_id, second.status) == (None, AlertStatus.NEW)
    assert actions(second) == ["raised", "linked", "unlinked"]
    assert shown(AlertEvent.objects.get(alert=second, action="unlinked")) == f"Unlinked from incident #{incident.pk}."
    with pytest.raises(InvalidTransition) as refused:
        incident_unlink(incident=Incident.objects.create(center=first.center, title="x", created_at=first.raised_at,
                                                         updated_at=first.raised_at), actor=operator_uralsk, alert=second)  # fmt: skip
    assert refused.value.code == "alert_not_in_incident"


def test_resolving_the_incident_resolves_each_open_alert_with_one_disposition(operator_uralsk, supervisor_uralsk):
    first, second, third = panic(), panic(), panic()
    alert_acknowledge(alert=second, actor=supervisor_uralsk)  # someone already holds one
    incident = incident_create(actor=operator_uralsk, alerts=[first, second, third])

    incident = incident_resolve(
        incident=incident, actor=operator_uralsk, disposition="false_alarm", note="A pupil pressed."
    )

    assert (incident.status, incident.disposition, incident.resolved_by) == ("resolved", "false_alarm", operator_uralsk)
    alerts = Alert.objects.filter(incident=incident).order_by("pk")
    assert [(a.status, a.disposition, a.resolved_by) for a in alerts] == [
        ("resolved", "false_alarm", operator_uralsk)
    ] * 3
    assert Alert.objects.get(pk=second.pk).acknowledged_by == supervisor_uralsk  # each keeps its own history
    resolved = AlertEvent.objects.get(alert=first, action="resolved")
    assert shown(resolved) == f"Resolved with incident #{incident.pk}. A pupil pressed."
    assert resolved.data["disposition"] == "false_alarm"
    assert actions(first) == ["raised", "linked", "resolved"]
    assert actions(second) == ["raised", "acknowledged", "linked", "resolved"]
    assert AuditEntry.objects.filter(action="alert.resolve").count() == 3
    entry = AuditEntry.objects.get(action="incident.resolve")
    assert entry.data == {
        "disposition": "false_alarm",
        "note": "A pupil pressed.",
        "alerts": [first.pk, second.pk, third.pk],
    }


def test_an_alert_resolved_on_its_own_keeps_its_disposition_when_the_incident_is_resolved(operator_uralsk):
    first, second = panic(), panic()
    incident = incident_create(actor=operator_uralsk, alerts=[first, second])
    alert_resolve(alert=first, actor=operator_uralsk, disposition="technical")

    incident_resolve(incident=incident, actor=operator_uralsk, disposition="real")

    assert Alert.objects.get(pk=first.pk).disposition == "technical"
    assert Alert.objects.get(pk=second.pk).disposition == "real"


def test_acknowledging_the_incident_acknowledges_its_new_alerts_and_leaves_others_theirs(
    operator_uralsk, supervisor_uralsk
):
    first, second = panic(), panic()
    alert_acknowledge(alert=second, actor=supervisor_uralsk)
    incident = incident_create(actor=supervisor_uralsk, alerts=[first, second])

    incident = incident_acknowledge(incident=incident, actor=operator_uralsk)
    again = incident_acknowledge(incident=incident, actor=operator_uralsk)

    assert (incident.status, incident.acknowledged_by) == (IncidentStatus.ACKNOWLEDGED, operator_uralsk)
    assert again.acknowledged_at == incident.acknowledged_at
    assert Alert.objects.get(pk=first.pk).acknowledged_by == operator_uralsk
    assert Alert.objects.get(pk=second.pk).acknowledged_by == supervisor_uralsk
    assert AuditEntry.objects.filter(action="incident.acknowledge").count() == 1


def test_a_resolved_incident_takes_no_more_alerts_and_is_not_resolved_twice(operator_uralsk):
    incident = incident_create(actor=operator_uralsk, alerts=[panic()])
    incident_resolve(incident=incident, actor=operator_uralsk, disposition="test")

    for attempt in (
        lambda: incident_link(incident=incident, actor=operator_uralsk, alerts=[panic()]),
        lambda: incident_resolve(incident=incident, actor=operator_uralsk, disposition="real"),
        lambda: incident_acknowledge(incident=incident, actor=operator_uralsk),
    ):
        with pytest.raises(IncidentClosed) as refused:
            attempt()
        assert (refused.value.code, refused.value.status_code) == ("incident_closed", 409)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: [panic("uralsk"), panic("syrym")], "several_centers"),
        (lambda: [panic(), _resolved(panic())], "alert_closed"),
        (lambda: [panic(), _in_incident(panic())], "alert_in_other_incident"),
        (lambda: [], "no_alerts"),
    ],
    ids=["two centers", "a resolved alert", "an alert of another incident", "no alert"],
)
def test_alerts_that_cannot_be_worked_as_one_are_refused_and_nothing_changes(administrator, make, code):
    alerts = make()

    with pytest.raises(InvalidTransition) as refused:
        incident_create(actor=administrator, alerts=alerts)

    assert refused.value.code == code
    assert Incident.objects.exclude(title="other").count() == 0
    assert not AlertEvent.objects.filter(action="linked").exclude(alert__incident__title="other").exists()


def _resolved(alert: Alert) -> Alert:
    return alert_resolve(alert=alert, actor=None, disposition="test")


def _in_incident(alert: Alert) -> Alert:
    other = UserFactory(role="administrator")
    incident_create(actor=other, alerts=[alert], title="other")
    return alert


def test_an_operator_cannot_link_an_alert_of_a_center_outside_their_scope(operator_uralsk, operator_syrym):
    ours, theirs = panic("uralsk"), panic("syrym")
    incident = incident_create(actor=operator_uralsk, alerts=[ours])

    with pytest.raises(Alert.DoesNotExist):
        incident_create(actor=operator_uralsk, alerts=[ours, theirs])
    with pytest.raises(Alert.DoesNotExist):
        incident_link(incident=incident, actor=operator_uralsk, alerts=[theirs])
    with pytest.raises(Incident.DoesNotExist):
        incident_link(incident=incident, actor=operator_syrym, alerts=[theirs])
    with pytest.raises(Incident.DoesNotExist):
        incident_resolve(incident=incident, actor=operator_syrym, disposition="real")

    assert Alert.objects.get(pk=theirs.pk).incident_id is None
    assert Alert.objects.get(pk=ours.pk).status == AlertStatus.NEW


def test_a_district_officer_may_neither_link_nor_work_an_incident(officer_terekti, operator_uralsk):
    alert = panic("terekti")
    incident = incident_create(actor=operator_uralsk, alerts=[alert])

    with pytest.raises(NotAllowed):
        incident_create(actor=officer_terekti, alerts=[panic("terekti")])
    with pytest.raises(NotAllowed):
        incident_unlink(incident=incident, actor=officer_terekti, alert=alert)
    with pytest.raises(NotAllowed):
        incident_resolve(incident=incident, actor=officer_terekti, disposition="real")


def test_an_unknown_disposition_is_refused(operator_uralsk):
    incident = incident_create(actor=operator_uralsk, alerts=[panic()])

    with pytest.raises(InvalidTransition) as refused:
        incident_resolve(incident=incident, actor=operator_uralsk, disposition="maybe")

    assert refused.value.code == "invalid_disposition"
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.OPEN
