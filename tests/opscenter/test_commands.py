"""The management commands (raise_test_alert, demo_setup) and the demo's simulated traffic."""

import asyncio
import getpass
import io
import json
import random
from datetime import timedelta

import pytest
from channels.layers import channel_layers, get_channel_layer
from django.core.management import CommandError, call_command
from django.utils import timezone

from opscenter import demo
from opscenter.management.commands import demo as demo_command
from opscenter.models import OPEN_STATUSES, Alert, AlertStatus, AuditEntry, Disposition, Role, Severity, User
from opscenter.services.live import ALL_ALERTS_GROUP
from tests.factories import UserFactory, center

DEMO_USERNAMES = sorted(user.username for user in demo.DEMO_USERS)


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- raise_test_alert ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_raise_test_alert_raises_a_p4_test_alert_in_the_center_and_prints_its_id():
    printed = json.loads(run("raise_test_alert", "--center", "syrym"))

    alert = Alert.objects.get(pk=printed["id"])
    assert printed["center"] == "syrym"
    assert (alert.center, alert.source, alert.kind, alert.severity) == (
        center("syrym"),
        "opscenter",
        "test",
        Severity.P4,
    )
    assert alert.status == AlertStatus.NEW
    assert getpass.getuser() in alert.title
    assert list(alert.events.values_list("action", flat=True)) == ["raised"]


@pytest.mark.django_db
def test_raise_test_alert_is_audited_with_who_raised_it():
    supervisor = UserFactory(username="shift_lead", role=Role.SUPERVISOR, centers=["uralsk"])

    printed = json.loads(run("raise_test_alert", "--center", "uralsk", "--user", "shift_lead"))

    alert = Alert.objects.get(pk=printed["id"])
    assert "shift_lead" in alert.title
    entry = AuditEntry.objects.get(action="alert.raise_test", object_id=str(alert.pk))
    assert (entry.actor, entry.data) == (supervisor, {"center": "uralsk", "by": "shift_lead"})
    assert AuditEntry.objects.filter(action="alert.raise", object_id=str(alert.pk), actor=supervisor).exists()


@pytest.mark.django_db
def test_raise_test_alert_refuses_an_unknown_center_and_names_the_valid_ones():
    with pytest.raises(CommandError) as error:
        run("raise_test_alert", "--center", "atyrau")

    assert "'atyrau'" in str(error.value)
    assert "bayterek, burlin, syrym, uralsk" in str(error.value)
    assert Alert.objects.count() == 0


# --- demo_setup ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_setup_creates_the_demo_users_once_with_their_known_passwords():
    first = run("demo_setup")
    User.objects.filter(username="operator1").update(is_active=False)
    operator = User.objects.get(username="operator1")
    operator.set_password("someone-changed-it")
    operator.save()

    second = run("demo_setup")

    assert sorted(User.objects.values_list("username", flat=True)) == DEMO_USERNAMES
    for demo_user in demo.DEMO_USERS:
        user = User.objects.get(username=demo_user.username)
        assert user.check_password(demo_user.password), demo_user.username
        assert user.is_active
        assert user.role == demo_user.role
        assert sorted(user.centers.values_list("code", flat=True)) == sorted(demo_user.centers)
        assert sorted(user.districts.values_list("code", flat=True)) == sorted(demo_user.districts)
        assert demo_user.password in first and demo_user.password in second
    admin = User.objects.get(username="admin")
    assert (admin.is_superuser, admin.is_staff, admin.is_administrator) == (True, True, True)
    assert "(8 created, 0 already there)" in first
    assert "(0 created, 8 already there)" in second
    assert AuditEntry.objects.filter(action="user.create").count() == 8


@pytest.mark.django_db
def test_demo_roles_and_scopes():
    run("demo_setup")

    scopes = {
        user.username: (user.role, sorted(user.centers.values_list("code", flat=True)))
        for user in User.objects.filter(username__in=["operator1", "operator2", "supervisor", "syrym"])
    }
    assert scopes == {
        "operator1": (Role.OPERATOR, ["uralsk"]),
        "operator2": (Role.OPERATOR, ["uralsk"]),
        "supervisor": (Role.SUPERVISOR, ["uralsk"]),
        "syrym": (Role.OPERATOR, ["syrym"]),
    }
    assert list(User.objects.get(username="terekti").districts.values_list("code", flat=True)) == ["terekti"]
    assert User.objects.get(username="terekti").role == Role.DISTRICT_OFFICER
    assert User.objects.get(username="analyst").role == Role.ANALYST
    patrol = User.objects.get(username="patrol")
    assert (patrol.role, patrol.centers.count(), patrol.districts.count()) == (Role.PATROL, 0, 0)


@pytest.mark.django_db
def test_demo_setup_gives_each_center_units_on_duty_with_a_position_and_the_patrol_its_tablet():
    first = run("demo_setup")
    run("demo_setup")

    from opscenter.models import Unit

    units = Unit.objects.select_related("center")
    assert units.count() == len(demo.DEMO_UNITS)  # once, however often it runs
    assert {unit.center.code for unit in units} == {"uralsk", "burlin", "bayterek", "syrym"}
    assert all(unit.status == "available" and unit.has_position and unit.credential_id for unit in units)
    crews = {
        unit.call_sign: sorted(unit.crew.values_list("username", flat=True)) for unit in units if unit.crew.exists()
    }
    assert crews == {"Беркут-1": ["patrol"], "Теректі-1": ["terekti"]}
    assert "tablet of Беркут-1" in first


@pytest.mark.django_db
def test_the_simulated_trackers_drive_a_unit_en_route_towards_its_alert():
    from opscenter.geo import great_circle_m
    from opscenter.models import Unit
    from opscenter.services.alerts import alert_dispatch, alert_raise
    from tests.factories import district

    run("demo_setup")
    operator = User.objects.get(username="operator1")
    unit = Unit.objects.get(call_sign="Беркут-2")
    alert = alert_raise(
        source="test", kind="panic", severity=1, title="Panic", district=district("uralsk"),
        latitude=unit.latitude + 0.05, longitude=unit.longitude,
    )  # fmt: skip
    alert_dispatch(alert=alert, actor=operator, units=[unit])
    before = great_circle_m(alert.latitude, alert.longitude, unit.latitude, unit.longitude)

    assert demo.simulate_units(random.Random(3)) == len(demo.DEMO_UNITS)

    unit.refresh_from_db()
    after = great_circle_m(alert.latitude, alert.longitude, unit.latitude, unit.longitude)
    assert after == pytest.approx(before * 0.8, rel=0.01)


# --- The simulator ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_simulated_alert_is_raised_through_the_service_near_its_district_seat():
    alert = demo.simulate_alert(random.Random(7))

    assert alert.source == demo.SOURCE
    assert alert.district is not None
    assert alert.center == alert.district.center
    assert abs(alert.latitude - alert.district.seat_latitude) < 1
    assert abs(alert.longitude - alert.district.seat_longitude) < 1.5
    assert alert.address
    assert list(alert.events.values_list("action", flat=True)) == ["raised"]
    assert AuditEntry.objects.filter(action="alert.raise", object_id=str(alert.pk), actor_label="demo").exists()


@pytest.mark.django_db
def test_simulate_step_raises_alerts_across_centers_through_the_services():
    rng = random.Random(2024)

    raised = [alert for _round in range(40) for alert in demo.simulate_step(rng)]

    assert 10 <= len(raised) <= 80
    assert Alert.objects.filter(source=demo.SOURCE).count() == len({alert.pk for alert in raised})
    assert len({alert.center_id for alert in raised}) >= 2
    assert {alert.severity for alert in raised} <= {1, 2, 3, 4}
    assert AuditEntry.objects.filter(action="alert.raise", actor_label="demo").count() == Alert.objects.count()


@pytest.mark.django_db
def test_simulate_step_closes_stale_simulated_alerts_as_tests_and_leaves_others_alone():
    rng = random.Random(3)
    simulated = demo.simulate_alert(rng)
    real = Alert.objects.create(
        source="alarms", kind="panic", severity=1, title="Real", center=center("uralsk"),
        raised_at=timezone.now() - timedelta(hours=1), updated_at=timezone.now(),
    )  # fmt: skip

    demo.simulate_step(rng, now=timezone.now() + demo.RESOLVE_AFTER + timedelta(seconds=1))

    simulated.refresh_from_db()
    real.refresh_from_db()
    assert (simulated.status, simulated.disposition) == (AlertStatus.RESOLVED, Disposition.TEST)
    assert simulated.resolved_by is None
    assert real.status == AlertStatus.NEW


@pytest.mark.django_db
def test_the_simulator_keeps_the_open_list_bounded():
    rng = random.Random(5)
    for _index in range(demo.MAX_OPEN + 5):
        demo.simulate_alert(rng)

    demo.resolve_stale()

    assert Alert.objects.filter(source=demo.SOURCE, status__in=OPEN_STATUSES).count() == demo.MAX_OPEN


def test_register_simulator_adds_each_callable_once_and_one_failure_spares_the_others(monkeypatch):
    monkeypatch.setattr(demo, "_simulators", [])
    calls = []

    def broken(rng):
        raise RuntimeError("boom")

    def counting(rng):
        calls.append(rng)

    demo.register_simulator(broken)
    demo.register_simulator(counting)
    demo.register_simulator(counting)
    rng = random.Random(1)
    demo.run_simulators(rng)

    assert demo.registered_simulators() == [broken, counting]
    assert calls == [rng]


def test_the_spine_registers_its_own_simulator():
    assert demo.simulate_step in demo.registered_simulators()


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield get_channel_layer()
    channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_the_demo_loops_publish_on_the_running_event_loop(in_memory_layer):
    """The demo calls services through sync_to_async so their after-commit publishes reach the in-memory
    layer that the websocket consumers on the same loop listen to."""
    channel = await in_memory_layer.new_channel()
    await in_memory_layer.group_add(ALL_ALERTS_GROUP, channel)

    alert = await demo_command._call(lambda: demo.simulate_alert(random.Random(11)))

    message = await asyncio.wait_for(in_memory_layer.receive(channel), timeout=5)
    assert (message["type"], message["alert"]["id"]) == ("alert.changed", alert.pk)
