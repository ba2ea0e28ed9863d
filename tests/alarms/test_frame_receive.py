"""The receiver's decisions, frame by frame: what is stored, what is raised, what is answered."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError

from alarms.models import AlarmEvent, AlarmPanel, ReceivedFrame, RefusedInput
from alarms.services import frame_receive
from opscenter.models import Alert
from opscenter.services.alerts import alert_resolve
from tests.alarms.conftest import KEY
from tests.alarms.frames import build_frame, stamp

pytestmark = pytest.mark.django_db


def receive(raw: bytes):
    return frame_receive(raw=raw, transport="tcp", peer="192.0.2.10:40000")


def response_text(received) -> str:
    return received.response[9:-1].decode()


def test_a_contact_id_panic_is_stored_and_raises_a_p1_alert_with_the_objects_card(panel):
    received = receive(build_frame(data="1120 01 015", sequence="0007"))

    assert received.outcome == "ack"
    assert response_text(received) == '"ACK"0007R1L0#1234[]'
    event = AlarmEvent.objects.get()
    assert (event.code, event.qualifier, event.kind, event.event_class, event.zone) == (
        "120",
        "1",
        "panic",
        "alarm",
        "015",
    )
    alert = Alert.objects.get()
    assert (alert.severity, alert.kind, alert.source, alert.center.code, alert.district.code) == (
        1,
        "panic",
        "alarms",
        "uralsk",
        "uralsk",
    )
    assert (alert.latitude, alert.longitude, alert.address) == (51.2301, 51.3702, "Uralsk, Dostyk 12")
    assert "School No. 5" in alert.title
    assert "contacts" not in alert.payload["object"]  # people and phones are the alert's audited details
    assert alert.payload["object"]["kind"] == "school"
    assert alert.payload["duress"] is False
    assert event.alert == alert
    assert ReceivedFrame.objects.get().raw.startswith('"ADM-CID"') is False  # kept with CRC and length
    assert ReceivedFrame.objects.get().raw[8:17] == '"ADM-CID"'


@pytest.mark.parametrize(
    ("data", "kind"),
    [("1121 01 001", "duress"), ("1129 01 001", "holdup"), ("1122 01 001", "panic"), ("1123 01 001", "panic")],
)
def test_duress_hold_up_silent_and_audible_panic_raise_p1(panel, data, kind):
    receive(build_frame(data=data))
    alert = Alert.objects.get()
    assert (alert.severity, alert.kind) == (1, kind)
    assert alert.payload["duress"] is (kind == "duress")
    assert bool(alert.payload["caution"]) is (kind == "duress")


@pytest.mark.parametrize("data", ["Nri1/PA001", "NHA002", "NHV002"])
def test_sia_panic_and_hold_up_raise_p1(panel, data):
    receive(build_frame(message_id="SIA-DCS", data=data))
    assert Alert.objects.get().severity == 1


def test_a_restore_updates_the_alert_without_closing_it(panel):
    receive(build_frame(data="1120 01 015", sequence="0001"))
    receive(build_frame(data="3120 01 015", sequence="0002"))

    alert = Alert.objects.get()
    assert alert.status == "new"
    assert "restored_at" in alert.payload
    assert alert.events.filter(action="updated").count() == 1
    assert AlarmEvent.objects.filter(event_class="restore").get().alert == alert


@pytest.mark.parametrize(("message_id", "data"), [
    ("ADM-CID", "1602 00 000"), ("ADM-CID", "1601 00 000"), ("SIA-DCS", "Nri0RP2^SL 1807110200065423^"),
])  # fmt: skip
def test_test_signals_only_refresh_supervision(panel, message_id, data):
    assert receive(build_frame(message_id=message_id, data=data)).outcome == "ack"
    assert Alert.objects.count() == AlarmEvent.objects.count() == 0
    panel.refresh_from_db()
    assert panel.is_online and panel.last_contact_at is not None
    assert ReceivedFrame.objects.get().response == "ack"


def test_a_null_frame_is_a_link_test_only(panel):
    raw = build_frame(message_id="NULL", data=None)
    received = receive(raw)
    assert received.outcome == "ack"
    assert AlarmEvent.objects.count() == 0
    assert ReceivedFrame.objects.get().response == "ack"
    panel.refresh_from_db()
    assert panel.last_contact_at is not None


def test_an_unknown_code_is_stored_raw_and_never_passed_off(panel):
    receive(build_frame(data="1999 01 001"))
    receive(build_frame(message_id="SIA-DCS", data="NZQ12", sequence="0002"))
    assert list(AlarmEvent.objects.order_by("pk").values_list("code", "kind", "description")) == [
        ("999", "unknown", "Unknown code"), ("ZQ", "unknown", "Unknown code"),
    ]  # fmt: skip
    assert Alert.objects.count() == 0


def test_a_repeat_is_acked_again_and_stored_once(panel):
    raw = build_frame(data="1120 01 015", sequence="0009")
    first, again = receive(raw), receive(raw)
    assert (first.outcome, again.outcome) == ("ack", "ack")
    assert first.response[9:] == again.response[9:]
    assert AlarmEvent.objects.count() == 1
    assert Alert.objects.get().repeat_count == 0
    assert list(ReceivedFrame.objects.order_by("pk").values_list("is_repeat", flat=True)) == [False, True]


def test_an_encrypted_repeat_with_new_padding_is_still_a_repeat(encrypted_panel):
    receive(build_frame(account="ABCD01", data="1120 01 001", sequence="0003", key=KEY))
    receive(build_frame(account="ABCD01", data="1120 01 001", sequence="0003", key=KEY))
    assert AlarmEvent.objects.count() == 1


def test_the_same_sequence_with_other_content_is_a_new_event(panel):
    receive(build_frame(data="1120 01 015", sequence="0009"))
    receive(build_frame(data="3120 01 015", sequence="0009"))
    assert AlarmEvent.objects.count() == 2


def test_an_encrypted_panic_gets_an_encrypted_ack(encrypted_panel):
    received = receive(build_frame(account="ABCD01", data="1120 01 001", sequence="0011", key=KEY))
    assert received.outcome == "ack"
    assert response_text(received).startswith('"*ACK"0011R1L0#ABCD01[')
    assert Alert.objects.get().center.code == "burlin"


@pytest.mark.parametrize(("fields", "reason"), [
    ({"account": "9999"}, "unknown account"),
    ({"account": "ABCD01", "key": "FEDCBA9876543210"}, "decrypt"),
    ({"account": "ABCD01"}, "plain frame"),
    ({"data": "hello"}, "not a Contact ID event"),
])  # fmt: skip
def test_duh_for_an_unknown_account_a_wrong_key_or_unreadable_content(panel, encrypted_panel, fields, reason):
    fields.setdefault("account", "1234")
    received = receive(build_frame(**fields))
    assert received.outcome == "duh"
    assert reason in received.reason
    assert '"DUH"' in response_text(received)
    assert AlarmEvent.objects.count() == ReceivedFrame.objects.count() == 0  # tallied, not stored
    tally = RefusedInput.objects.get()
    assert (tally.address, tally.count, tally.last_account) == ("192.0.2.10", 1, fields["account"])
    assert reason in tally.last_reason


@pytest.mark.parametrize("offset", [timedelta(seconds=-41), timedelta(seconds=21), timedelta(days=-400)])
def test_nak_when_the_timestamp_is_outside_the_window(panel, offset):
    now = datetime.now(UTC)
    received = frame_receive(raw=build_frame(timestamp=stamp(now + offset)), transport="udp", peer="p", now=now)
    assert received.outcome == "nak"
    assert response_text(received) == f'"NAK"0001R1L0#1234[]{stamp(now)}'
    assert AlarmEvent.objects.count() == ReceivedFrame.objects.count() == 0
    assert RefusedInput.objects.get().reasons == {"timestamp outside the window": 1}


@pytest.mark.parametrize("offset", [timedelta(seconds=-39), timedelta(seconds=19)])
def test_inside_the_window_is_acked(panel, offset):
    now = datetime.now(UTC)
    received = frame_receive(raw=build_frame(timestamp=stamp(now + offset)), transport="udp", peer="p", now=now)
    assert received.outcome == "ack"


def test_a_bad_crc_gets_no_answer_and_is_counted_with_a_sample(panel):
    raw = build_frame(data="1120 01 015")
    broken = raw[:1] + (b"0000" if raw[1:5] != b"0000" else b"1111") + raw[5:]
    received = receive(broken)
    receive(broken)
    assert (received.response, received.outcome) == (None, "none")
    assert AlarmEvent.objects.count() == ReceivedFrame.objects.count() == 0
    tally = RefusedInput.objects.get()
    assert (tally.count, tally.reasons, tally.transport) == (2, {"CRC mismatch": 2}, "tcp")
    assert tally.sample == broken.decode().replace("\n", "\\n").replace("\r", "\\r")


def test_a_database_failure_means_no_ack(panel, monkeypatch):
    def fail(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(AlarmEvent.objects, "bulk_create", fail)
    with pytest.raises(OperationalError):
        receive(build_frame(data="1120 01 015"))
    assert AlarmEvent.objects.count() == 0
    assert ReceivedFrame.objects.count() == 0  # rolled back with the event: the repeat will be new


def test_a_silent_panel_heard_again_resolves_its_silent_alert(panel):
    from alarms.services import panels_supervise

    receive(build_frame(data="1602 00 000", sequence="0001"))
    AlarmPanel.objects.filter(pk=panel.pk).update(last_contact_at=datetime.now(UTC) - timedelta(hours=1))
    assert panels_supervise() == 1
    silent = Alert.objects.get(kind="panel_silent")
    assert silent.severity == 2

    receive(build_frame(data="1602 00 000", sequence="0002"))

    silent.refresh_from_db()
    assert (silent.status, silent.disposition) == ("resolved", "technical")
    assert silent.events.get(action="resolved").text == "Панель снова вышла на связь."  # stored in the default language


def test_an_operator_resolves_the_alarm_and_a_new_press_raises_a_new_alert(panel, operator_uralsk):
    receive(build_frame(data="1120 01 015", sequence="0001"))
    alert_resolve(alert=Alert.objects.get(), actor=operator_uralsk, disposition="false_alarm")
    receive(build_frame(data="1120 01 015", sequence="0002"))
    assert Alert.objects.filter(status="new").count() == 1


def test_a_batch_is_committed_together_and_answered_each(panel, encrypted_panel):
    from alarms.services import Incoming, frames_receive

    batch = [
        Incoming(build_frame(data="1120 01 015", sequence="0001"), "tcp", "a"),
        Incoming(build_frame(account="ABCD01", data="1602 00 000", key=KEY), "udp", "b"),
        Incoming(b"\n0000garbage\r", "tcp", "c"),
        Incoming(build_frame(account="7777"), "tcp", "d"),
    ]

    results = frames_receive(batch)

    assert [r.outcome for r in results] == ["ack", "ack", "none", "duh"]
    assert response_text(results[0]) == '"ACK"0001R1L0#1234[]'
    assert list(ReceivedFrame.objects.order_by("peer").values_list("peer", "response")) == [("a", "ack"), ("b", "ack")]
    assert list(RefusedInput.objects.order_by("address").values_list("address", "count")) == [("c", 1), ("d", 1)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the receiver manages its connections
def test_a_database_error_in_a_batch_leaves_nothing_and_the_receiver_retries_frame_by_frame(panel, monkeypatch):
    from alarms import receiver
    from alarms.services import Incoming

    good = Incoming(build_frame(data="1120 01 015", sequence="0001"), "tcp", "good")
    poison = Incoming(build_frame(data="1121 01 001", sequence="0002"), "tcp", "poison")
    real = receiver.frames_receive

    def failing_on_poison(frames, **kwargs):
        if any(incoming.peer == "poison" for incoming in frames):
            raise OperationalError("constraint violated")
        return real(frames, **kwargs)

    monkeypatch.setattr(receiver, "frames_receive", failing_on_poison)

    results = receiver._handle([good, poison])

    assert results[1] is None  # no answer: the panel repeats it
    assert results[0].outcome == "ack"
    assert list(AlarmEvent.objects.values_list("code", flat=True)) == ["120"]
