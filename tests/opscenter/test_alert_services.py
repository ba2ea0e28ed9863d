"""Raising with dedup, and the timed, attributed lifecycle."""

import threading

import pytest
from django.db import connection

from opscenter.errors import AlertMovedOn, InvalidTransition, NotAllowed
from opscenter.models import Alert, AlertEvent, AlertStatus, AuditEntry, District
from opscenter.services.alerts import (
    alert_acknowledge,
    alert_comment,
    alert_dispatch,
    alert_find_open,
    alert_raise,
    alert_resolve,
    alert_update_open,
)
from tests.factories import UserFactory, center, district, make_unit

pytestmark = pytest.mark.django_db


def raise_one(**overrides) -> Alert:
    fields = dict(source="alarms", kind="panic", severity=1, title="Panic: School No. 5")
    if "district" not in overrides and "center" not in overrides:
        fields["district"] = district("uralsk")
    return alert_raise(**{**fields, **overrides})


def test_raise_puts_the_alert_in_the_center_covering_the_district():
    alert = raise_one(district=district("terekti"), latitude=51.25, longitude=51.99, address="Fyodorovka")

    assert alert.center == center("uralsk")
    assert alert.status == AlertStatus.NEW
    assert (alert.latitude, alert.longitude, alert.address) == (51.25, 51.99, "Fyodorovka")
    assert list(alert.events.values_list("action", flat=True)) == ["raised"]
    assert AuditEntry.objects.filter(action="alert.raise", object_id=str(alert.pk), actor_label="alarms").exists()


def test_raise_needs_a_center_or_a_district():
    with pytest.raises(ValueError):
        alert_raise(source="x", kind="y", severity=2, title="z")


def test_raising_with_the_dedup_key_of_an_open_alert_updates_it():
    first = raise_one(dedup_key="panel:1234:panic", severity=2, payload={"zone": 1})

    second = raise_one(dedup_key="panel:1234:panic", severity=1, payload={"zone": 2}, title="Panic again")

    assert second.pk == first.pk
    assert Alert.objects.count() == 1
    second.refresh_from_db()
    assert (second.severity, second.repeat_count, second.payload, second.title) == (1, 1, {"zone": 2}, "Panic again")
    assert list(second.events.values_list("action", flat=True)) == ["raised", "repeated"]


def test_severity_never_drops_on_a_repeat():
    alert = raise_one(dedup_key="k", severity=1)
    raise_one(dedup_key="k", severity=3)
    alert.refresh_from_db()
    assert alert.severity == 1


def test_a_resolved_alert_does_not_absorb_a_new_raise(operator_uralsk):
    first = raise_one(dedup_key="panel:1:panic")
    alert_resolve(alert=first, actor=operator_uralsk, disposition="real")

    second = raise_one(dedup_key="panel:1:panic")

    assert second.pk != first.pk
    assert second.status == AlertStatus.NEW


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_repeats_raised_at_once_are_all_counted():
    raise_one(dedup_key="panel:7:panic")
    barrier = threading.Barrier(4)

    def repeat():
        try:
            barrier.wait()
            raise_one(dedup_key="panel:7:panic")
        finally:
            connection.close()

    threads = [threading.Thread(target=repeat) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    alert = Alert.objects.get()
    assert alert.repeat_count == 4
    assert alert.events.filter(action="repeated").count() == 4


# Raising is the hot path of every app: its cost is pinned. A new alert: the savepoint, the look-up of an open
# alert with the key, the alert, its first event, the audit entry. A repeat: the locked alert (with its center
# and district), the people it names when it names any (one query: publishing it then asks nothing more),
# its update and its event.
def test_raising_a_new_alert_costs_a_fixed_number_of_queries(django_assert_num_queries):
    where = District.objects.select_related("center").get(code="uralsk")
    with django_assert_num_queries(6):
        raise_one(district=where, dedup_key="panel:1:panic")
    with django_assert_num_queries(5):
        raise_one(district=where)  # no key, no look-up


@pytest.mark.parametrize("state", ["new", "acknowledged", "dispatched"])
def test_a_repeat_costs_a_fixed_number_of_queries(operator_uralsk, state, django_assert_num_queries):
    where = District.objects.select_related("center").get(code="uralsk")
    alert = raise_one(district=where, dedup_key="panel:1:panic")
    if state == "acknowledged":
        alert_acknowledge(alert=alert, actor=operator_uralsk)
    elif state == "dispatched":
        alert_dispatch(alert=alert, actor=operator_uralsk, units=[make_unit("Беркут-12")])
    with django_assert_num_queries(5 if state == "new" else 6):
        repeated = raise_one(district=where, dedup_key="panel:1:panic")
    assert (repeated.pk, repeated.repeat_count, repeated.status) == (alert.pk, 1, state)


def test_acknowledge_records_who_and_when(operator_uralsk):
    alert = raise_one()

    alert = alert_acknowledge(alert=alert, actor=operator_uralsk)

    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == operator_uralsk
    assert alert.acknowledged_at >= alert.raised_at
    assert AuditEntry.objects.filter(action="alert.acknowledge", actor=operator_uralsk).count() == 1


def test_acknowledging_what_another_holds_is_refused_and_keeps_the_first_acknowledgement(
    operator_uralsk, supervisor_uralsk
):
    alert = raise_one()
    first = alert_acknowledge(alert=alert, actor=operator_uralsk)

    with pytest.raises(AlertMovedOn) as refused:
        alert_acknowledge(alert=alert, actor=supervisor_uralsk)

    assert refused.value.current["by"] == operator_uralsk.username
    assert refused.value.current["at"] == first.acknowledged_at.isoformat()
    again = alert_acknowledge(alert=alert, actor=operator_uralsk)  # the holder's retry is harmless
    assert (again.acknowledged_by, again.acknowledged_at) == (operator_uralsk, first.acknowledged_at)
    assert alert.events.filter(action=AlertEvent.Action.ACKNOWLEDGED).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_operators_acknowledging_at_once_record_exactly_one(operator_uralsk, supervisor_uralsk):
    alert = raise_one()
    barrier = threading.Barrier(2)
    results = []

    def acknowledge(user):
        try:
            barrier.wait()
            results.append(alert_acknowledge(alert=Alert.objects.get(pk=alert.pk), actor=user).acknowledged_by_id)
        except AlertMovedOn as refused:
            results.append(refused.alert.acknowledged_by_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=acknowledge, args=(user,)) for user in (operator_uralsk, supervisor_uralsk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    alert.refresh_from_db()
    assert len(results) == 2
    assert set(results) == {alert.acknowledged_by_id}
    assert alert.events.filter(action="acknowledged").count() == 1
    assert AuditEntry.objects.filter(action="alert.acknowledge", object_id=str(alert.pk)).count() == 1


def test_dispatch_acknowledges_a_new_alert_and_names_the_unit(operator_uralsk):
    alert = raise_one()

    alert = alert_dispatch(alert=alert, actor=operator_uralsk, units=[make_unit("Patrol 12")])

    assert alert.status == AlertStatus.DISPATCHED
    assert alert.dispatch_unit == "Patrol 12"
    assert alert.acknowledged_by == alert.dispatched_by == operator_uralsk


def test_dispatch_needs_a_unit(operator_uralsk):
    with pytest.raises(InvalidTransition):
        alert_dispatch(alert=raise_one(), actor=operator_uralsk, units=[])


def test_resolve_with_a_disposition_closes_the_alert(operator_uralsk):
    alert = alert_dispatch(alert=raise_one(), actor=operator_uralsk, units=[make_unit("Patrol 12")])

    alert = alert_resolve(alert=alert, actor=operator_uralsk, disposition="false_alarm", note="Child pressed it")

    assert (alert.status, alert.disposition, alert.resolved_by) == ("resolved", "false_alarm", operator_uralsk)
    assert alert.events.get(action="resolved").text == "Child pressed it"


@pytest.mark.parametrize("disposition", ["", "maybe"])
def test_resolve_refuses_an_unknown_disposition(operator_uralsk, disposition):
    alert = raise_one()
    with pytest.raises(InvalidTransition):
        alert_resolve(alert=alert, actor=operator_uralsk, disposition=disposition)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW


def test_a_resolved_alert_cannot_be_dispatched_or_resolved_again(operator_uralsk):
    alert = alert_resolve(alert=raise_one(), actor=operator_uralsk, disposition="test")
    with pytest.raises(InvalidTransition):
        alert_dispatch(alert=alert, actor=operator_uralsk, units=[make_unit("P1")])
    with pytest.raises(InvalidTransition):
        alert_resolve(alert=alert, actor=operator_uralsk, disposition="real")


def test_the_system_may_resolve_without_a_person():
    alert = alert_resolve(alert=raise_one(), actor=None, disposition="real", note="Panel restored")
    assert alert.resolved_by is None
    assert AuditEntry.objects.get(action="alert.resolve").actor_label == "alarms"


@pytest.mark.parametrize("role", ["analyst", "district_officer"])
def test_only_operators_supervisors_and_administrators_act_on_alerts(role):
    user = UserFactory(role=role, centers=["uralsk"])
    alert = raise_one()
    with pytest.raises(NotAllowed):
        alert_acknowledge(alert=alert, actor=user)
    with pytest.raises(NotAllowed):
        alert_resolve(alert=alert, actor=user, disposition="real")


def test_comment_adds_to_the_timeline(officer_terekti):
    alert = raise_one(district=district("terekti"))

    event = alert_comment(alert=alert, actor=officer_terekti, text="On my way")

    assert (event.action, event.actor, event.text) == ("commented", officer_terekti, "On my way")


def test_an_empty_comment_is_refused(operator_uralsk):
    with pytest.raises(InvalidTransition):
        alert_comment(alert=raise_one(), actor=operator_uralsk, text="   ")


def test_update_open_merges_the_payload_and_records_the_change():
    alert = raise_one(dedup_key="panel:7:panic", payload={"zone": "001"})

    updated = alert_update_open(dedup_key="panel:7:panic", text="Panel restored", payload={"restored": True})

    assert updated.pk == alert.pk
    assert updated.payload == {"zone": "001", "restored": True}
    assert updated.events.get(action="updated").text == "Panel restored"


def test_update_open_raises_nothing_when_no_alert_is_open(operator_uralsk):
    alert_resolve(alert=raise_one(dedup_key="k"), actor=operator_uralsk, disposition="real")
    assert alert_update_open(dedup_key="k", text="restore") is None
    assert alert_find_open(dedup_key="k") is None
    assert Alert.objects.count() == 1
