"""alert_relocate moves an alert to another center: after commit it appears on the new center's screens
and goes from the old one's (`alert.removed`), a screen that sees both keeps it; nothing on rollback."""

import pytest
from channels.db import database_sync_to_async as sync_to_async
from django.db import transaction

from opscenter.models import AlertEvent, AuditEntry
from opscenter.services import live
from opscenter.services.alerts import alert_raise, alert_relocate
from tests.factories import UserFactory, center, district
from tests.opscenter.test_alert_feed import _close_the_sync_threads_connection, channel_layer, connect  # noqa: F401


def raise_in(code):
    return alert_raise(source="test", kind="test", severity=2, title=code, district=district(code))


@pytest.mark.django_db
def test_the_alert_moves_with_its_timeline_and_audit_and_publishes_after_commit(monkeypatch, operator_uralsk):
    sent = []
    monkeypatch.setattr(live, "_send", lambda groups, message: sent.append((groups, message["type"])))
    alert = raise_in("uralsk")
    sent.clear()

    with transaction.atomic():
        moved = alert_relocate(alert=alert, center=center("syrym"), district=district("syrym"), actor=operator_uralsk)
        assert sent == []  # not before commit
    assert (moved.center.code, moved.district.code) == ("syrym", "syrym")
    event = AlertEvent.objects.get(alert=alert, action="updated")
    assert event.data == {
        "moved": {"from": {"center": "uralsk", "district": "uralsk"}, "to": {"center": "syrym", "district": "syrym"}},
        # the text, shown in the reader's language
        "text_phrase": {
            "msgid": "Moved to %(center)s.",
            "params": {"center": {"ru": "Сырымский район", "kk": "Сырым ауданы"}},
        },
    }
    assert event.text == "Передано в Сырымский район."
    assert AuditEntry.objects.get(action="alert.relocate").actor == operator_uralsk


@pytest.mark.django_db
def test_nothing_is_published_on_rollback(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(live, "_send", lambda groups, message: sent.append(message["type"]))
    alert = raise_in("uralsk")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        alert_relocate(alert=alert, center=center("syrym"), actor=None)
        raise RuntimeError
    assert callbacks == [] and sent == []
    alert.refresh_from_db()
    assert alert.center.code == "uralsk"


@pytest.mark.django_db
def test_the_old_groups_are_told_first_and_the_new_ones_get_the_alert(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(live, "_send", lambda groups, message: sent.append((sorted(groups), message)))
    alert = raise_in("uralsk")
    uralsk, syrym = center("uralsk"), center("syrym")

    with django_capture_on_commit_callbacks(execute=True):
        alert_relocate(alert=alert, center=syrym, district=district("syrym"), actor=None)

    (removed_groups, removed), (changed_groups, changed) = sent
    assert removed_groups == sorted([live.center_group(uralsk.pk), live.district_group(district("uralsk").pk)])
    assert removed["type"] == "alert.removed" and removed["alert_id"] == alert.pk
    assert changed["type"] == "alert.changed" and changed["alert"]["center"] == "syrym"
    assert live.center_group(syrym.pk) in changed_groups


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_sockets_of_the_old_center_drop_it_and_of_the_new_one_get_it(channel_layer, operator_uralsk):  # noqa: F811
    syrym_operator = await sync_to_async(UserFactory)(username="op_syrym", centers=["syrym"])
    both = await sync_to_async(UserFactory)(username="op_both", centers=["uralsk", "syrym"])
    alert = await sync_to_async(raise_in)("uralsk")
    sockets = {}
    for user in (operator_uralsk, syrym_operator, both):
        socket = await connect(user)
        assert (await socket.connect())[0]
        await socket.receive_json_from(timeout=5)  # the snapshot
        sockets[user.username] = socket

    await sync_to_async(alert_relocate)(alert=alert, center=await sync_to_async(center)("syrym"), actor=None)

    removed = await sockets["op_uralsk"].receive_json_from(timeout=5)
    assert (removed["type"], removed["alert_id"]) == ("alert.removed", alert.pk)
    arrived = await sockets["op_syrym"].receive_json_from(timeout=5)
    assert (arrived["type"], arrived["alert"]["id"], arrived["alert"]["center"]) == ("alert", alert.pk, "syrym")
    # never told it was removed: only the removal's number comes, so its console sees no gap
    skipped = await sockets["op_both"].receive_json_from(timeout=5)
    kept = await sockets["op_both"].receive_json_from(timeout=5)
    assert (skipped["type"], skipped["group"]) == ("skipped", f"alerts.center.{alert.center_id}")
    assert (kept["type"], kept["alert"]["center"]) == ("alert", "syrym")
    for socket in sockets.values():
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()
