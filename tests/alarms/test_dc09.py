"""DC-09 framing with real frames: CRC, length, header, encryption, splitting, responses."""

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from alarms import dc09
from tests.alarms.frames import build_frame

SIA_FRAME = b'\n24810050"SIA-DCS"1660L0#000110[#000110|Nri0RP2^SL 1807110200065423^]_18:00:01,01-19-2022\r'
CID_FRAME = b'\n7449003F"ADM-CID"0078R1L0#AAAA[#00AAAA|3407 01 001]_01:59:16,09-21-2023\r'
KEYS = ["AAAAAAAAAAAAAAAA", "0123456789ABCDEF01234567", "0123456789ABCDEF0123456789ABCDEF"]
NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


def test_crc16_arc_check_value():
    assert dc09.crc16_arc(b"123456789") == 0xBB3D


def test_the_sia_dcs_reference_frame_parses():
    frame = dc09.open_content(dc09.parse_frame(SIA_FRAME), None)
    assert (frame.message_id, frame.encrypted, frame.sequence, frame.receiver, frame.line, frame.account) == (
        "SIA-DCS", False, "1660", None, "0", "000110",
    )  # fmt: skip
    assert frame.data == "#000110|Nri0RP2^SL 1807110200065423^"
    assert frame.timestamp == datetime(2022, 1, 19, 18, 0, 1, tzinfo=UTC)


def test_the_contact_id_reference_frame_parses():
    frame = dc09.open_content(dc09.parse_frame(CID_FRAME), None)
    assert (frame.message_id, frame.sequence, frame.receiver, frame.line, frame.account) == (
        "ADM-CID", "0078", "1", "0", "AAAA",
    )  # fmt: skip
    assert frame.data == "#00AAAA|3407 01 001"
    assert frame.timestamp == datetime(2023, 9, 21, 1, 59, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (SIA_FRAME.replace(b"2481", b"2482"), "CRC mismatch"),
        (SIA_FRAME.replace(b"1660L0", b"1661L0"), "CRC mismatch"),
        (SIA_FRAME.replace(b"0050", b"0051"), "length field says"),
        (SIA_FRAME.replace(b"0050", b"1050"), "must start with 0"),
        (SIA_FRAME.replace(b"2481", b"ZZZZ"), "not hexadecimal"),
        (SIA_FRAME[:-1], "not delimited"),
        (b"\n\r", "shorter than any frame"),
        (b'\n0000000"NULL"0000L0[]\r', "shorter than any frame"),
    ],
)
def test_a_bad_crc_length_or_delimiter_is_a_frame_error(raw, reason):
    with pytest.raises(dc09.FrameError, match=reason):
        dc09.parse_frame(raw)


def test_extended_blocks_are_kept():
    raw = build_frame(data="1120 01 015", extended="[X51.3667][Y51.2333][Mdevice][Vimage]")
    frame = dc09.open_content(dc09.parse_frame(raw), None)
    assert frame.extended == [("X", "51.3667"), ("Y", "51.2333"), ("M", "device"), ("V", "image")]


@pytest.mark.parametrize("key", KEYS, ids=["aes128", "aes192", "aes256"])
def test_encrypted_frames_decrypt_with_each_key_length(key):
    raw = build_frame(data="1121 01 003", key=key)
    frame = dc09.parse_frame(raw)
    assert frame.encrypted
    assert all(c in "0123456789ABCDEF" for c in frame.body)
    frame = dc09.open_content(frame, key)
    assert frame.data == "#1234|1121 01 003"
    assert frame.timestamp is not None


def test_the_wrong_key_is_a_content_error():
    frame = dc09.parse_frame(build_frame(key=KEYS[0]))
    with pytest.raises(dc09.ContentError):
        dc09.open_content(frame, "BBBBBBBBBBBBBBBB")


@pytest.mark.parametrize("key", ["", "ABC", "G" * 16, "A" * 20])
def test_a_bad_key_is_refused(key):
    with pytest.raises(ValueError):
        dc09.aes_key(key)


def test_split_handles_batched_split_and_garbage_input():
    buffer = bytearray(b"junk" + SIA_FRAME + CID_FRAME[:20])
    assert dc09.split_frames(buffer) == [SIA_FRAME]
    assert bytes(buffer) == CID_FRAME[:20]
    buffer += CID_FRAME[20:] + SIA_FRAME
    assert dc09.split_frames(buffer) == [CID_FRAME, SIA_FRAME]
    assert buffer == bytearray()


def test_split_drops_an_endless_run_without_cr():
    buffer = bytearray(b"\n" + b"A" * 5000)
    assert dc09.split_frames(buffer) == []
    assert len(buffer) <= dc09.MAX_FRAME_BYTES


def test_split_discards_a_flood_of_lf_without_cr_in_one_slice():
    splitter = dc09.Splitter()
    assert splitter.feed(b"\n" * 1_000_000) == []
    assert (bytes(splitter.buffer), splitter.discarded) == (b"\n", 1)  # the last LF may still open a frame
    assert splitter.feed(SIA_FRAME[1:]) == [SIA_FRAME]


def test_split_keeps_a_frame_after_a_long_run_of_garbage():
    splitter = dc09.Splitter()
    assert splitter.feed(b"\n" + b"A" * 5000 + SIA_FRAME[:30]) == []
    assert bytes(splitter.buffer) == SIA_FRAME[:30]
    assert splitter.feed(SIA_FRAME[30:]) == [SIA_FRAME]


def test_the_shortest_frame_is_a_frame():
    raw = dc09.panel_frame(message_id="NULL", data=None, receiver=None, account="1234")
    assert len(raw) >= dc09.MIN_FRAME_BYTES
    assert dc09.parse_frame(raw).message_id == "NULL"


def test_split_starts_at_the_last_lf_before_cr():
    buffer = bytearray(b"\ngarbage" + SIA_FRAME)
    assert dc09.split_frames(buffer) == [SIA_FRAME]


def parsed_response(raw: bytes) -> dc09.Frame:
    """Responses are frames too: CRC and length must check."""
    header = raw[9:-1]
    assert dc09.crc16_arc(header) == int(raw[1:5], 16)
    assert len(header) == int(raw[5:9], 16)
    return header.decode()


def test_ack_echoes_sequence_receiver_line_and_account():
    frame = dc09.parse_frame(CID_FRAME)
    assert parsed_response(dc09.build_ack(frame, None, NOW)) == '"ACK"0078R1L0#AAAA[]'


def test_ack_without_a_receiver_has_no_placeholder():
    frame = dc09.parse_frame(SIA_FRAME)
    response = parsed_response(dc09.build_ack(frame, None, NOW))
    assert response == '"ACK"1660L0#000110[]'
    assert "None" not in response


def test_nak_carries_the_receivers_timestamp():
    frame = dc09.parse_frame(CID_FRAME)
    assert parsed_response(dc09.build_nak(frame, NOW)) == '"NAK"0078R1L0#AAAA[]_12:00:00,11-26-2026'


def test_duh_echoes_the_address():
    frame = dc09.parse_frame(CID_FRAME)
    assert parsed_response(dc09.build_duh(frame)) == '"DUH"0078R1L0#AAAA[]'


@pytest.mark.parametrize("key", KEYS, ids=["aes128", "aes192", "aes256"])
def test_an_encrypted_frame_gets_an_encrypted_ack(key):
    frame = dc09.parse_frame(build_frame(key=key, sequence="0042"))
    response = parsed_response(dc09.build_ack(frame, key, NOW))
    assert response.startswith('"*ACK"0042R1L0#1234[')
    hex_body = response.split("[", 1)[1]
    assert dc09.decrypt_text(hex_body, key).split("|", 1)[1] == "]_12:00:00,11-26-2026"


frame_bytes = st.lists(
    st.binary(max_size=120)
    | st.sampled_from([b"\n", b"\r", b"\n\r", SIA_FRAME, CID_FRAME, SIA_FRAME[:30], b'"NULL"0000L0[]']),
    max_size=12,
).map(b"".join)


@hypothesis_settings(max_examples=300, deadline=None)
@given(stream=frame_bytes, cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=6))
def test_splitting_does_not_depend_on_how_the_stream_was_read_and_parsing_only_raises_frame_error(stream, cuts):
    whole = dc09.Splitter().feed(stream)
    splitter, pieces, start = dc09.Splitter(), [], 0
    for cut in sorted(cuts):
        pieces += splitter.feed(stream[start:cut])
        start = max(start, cut)
    pieces += splitter.feed(stream[start:])
    if len(stream) <= dc09.MAX_FRAME_BYTES:  # past it, garbage is dropped by the read it arrives in
        assert pieces == whole
    for raw in whole:
        assert raw.startswith(b"\n") and raw.endswith(b"\r") and b"\n" not in raw[1:]
        with contextlib.suppress(dc09.FrameError):
            dc09.parse_frame(raw)
    assert len(splitter.buffer) <= dc09.MAX_FRAME_BYTES
