"""An alarm's ACK does not wait for its alert: the frame and its event are committed and ACKed, then the
alert is raised. An event committed without its alert (the receiver died in between) gets it from the
sweep (the receiver's start and housekeeping, and beat), exactly once."""

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from alarms import receiver as receiver_module
from alarms.models import AlarmEvent
from alarms.services import Incoming, events_alert, frames_receive
from alarms.tasks import alert_due_events
from opscenter.models import Alert, AlertEvent
from tests.alarms.frames import build_frame
from tests.alarms.running import RunningReceiver


def tcp(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def send_and_read(sock: socket.socket, frame: bytes) -> bytes:
    sock.sendall(frame)
    data = b""
    while not data.endswith(b"\r"):
        chunk = sock.recv(4096)
        assert chunk, "the receiver closed the connection"
        data += chunk
    return data


def eventually(condition, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.02)


def commit_without_alert(*frames: bytes) -> None:
    """What the receiver commits before it ACKs, and nothing after: as if it died right after the ACK."""
    frames_receive([Incoming(raw, "tcp", "192.0.2.10:40000") for raw in frames])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestOverRealSockets:
    def test_the_ack_of_a_panic_leaves_before_its_alert_is_raised(self, panel, monkeypatch):
        release, real = threading.Event(), receiver_module.events_alert

        def held(**kwargs):
            assert release.wait(30)
            return real(**kwargs)

        monkeypatch.setattr(receiver_module, "events_alert", held)
        receiver = RunningReceiver()
        try:
            with tcp(receiver.port) as sock:
                response = send_and_read(sock, build_frame(data="1120 01 015", sequence="0005"))
            assert response[9:-1] == b'"ACK"0005R1L0#1234[]'
            event = AlarmEvent.objects.get()  # committed before the ACK left
            assert (event.code, event.alert_pending, event.alert_id) == ("120", True, None)
            assert Alert.objects.count() == 0  # the alert is being raised only now

            release.set()

            alert = eventually(lambda: Alert.objects.filter(kind="panic").first())
            event.refresh_from_db()
            assert (event.alert_pending, event.alert_id, alert.severity) == (False, alert.pk, 1)
        finally:
            release.set()
            receiver.stop()

    def test_frames_are_answered_while_an_alert_is_being_raised(self, panel, monkeypatch):
        """One batcher (the default): the alert is raised by the alerter, so the next frame, of this panel
        or another, is not held up by it."""
        release, real = threading.Event(), receiver_module.events_alert

        def held(**kwargs):
            assert release.wait(30)
            return real(**kwargs)

        monkeypatch.setattr(receiver_module, "events_alert", held)
        receiver = RunningReceiver(workers=1)
        try:
            with tcp(receiver.port) as sock:
                send_and_read(sock, build_frame(data="1120 01 015", sequence="0005"))
                sock.settimeout(5)
                response = send_and_read(sock, build_frame(data="1602 00 000", sequence="0006"))
                assert response[9:-1] == b'"ACK"0006R1L0#1234[]'
                assert Alert.objects.count() == 0  # the panic's alert is still held
            release.set()
            eventually(lambda: Alert.objects.filter(kind="panic").exists())
        finally:
            release.set()
            receiver.stop()

    def test_a_stopping_receiver_answers_the_batch_in_hand_and_raises_its_alert(self, panel, monkeypatch):
        entered, release, real = threading.Event(), threading.Event(), receiver_module.frames_receive

        def slow(frames):
            entered.set()
            assert release.wait(30)
            return real(frames)

        monkeypatch.setattr(receiver_module, "frames_receive", slow)
        receiver = RunningReceiver()
        stopper = threading.Thread(target=receiver.stop)
        try:
            with tcp(receiver.port) as sock:
                sock.sendall(build_frame(data="1120 01 015", sequence="0007"))
                assert entered.wait(10)
                stopper.start()  # while the frame's batch is in the database
                time.sleep(0.3)
                release.set()
                sock.settimeout(10)
                data = b""
                while not data.endswith(b"\r"):
                    chunk = sock.recv(4096)
                    assert chunk, "closed without an answer"
                    data += chunk
                assert data[9:-1] == b'"ACK"0007R1L0#1234[]'
            stopper.join(30)
            assert not stopper.is_alive()
            event = AlarmEvent.objects.get()
            assert (event.alert_pending, event.alert_id) == (False, Alert.objects.get(kind="panic").pk)
        finally:
            release.set()
            if not stopper.is_alive() and not stopper.ident:
                receiver.stop()

    def test_a_panic_and_its_restore_sent_back_to_back_end_as_one_restored_alert(self, panel):
        receiver = RunningReceiver()
        try:
            with tcp(receiver.port) as sock:
                assert b'"ACK"0001' in send_and_read(sock, build_frame(data="1120 01 015", sequence="0001"))
                assert b'"ACK"0002' in send_and_read(sock, build_frame(data="3120 01 015", sequence="0002"))
            eventually(lambda: not AlarmEvent.objects.filter(alert_pending=True).exists())
        finally:
            receiver.stop()
        alert = Alert.objects.get()
        assert (alert.status, alert.repeat_count, "restored_at" in alert.payload) == ("new", 0, True)
        assert list(AlarmEvent.objects.order_by("pk").values_list("event_class", "alert")) == [
            ("alarm", alert.pk),
            ("restore", alert.pk),
        ]

    def test_a_receiver_that_died_between_the_ack_and_the_alert_raises_it_when_it_starts_again(
        self, panel, monkeypatch
    ):
        def died(**kwargs):
            raise SystemError("the process died before the alert was raised")

        monkeypatch.setattr(receiver_module, "events_alert", died)
        first = RunningReceiver()
        try:
            with tcp(first.port) as sock:
                assert b'"ACK"0007' in send_and_read(sock, build_frame(data="1121 01 001", sequence="0007"))
            eventually(lambda: AlarmEvent.objects.filter(alert_pending=True).exists())
        finally:
            first.stop()
        assert Alert.objects.count() == 0
        monkeypatch.undo()

        again = RunningReceiver()  # its start sweeps what was committed without its alert
        try:
            alert = eventually(lambda: Alert.objects.filter(kind="duress").first())
            events_alert()  # and a sweep after that finds nothing to do
        finally:
            again.stop()
        assert alert.severity == 1
        assert AlertEvent.objects.filter(alert=alert, action="raised").count() == 1
        assert Alert.objects.get().repeat_count == 0
        assert list(AlarmEvent.objects.values_list("alert", "alert_pending")) == [(alert.pk, False)]


@pytest.mark.django_db
def test_an_event_committed_without_its_alert_gets_it_from_beats_sweep_exactly_once(panel):
    commit_without_alert(build_frame(data="1120 01 015", sequence="0001"))
    assert Alert.objects.count() == 0
    assert alert_due_events() == 0  # too recent: the receiver is raising it now

    later = timezone.now() + timedelta(minutes=1)
    assert alert_due_events(now=later) == 1
    assert alert_due_events(now=later) == 0
    assert events_alert() == 0

    alert = Alert.objects.get()
    assert (alert.kind, alert.severity, alert.repeat_count) == ("panic", 1, 0)
    assert AlertEvent.objects.filter(alert=alert).count() == 1
    assert list(AlarmEvent.objects.values_list("alert", "alert_pending")) == [(alert.pk, False)]


@pytest.mark.django_db
def test_the_sweep_raises_a_panic_before_applying_its_restore(panel):
    commit_without_alert(build_frame(data="1120 01 015", sequence="0001"))
    commit_without_alert(build_frame(data="3120 01 015", sequence="0002"))

    assert events_alert() == 2

    alert = Alert.objects.get()
    assert "restored_at" in alert.payload
    assert list(alert.events.order_by("pk").values_list("action", flat=True)) == ["raised", "updated"]
    assert set(AlarmEvent.objects.values_list("alert", flat=True)) == {alert.pk}


@pytest.mark.django_db
def test_a_restore_without_an_open_alert_is_settled_and_raises_nothing(panel):
    commit_without_alert(build_frame(data="3120 01 015", sequence="0001"))
    assert events_alert() == 1
    assert Alert.objects.count() == 0
    event = AlarmEvent.objects.get()
    assert (event.alert_id, event.alert_pending) == (None, False)


@pytest.mark.django_db
def test_link_tests_and_unknown_codes_wait_for_no_alert(panel):
    commit_without_alert(build_frame(data="1602 00 000", sequence="0001"), build_frame(data="1999 01 001"))
    assert not AlarmEvent.objects.filter(alert_pending=True).exists()
    assert events_alert() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_raise_the_alert_once(panel):
    commit_without_alert(build_frame(data="1120 01 015", sequence="0001"))
    start, counts = threading.Barrier(2), []

    def sweep():
        try:
            start.wait(10)
            counts.append(events_alert())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(counts) == [0, 1]
    alert = Alert.objects.get()
    assert (alert.repeat_count, AlertEvent.objects.filter(alert=alert).count()) == (0, 1)
