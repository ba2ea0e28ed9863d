"""The socket's snapshot at scale: every open alert of the scope, in parts far below the websocket
message limit, in the queue's order, with nothing forwarded between the parts."""

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as sync_to_async
from django.db import connections
from django.utils import timezone

from opscenter.models import Alert
from opscenter.selectors import alert_list
from tests.factories import center, district, make_unit
from tests.opscenter.test_alert_feed import channel_layer as channel_layer  # a fixture
from tests.opscenter.test_alert_feed import connect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
async def _close_the_sync_threads_connection():
    yield
    await sync_to_async(connections.close_all)()


def open_alerts(count: int) -> None:
    now = timezone.now()
    Alert.objects.bulk_create(
        Alert(
            source="test", kind="load", severity=1 + index % 4, title=f"Нагрузка {index}", center=center("uralsk"),
            district=district("uralsk"), address="Достык 12" * 3, payload={"zone": index},
            raised_at=now - timedelta(seconds=index), updated_at=now - timedelta(seconds=index),
        )
        for index in range(count)
    )  # fmt: skip


async def test_a_large_open_set_comes_whole_in_parts_below_the_limit(channel_layer, settings, operator_uralsk):
    # Given more open alerts than one part may hold
    settings.LIVE_SNAPSHOT_PART_BYTES = 8 * 1024
    await sync_to_async(open_alerts)(300)

    # When the operator's socket connects
    socket = await connect(operator_uralsk)
    assert (await socket.connect())[0]
    parts = []
    while not parts or not parts[-1]["last"]:
        text = await socket.receive_from(timeout=10)
        assert len(text.encode()) <= 8 * 1024 + 1024  # an alert's size over the limit at most, and the head
        parts.append(json.loads(text))

    # Then every part is a numbered snapshot with the cursors and the whole count, and together they
    # hold every open alert once, in the queue's order
    assert len(parts) > 3
    assert [part["part"] for part in parts] == list(range(len(parts)))
    assert {part["type"] for part in parts} == {"snapshot"}
    assert {part["count"] for part in parts} == {300}
    assert all(part["cursors"] == parts[0]["cursors"] for part in parts)
    ids = [alert["id"] for part in parts for alert in part["alerts"]]
    expected = await sync_to_async(lambda: [a.pk for a in alert_list(user=operator_uralsk, open_only=True)])()
    assert ids == expected
    assert parts[0]["alerts"][0]["title"].startswith("Нагрузка")
    await socket.disconnect()


async def test_a_small_open_set_is_one_part(channel_layer, operator_uralsk):
    await sync_to_async(open_alerts)(3)
    socket = await connect(operator_uralsk)
    assert (await socket.connect())[0]
    snapshot = await socket.receive_json_from(timeout=5)
    assert (snapshot["part"], snapshot["last"], snapshot["count"], len(snapshot["alerts"])) == (0, True, 3, 3)
    await socket.disconnect()


async def test_a_light_socket_gets_the_numbers_without_the_alerts_and_then_every_change(channel_layer, operator_uralsk):
    """The wallboard's feed (?snapshot=none): it reads its board over HTTP and only needs to hear that
    something changed, not the open alerts, which are megabytes on a storm night."""
    from opscenter.services.alerts import alert_raise

    await sync_to_async(open_alerts)(50)
    socket = await connect(operator_uralsk, path="/ws/alerts/?snapshot=none")
    assert (await socket.connect())[0]
    text = await socket.receive_from(timeout=5)
    snapshot = json.loads(text)
    assert (snapshot["type"], snapshot["part"], snapshot["last"], snapshot["count"]) == ("snapshot", 0, True, None)
    assert snapshot["alerts"] == [] and "units" not in snapshot and snapshot["cursors"]
    assert len(text) < 1000

    raised = await sync_to_async(alert_raise)(
        source="test", kind="load", severity=1, title="Новая", district=await sync_to_async(district)("uralsk")
    )
    message = await socket.receive_json_from(timeout=5)
    assert (message["type"], message["alert"]["id"]) == ("alert", raised.pk)
    await socket.disconnect()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_feeds_shape_of_an_alert_is_exactly_the_rest_apis(operator_uralsk, language):
    from django.utils import translation

    from opscenter.serializers import AlertSerializer, alert_as_dict
    from opscenter.services.alerts import alert_acknowledge, alert_dispatch, alert_raise, alert_resolve

    def raise_one(**fields):
        return alert_raise(source="test", kind="test", severity=2, title="Тревога", **fields)

    bare = raise_one(center=center("uralsk"))
    placed = raise_one(
        district=district("uralsk"), latitude=51.2, longitude=51.4, address="Достык 12", payload={"a": [1]}
    )
    acknowledged = alert_acknowledge(alert=raise_one(district=district("terekti")), actor=operator_uralsk)
    dispatched = alert_dispatch(
        alert=raise_one(district=district("uralsk")), actor=operator_uralsk, units=[make_unit("Наряд 7")]
    )
    resolved = alert_resolve(alert=raise_one(district=district("uralsk")), actor=None, disposition="false_alarm")
    Alert.objects.filter(pk=bare.pk).update(escalation_level=1, escalated_at=timezone.now(), latitude=0)

    with translation.override(language):
        for alert in alert_list(user=operator_uralsk).filter(
            pk__in=[bare.pk, placed.pk, acknowledged.pk, dispatched.pk, resolved.pk]
        ):
            assert alert_as_dict(alert) == dict(AlertSerializer(alert).data)
