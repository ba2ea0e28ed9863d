"""`alarms_add_panel` registers a panel and prints it as JSON."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alarms.models import AlarmPanel, ProtectedObject

pytestmark = pytest.mark.django_db


def add_panel(*args) -> dict:
    out = StringIO()
    call_command("alarms_add_panel", *args, stdout=out)
    return json.loads(out.getvalue())


def test_add_a_panel_with_a_key():
    printed = add_panel(
        "--account", "1234", "--object-name", "School No. 5", "--object-kind", "school", "--district", "uralsk",
        "--lat", "51.23", "--lon", "51.37", "--key", "0123456789ABCDEF0123456789ABCDEF", "--supervision-seconds", "120",
    )  # fmt: skip
    assert printed["account"] == "1234"
    assert printed["encrypted"] is True
    assert printed["supervision_seconds"] == 120
    assert printed["object"] == {
        "id": printed["object"]["id"], "name": "School No. 5", "kind": "school", "district": "uralsk",
        "center": "uralsk", "latitude": 51.23, "longitude": 51.37,
    }  # fmt: skip
    assert "0123456789ABCDEF" not in json.dumps(printed)
    assert AlarmPanel.objects.get().aes_key == "0123456789ABCDEF0123456789ABCDEF"


@pytest.mark.parametrize(("args", "message"), [
    (["--account", "12", "--district", "uralsk"], "account"),
    (["--account", "XYZ1", "--district", "uralsk"], "account"),
    (["--account", "1234", "--district", "nowhere"], "Unknown district"),
    (["--account", "1234", "--district", "uralsk", "--key", "ABC"], "aes_key"),
])  # fmt: skip
def test_bad_input_is_refused_and_stores_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        add_panel(*args, "--object-name", "X", "--object-kind", "school")
    assert AlarmPanel.objects.count() == ProtectedObject.objects.count() == 0


def test_a_second_panel_with_the_same_account_is_refused():
    add_panel("--account", "1234", "--object-name", "A", "--object-kind", "school", "--district", "uralsk")
    with pytest.raises(CommandError, match="account"):
        add_panel("--account", "1234", "--object-name", "B", "--object-kind", "school", "--district", "uralsk")


def test_the_demo_simulator_sends_real_frames_through_the_receiver_path():
    import random

    from alarms.models import ReceivedFrame
    from alarms.simulator import DEMO_PANELS, simulate_panels
    from opscenter.demo import registered_simulators

    assert simulate_panels in registered_simulators()
    simulate_panels(random.Random(1))
    assert AlarmPanel.objects.filter(account__startswith="D").count() == len(DEMO_PANELS)
    assert ReceivedFrame.objects.filter(response="ack").count() >= len(DEMO_PANELS)
    assert not ReceivedFrame.objects.exclude(response="ack").exists()


def test_the_demo_objects_get_duty_phones_named_people_and_instructions_once():
    import random

    from alarms import simulator
    from alarms.models import ObjectContact, ObjectInstruction
    from opscenter.demo import ensure_demo_preplans
    from opscenter.models import PrePlan

    ensure_demo_preplans()
    simulator._plans_ready.clear()
    simulator.simulate_panels(random.Random(1))
    simulator._plans_ready.clear()
    simulator.ensure_demo_panels()

    assert ObjectContact.objects.filter(kind="duty").count() == len(simulator.DEMO_OBJECT_PLANS)
    assert ObjectContact.objects.filter(kind="person").count() == len(simulator.DEMO_OBJECT_PLANS)
    assert set(ObjectInstruction.objects.values_list("alert_kind", flat=True)) == {"panic"}
    assert {"panic", "duress", "holdup", "panel_silent"} <= set(
        PrePlan.objects.filter(source="alarms").values_list("kind", flat=True)
    )
    assert all(plan.instructions_kk for plan in PrePlan.objects.all())
    assert ensure_demo_preplans() == 0
