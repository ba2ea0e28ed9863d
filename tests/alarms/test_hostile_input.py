"""Hostile input against the receiver over real sockets, the same bytes that were measured against it:
random bytes, "\\n\\r" pairs, a flood of LF without CR, UDP garbage, slowloris, too many connections,
the descriptor limit. Each is counted per address, never stored frame by frame, and never stops an
honest panel from being answered."""

import asyncio
import random
import resource
import socket
import threading
import time

import pytest

from alarms import receiver as receiver_module
from alarms.models import AlarmEvent, ReceivedFrame, RefusedInput
from alarms.receiver import FrameQueue
from tests.alarms.frames import build_frame
from tests.alarms.running import RunningReceiver

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def start(panel):
    running = []

    def start(**options):
        running.append(RunningReceiver(**options))
        return running[-1]

    yield start
    for receiver in running:
        receiver.stop()


def tcp(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def udp() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(10)
    return sock


def answer(sock: socket.socket, sequence: str, timeout: float = 10) -> bytes:
    """Send a NULL link test of panel 1234 and return the answer."""
    sock.sendall(build_frame(message_id="NULL", data=None, sequence=sequence))
    sock.settimeout(timeout)
    data = b""
    while not data.endswith(b"\r"):
        chunk = sock.recv(4096)
        assert chunk, "the receiver closed the connection"
        data += chunk
    return data


def closed_by_receiver(sock: socket.socket, payload: bytes = b"", timeout: float = 20) -> bool:
    """Send `payload` (as far as the receiver reads it) and wait for the receiver to close."""
    sock.settimeout(timeout)
    try:
        if payload:
            sock.sendall(payload)
        while sock.recv(65536):
            pass
    except (BrokenPipeError, ConnectionResetError):
        pass
    return True


def honest_panel_is_answered(port: int) -> None:
    with tcp(port) as sock:
        assert b'"ACK"0777' in answer(sock, "0777")


def test_random_bytes_are_counted_per_address_not_stored_and_the_connection_closed(start):
    receiver = start(max_bad_frames=10)
    noise = random.Random(13).randbytes(1_000_000)
    with tcp(receiver.port) as sock:
        assert closed_by_receiver(sock, noise)
    honest_panel_is_answered(receiver.port)
    receiver.flush()

    assert ReceivedFrame.objects.count() == 1  # the honest NULL only
    tally = RefusedInput.objects.get()
    assert tally.address == "127.0.0.1"
    assert 1 <= tally.count < 100
    assert tally.reasons["connection closed after 10 bad frames"] == 1


def test_lf_cr_pairs_close_the_connection_and_nothing_is_written_after_the_sender_has_gone(start):
    receiver = start(max_bad_frames=10)
    with tcp(receiver.port) as sock:
        assert closed_by_receiver(sock, b"\n\r" * 50_000)
    receiver.flush()
    written = RefusedInput.objects.get().count
    time.sleep(0.5)
    receiver.flush()

    assert RefusedInput.objects.get().count == written
    assert written < 100
    assert ReceivedFrame.objects.count() == 0
    assert RefusedInput.objects.get().reasons["shorter than any frame"] >= 10


def test_a_flood_of_lf_without_cr_is_discarded_in_slices_and_closed_while_panels_are_answered(start):
    receiver = start(max_bad_frames=10)
    flood = tcp(receiver.port)
    stop = threading.Event()

    def send_flood():
        try:
            while not stop.is_set():
                flood.sendall(b"\n" * 65536)
        except OSError:
            pass  # closed by the receiver

    sender = threading.Thread(target=send_flood, daemon=True)
    sender.start()
    try:
        honest_panel_is_answered(receiver.port)
        sender.join(20)
        assert not sender.is_alive(), "the receiver never closed the flooding connection"
    finally:
        stop.set()
        flood.close()
    receiver.flush()
    assert RefusedInput.objects.get().reasons["bytes outside any frame"] >= 10


def test_udp_garbage_never_becomes_a_task_or_a_row_and_a_good_datagram_is_answered(start):
    receiver = start()
    rng = random.Random(20)
    with udp() as sock:
        for _ in range(500):
            sock.sendto(rng.randbytes(rng.randint(1, 1400)), ("127.0.0.1", receiver.port))
        sock.sendto(b"\n\r" * 700, ("127.0.0.1", receiver.port))
        assert len(receiver.receiver.udp_protocol.tasks) <= 1
        sock.settimeout(1)
        for _attempt in range(10):  # as a panel does: the kernel may have dropped it behind the flood
            sock.sendto(build_frame(message_id="NULL", data=None, sequence="0044"), ("127.0.0.1", receiver.port))
            try:
                response, _address = sock.recvfrom(4096)
                break
            except TimeoutError:
                continue
    assert b'"ACK"0044' in response
    receiver.flush()
    assert ReceivedFrame.objects.count() == 1
    assert RefusedInput.objects.get().count >= 100


class Blocked:
    """frames_receive held until released, recording the batches it was given."""

    def __init__(self, monkeypatch):
        self.release, self.batches = threading.Event(), []
        real = receiver_module.frames_receive

        def held(frames, **kwargs):
            self.batches.append([incoming.frame.account for incoming in frames])
            assert self.release.wait(30)
            return real(frames, **kwargs)

        monkeypatch.setattr(receiver_module, "frames_receive", held)


def wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.02)


def test_udp_datagrams_in_flight_are_bounded_and_those_beyond_dropped(start, monkeypatch):
    blocked = Blocked(monkeypatch)
    receiver = start(udp_max_in_flight=3)
    with udp() as sock:
        for number in range(1, 11):
            sock.sendto(build_frame(data="1602 00 000", sequence=f"{number:04d}"), ("127.0.0.1", receiver.port))
        wait_for(lambda: receiver.receiver.dropped == 7)
        assert len(receiver.receiver.udp_protocol.tasks) == 3
        blocked.release.set()
        answers = [sock.recvfrom(4096)[0] for _ in range(3)]
    assert all(b'"ACK"' in response for response in answers)
    receiver.flush()
    assert RefusedInput.objects.get().reasons == {"dropped: too many datagrams in flight": 7}


def test_the_frame_queue_is_bounded_and_known_accounts_go_before_noise(start, monkeypatch):
    blocked = Blocked(monkeypatch)
    receiver = start(queue_noise_max=2, workers=1)
    with udp() as sock:
        target = ("127.0.0.1", receiver.port)
        sock.sendto(build_frame(data="1602 00 000", sequence="0001"), target)  # taken, then held
        wait_for(lambda: len(blocked.batches) == 1)
        for number in range(5):
            sock.sendto(build_frame(account=f"999{number}", data="1602 00 000"), target)
        wait_for(lambda: receiver.receiver.dropped == 3)
        sock.sendto(build_frame(data="1602 00 000", sequence="0002"), target)
        wait_for(lambda: len(receiver.receiver.queue.known) == 1)
        blocked.release.set()
        wait_for(lambda: len(blocked.batches) == 2 and ReceivedFrame.objects.count() == 2)
    assert blocked.batches == [["1234"], ["1234", "9990", "9991"]]  # known first, noise beyond 2 dropped


def test_frame_queue_order_and_bounds():
    async def scenario():
        queue = FrameQueue(known_max=2, noise_max=1)
        assert queue.put("noise-1", known=False)
        assert not queue.put("noise-2", known=False)
        assert queue.put("known-1", known=True)
        assert queue.put("known-2", known=True)
        assert not queue.put("known-3", known=True)
        return await queue.get_batch(10)

    assert asyncio.run(scenario()) == ["known-1", "known-2", "noise-1"]


def test_connections_are_capped_per_address_and_in_total(start):
    receiver = start(max_connections_per_peer=3)
    held = [tcp(receiver.port) for _ in range(3)]
    try:
        for number, sock in enumerate(held):
            assert b'"ACK"' in answer(sock, f"{number + 1:04d}")
        with tcp(receiver.port) as extra:
            assert extra.recv(4096) == b""  # accepted and closed at once
    finally:
        for sock in held:
            sock.close()
    total = start(max_connections=2)
    held = [tcp(total.port) for _ in range(2)]
    try:
        for number, sock in enumerate(held):
            assert b'"ACK"' in answer(sock, f"{number + 1:04d}")
        with tcp(total.port) as extra:
            assert extra.recv(4096) == b""
        held.pop().close()
        time.sleep(0.2)
        honest_panel_is_answered(total.port)
    finally:
        for sock in held:
            sock.close()


def test_a_frame_must_complete_within_its_deadline_slowloris(start):
    receiver = start(frame_seconds=1)
    frame = build_frame(data="1120 01 015")
    with tcp(receiver.port) as sock:
        sock.settimeout(0.2)
        closed = False
        for byte in frame[:-1] * 10:  # one byte every 0.2 s: the frame would take minutes
            try:
                sock.send(bytes([byte]))
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
        assert closed
    receiver.flush()
    assert "frame not completed within 1 s" in RefusedInput.objects.get().reasons
    assert AlarmEvent.objects.count() == 0


def test_bad_frames_close_the_connection_after_the_limit(start):
    receiver = start(max_bad_frames=3)
    bad = build_frame(data="1602 00 000")
    bad = bad[:1] + b"FFFF" + bad[5:]
    with tcp(receiver.port) as sock:
        sock.sendall(bad * 2)
        assert b'"ACK"' in answer(sock, "0002")  # two bad frames: still open
        assert closed_by_receiver(sock, bad)


def test_at_the_descriptor_limit_new_panels_are_accepted_and_closed_never_left_hanging(start):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    in_use = len(__import__("os").listdir("/proc/self/fd"))
    resource.setrlimit(resource.RLIMIT_NOFILE, (in_use + receiver_module.FD_RESERVE + 30, hard))
    held = []
    try:
        receiver = start()
        cap = receiver.receiver.max_connections
        assert cap <= 30
        held = [tcp(receiver.port) for _ in range(cap)]
        assert b'"ACK"' in answer(held[0], "0001")
        for _ in range(3):
            with tcp(receiver.port) as extra:
                assert extra.recv(4096) == b""  # an answer of sorts: the panel tries again or fails over
        held.pop().close()
        time.sleep(0.2)
        honest_panel_is_answered(receiver.port)
    finally:
        for sock in held:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
