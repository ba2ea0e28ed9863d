"""The receiver over real sockets: TCP and UDP, batched and split frames, slow and hostile peers."""

import socket
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alarms.models import AlarmEvent, ReceivedFrame, RefusedInput
from tests.alarms.frames import build_frame
from tests.alarms.running import RunningReceiver

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def receiver(panel):
    running = RunningReceiver()
    yield running
    running.stop()


def read_responses(sock: socket.socket, count: int, timeout: float = 10) -> list[bytes]:
    sock.settimeout(timeout)
    data = b""
    while data.count(b"\r") < count:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return [line + b"\r" for line in data.split(b"\r") if line]


def tcp(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def test_a_panic_over_tcp_is_acked_after_it_is_stored(receiver):
    with tcp(receiver.port) as sock:
        sock.sendall(build_frame(data="1120 01 015", sequence="0005"))
        [response] = read_responses(sock, 1)
        assert response[9:-1] == b'"ACK"0005R1L0#1234[]'
        assert AlarmEvent.objects.filter(code="120").count() == 1  # committed before the ACK left


def test_several_frames_in_one_read_and_one_frame_across_reads(receiver):
    frames = [build_frame(data="1602 00 000", sequence=f"{n:04d}") for n in range(1, 4)]
    with tcp(receiver.port) as sock:
        sock.sendall(b"".join(frames))
        tail = build_frame(data="1120 01 002", sequence="0004")
        for piece in (tail[:7], tail[7:30], tail[30:]):
            sock.sendall(piece)
            time.sleep(0.05)
        responses = read_responses(sock, 4)
    assert [r[9:13] for r in responses] == [b'"ACK'] * 4
    assert [r.split(b'"')[2][:4] for r in responses] == [b"0001", b"0002", b"0003", b"0004"]
    assert ReceivedFrame.objects.filter(response="ack").count() == 4
    assert AlarmEvent.objects.get().code == "120"


def test_udp_frames_are_answered_to_the_sender(receiver):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(10)
        sock.sendto(build_frame(data="1121 01 001", sequence="0042"), ("127.0.0.1", receiver.port))
        response, _address = sock.recvfrom(4096)
    assert response[9:-1] == b'"ACK"0042R1L0#1234[]'
    assert AlarmEvent.objects.get().kind == "duress"


def test_a_plain_null_for_a_keyed_account_gets_duh_and_changes_nothing(receiver, encrypted_panel):
    with tcp(receiver.port) as sock:
        sock.sendall(build_frame(message_id="NULL", data=None, account="ABCD01", sequence="0031"))
        [response] = read_responses(sock, 1)
    assert response[9:-1] == b'"DUH"0031R1L0#ABCD01[]'
    encrypted_panel.refresh_from_db()
    assert (encrypted_panel.is_online, encrypted_panel.last_contact_at) == (False, None)
    assert ReceivedFrame.objects.count() == 0


def test_a_bad_crc_gets_no_answer_but_the_connection_goes_on(receiver):
    good = build_frame(data="1602 00 000", sequence="0002")
    bad = build_frame(data="1120 01 015", sequence="0001")
    bad = bad[:1] + b"FFFF" + bad[5:]
    with tcp(receiver.port) as sock:
        sock.sendall(bad + good)
        [response] = read_responses(sock, 1)
    assert b'"ACK"0002' in response
    receiver.flush()
    assert list(ReceivedFrame.objects.values_list("response", flat=True)) == ["ack"]
    assert RefusedInput.objects.get().reasons == {"CRC mismatch": 1}


def test_a_slow_connection_does_not_hold_up_another(receiver):
    with tcp(receiver.port) as slow, tcp(receiver.port) as fast:
        slow.sendall(build_frame(data="1120 01 015")[:10])  # and never the rest
        fast.sendall(build_frame(data="1602 00 000", sequence="0003"))
        [response] = read_responses(fast, 1, timeout=5)
        assert b'"ACK"0003' in response


def test_a_database_outage_means_no_ack_and_the_receiver_keeps_running(receiver, monkeypatch):
    from alarms import receiver as receiver_module

    calls = {"n": 0}
    real = receiver_module.frames_receive

    def flaky(frames, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            from django.db import OperationalError

            raise OperationalError("server closed the connection unexpectedly")
        return real(frames, **kwargs)

    monkeypatch.setattr(receiver_module, "frames_receive", flaky)
    frame = build_frame(data="1120 01 015", sequence="0007")
    with tcp(receiver.port) as sock:
        sock.sendall(frame)
        sock.settimeout(1)
        with pytest.raises(TimeoutError):
            sock.recv(4096)
        sock.sendall(frame)  # the panel repeats
        [response] = read_responses(sock, 1)
    assert b'"ACK"0007' in response
    assert AlarmEvent.objects.count() == 1


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(junk=st.lists(st.binary(max_size=300) | st.sampled_from([b"\n", b"\r", b'"ADM-CID"', b"[", b"]"]), max_size=8))
def test_random_bytes_never_crash_or_stall_the_receiver(receiver, junk):
    payload = b"".join(junk)
    with tcp(receiver.port) as sock:
        sock.sendall(payload + b"\r")  # close whatever frame the junk opened
        sock.sendall(build_frame(message_id="NULL", data=None, sequence="0099"))
        sock.settimeout(10)
        data = b""
        while b'"ACK"0099' not in data:
            chunk = sock.recv(4096)
            assert chunk, "the receiver closed the connection"
            data += chunk
