"""Exact query counts of the receiver's hot path, pinned: a regression fails here, not in a benchmark
months later. A batch costs the same queries before its ACKs whatever its size and whatever it holds;
alarms and restores cost their own queries after the ACKs (`events_alert`)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from alarms.models import AlarmPanel, ProtectedObject
from alarms.services import Incoming, events_alert, frame_receive, frames_receive, panel_create
from tests.alarms.conftest import KEY
from tests.alarms.frames import build_frame
from tests.factories import district

pytestmark = pytest.mark.django_db

# SAVEPOINT and RELEASE of the batch's transaction (inside the test's own) are counted too.
TRANSACTION = 2


def receive(raw: bytes):
    return frame_receive(raw=raw, transport="tcp", peer="192.0.2.10:40000")


@pytest.fixture
def heard_a_minute_ago(panel, encrypted_panel):
    AlarmPanel.objects.update(is_online=True, last_contact_at=timezone.now() - timedelta(minutes=1))


@pytest.mark.parametrize(
    "frame",
    [
        {"data": "1602 00 000"},
        {"message_id": "NULL", "data": None},
        {"account": "ABCD01", "key": KEY, "message_id": "NULL", "data": None},
    ],
    ids=["contact id test", "NULL", "encrypted NULL"],
)
def test_a_link_test_panels_then_frame_then_supervision(heard_a_minute_ago, django_assert_num_queries, frame):
    raw = build_frame(**frame)
    with django_assert_num_queries(TRANSACTION + 3):  # panels, frame, supervision
        assert receive(raw).outcome == "ack"


def test_a_new_alarm_before_its_ack_panels_repeats_frame_event_supervision_and_no_alert(
    heard_a_minute_ago, django_assert_num_queries
):
    batch = [Incoming(build_frame(data="1120 01 015", sequence="0001"), "tcp", "192.0.2.10:40000")]
    with django_assert_num_queries(TRANSACTION + 5):  # panels, repeats, frame, event, supervision
        [received] = frames_receive(batch)
    assert (received.outcome, received.alert_panel) == ("ack", AlarmPanel.objects.get(account="1234").pk)


def test_an_alarms_alert_after_the_ack_the_events_the_alert_and_the_link(heard_a_minute_ago, django_assert_num_queries):
    [received] = frames_receive([Incoming(build_frame(data="1120 01 015", sequence="0001"), "tcp", "p")])
    assert received.alert_panel is not None
    ContentType.objects.get_for_model(ProtectedObject)  # the alert's subject type: cached once per process
    # the pending events with their panels, objects, districts and centers; alert_raise (its savepoint, the
    # open alert of the key, the alert, its event, the audit entry, release); the events' links and flags.
    with django_assert_num_queries(TRANSACTION + 1 + 6 + 1):
        assert events_alert(panels=[received.alert_panel]) == 1


def test_a_restore_after_the_ack_the_events_the_alerts_update_and_the_link(
    heard_a_minute_ago, django_assert_num_queries
):
    receive(build_frame(data="1120 01 015", sequence="0001"))
    [received] = frames_receive([Incoming(build_frame(data="3120 01 015", sequence="0002"), "tcp", "p")])
    assert received.alert_panel is not None
    # the pending events; alert_update_open (its savepoint, the open alert, its update, its event, release);
    # the events' links and flags.
    with django_assert_num_queries(TRANSACTION + 1 + 5 + 1):
        assert events_alert(panels=[received.alert_panel]) == 1


def test_a_repeat_panels_repeats_frame_and_nothing_else(heard_a_minute_ago, django_assert_num_queries):
    raw = build_frame(data="1120 01 015", sequence="0001")
    receive(raw)
    with django_assert_num_queries(TRANSACTION + 3):  # panels, repeats, frame; heard just now: no supervision write
        assert receive(raw).outcome == "ack"


def test_a_batch_of_fifty_panels_costs_what_one_does(heard_a_minute_ago, django_assert_num_queries):
    for number in range(50):
        panel_create(
            account=f"B{number:03d}", object_name=f"School {number}", object_kind="school", district=district("uralsk")
        )
    AlarmPanel.objects.update(is_online=True, last_contact_at=timezone.now() - timedelta(minutes=1))
    batch = [
        Incoming(build_frame(account=f"B{number:03d}", data="1602 00 000"), "tcp", f"192.0.2.{number}:1")
        for number in range(50)
    ]
    with django_assert_num_queries(TRANSACTION + 3):  # panels, frames, supervision
        assert {r.outcome for r in frames_receive(batch)} == {"ack"}


def test_refusals_in_a_batch_cost_three_queries_whatever_their_number(panel, django_assert_num_queries):
    batch = [Incoming(b"\n\r", "udp", f"198.51.100.{n}:5") for n in range(20)]
    batch += [Incoming(build_frame(account="9999"), "tcp", "192.0.2.1:1")]
    with django_assert_num_queries(TRANSACTION + 1 + 2 + 3):  # panels; the refusals' savepoint; insert, lock, update
        frames_receive(batch)
