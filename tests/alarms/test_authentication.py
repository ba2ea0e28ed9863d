"""Alarm lines cannot be faked: a keyed panel speaks only encrypted and timestamped, NULL included; a frame
that fails authentication changes nothing; keyless panels are flagged; panels can be pinned to networks."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from alarms.models import AlarmEvent, AlarmPanel, ReceivedFrame, RefusedInput
from alarms.selectors import alarm_response_report
from alarms.services import frame_receive, panel_create, panels_supervise
from opscenter.models import Alert
from tests.alarms.conftest import KEY
from tests.alarms.frames import build_frame, stamp
from tests.factories import district

pytestmark = pytest.mark.django_db

PEER = "192.0.2.10:40000"


def receive(raw: bytes, peer: str = PEER, now: datetime | None = None):
    return frame_receive(raw=raw, transport="tcp", peer=peer, now=now)


def keyed(**fields) -> bytes:
    return build_frame(account="ABCD01", key=KEY, **fields)


def plain(**fields) -> bytes:
    return build_frame(account="ABCD01", **fields)


def contact(panel: AlarmPanel):
    panel.refresh_from_db()
    return panel.is_online, panel.last_contact_at


def test_an_encrypted_null_with_a_timestamp_is_acked_encrypted_and_proves_the_link(encrypted_panel):
    received = receive(keyed(message_id="NULL", data=None, sequence="0021"))
    assert received.outcome == "ack"
    assert received.response[9:].startswith(b'"*ACK"0021R1L0#ABCD01[')
    assert contact(encrypted_panel)[0] is True


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (plain(message_id="NULL", data=None), "plain frame for an account that encrypts"),
        (plain(message_id="NULL", data=None, timestamp=None), "plain frame for an account that encrypts"),
        (plain(data="1602 00 000"), "plain frame for an account that encrypts"),
        (plain(data="1120 01 001"), "plain frame for an account that encrypts"),
        (keyed(message_id="NULL", data=None, timestamp=None), "encrypted frame without a timestamp"),
        (keyed(data="1120 01 001", timestamp=None), "encrypted frame without a timestamp"),
        (build_frame(account="ABCD01", key="FEDCBA9876543210"), "does not decrypt"),
    ],
    ids=[
        "plain NULL",
        "plain NULL without timestamp",
        "plain test",
        "plain panic",
        "NULL without timestamp",
        "panic without timestamp",
        "wrong key",
    ],
)
def test_a_keyed_panel_refuses_with_duh_anything_plain_or_untimed_and_nothing_changes(encrypted_panel, raw, reason):
    before = contact(encrypted_panel)

    received = receive(raw)

    assert received.outcome == "duh"
    assert received.response[9:].startswith(b'"DUH"')
    assert reason in received.reason
    assert contact(encrypted_panel) == before == (False, None)
    assert ReceivedFrame.objects.count() == AlarmEvent.objects.count() == Alert.objects.count() == 0
    assert RefusedInput.objects.get().last_reason == received.reason


@pytest.mark.parametrize("offset", [timedelta(seconds=-41), timedelta(seconds=21), timedelta(days=-1)])
def test_an_encrypted_null_outside_the_window_gets_nak_and_refreshes_nothing(encrypted_panel, offset):
    now = datetime.now(UTC)
    received = receive(keyed(message_id="NULL", data=None, timestamp=stamp(now + offset)), now=now)
    assert received.outcome == "nak"
    assert contact(encrypted_panel) == (False, None)
    assert ReceivedFrame.objects.count() == 0


def test_an_unauthenticated_frame_resolves_no_silent_alert_and_restores_nothing(encrypted_panel):
    receive(keyed(data="1602 00 000", sequence="0001"))
    receive(keyed(data="1120 01 001", sequence="0002"))
    AlarmPanel.objects.filter(pk=encrypted_panel.pk).update(last_contact_at=datetime.now(UTC) - timedelta(hours=1))
    assert panels_supervise() == 1
    last_contact = contact(encrypted_panel)

    for raw in (
        plain(message_id="NULL", data=None),
        plain(data="3120 01 001", sequence="0003"),
        plain(data="1602 00 000", sequence="0004"),
    ):
        assert receive(raw).outcome == "duh"

    assert contact(encrypted_panel) == last_contact
    assert Alert.objects.get(kind="panel_silent").status == "new"
    panic = Alert.objects.get(kind="panic")
    assert "restored_at" not in panic.payload
    assert AlarmEvent.objects.filter(event_class="restore").count() == 0


def test_when_encryption_is_required_a_keyless_panel_is_refused_and_cannot_be_created(panel, settings):
    settings.SIA_REQUIRE_ENCRYPTION = True

    received = receive(build_frame(message_id="NULL", data=None))

    assert received.outcome == "duh"
    assert received.reason == "the panel has no key and this receiver requires encryption"
    assert contact(panel) == (False, None)
    with pytest.raises(ValidationError, match="requires encryption"):
        panel_create(account="5555", object_name="Post 3", object_kind="police_post", district=district("syrym"))
    keyed_panel = panel_create(
        account="5556", object_name="Post 4", object_kind="police_post", district=district("syrym"), aes_key=KEY
    )
    assert receive(build_frame(account="5556", key=KEY, data="1602 00 000")).outcome == "ack"
    assert contact(keyed_panel)[0] is True


@pytest.mark.parametrize(
    ("networks", "peer", "outcome"),
    [
        ("192.0.2.0/24", "192.0.2.10:40000", "ack"),
        ("192.0.2.0/24", "198.51.100.7:40000", "duh"),
        ("198.51.100.7, 192.0.2.0/28", "192.0.2.10:40000", "ack"),
        ("198.51.100.7\n203.0.113.0/24", "192.0.2.10:40000", "duh"),
        ("2001:db8::/32", "2001:db8::5:40000", "ack"),
        ("2001:db8::/32", "demo-simulator", "duh"),
        ("", "198.51.100.7:40000", "ack"),
    ],
)
def test_a_panel_pinned_to_networks_is_heard_only_from_them(panel, networks, peer, outcome):
    AlarmPanel.objects.filter(pk=panel.pk).update(source_networks=networks)

    received = receive(build_frame(data="1602 00 000"), peer=peer)

    assert received.outcome == outcome
    assert contact(panel)[0] is (outcome == "ack")
    if outcome == "duh":
        assert received.reason == "source address outside the panel's networks"


def test_source_networks_must_be_addresses_or_networks(panel):
    panel.source_networks = "192.0.2.0/24\nnot-a-network"
    with pytest.raises(ValidationError, match=r"192\.0\.2\.0/24"):
        panel.full_clean()
    panel.source_networks = "192.0.2.0/24\n2001:db8::/32, 198.51.100.7"
    panel.full_clean()


def test_the_admin_flags_and_filters_keyless_panels(panel, encrypted_panel, admin_client):
    everything = admin_client.get("/admin/alarms/alarmpanel/").content.decode()
    assert "column-authenticated" in everything
    keyless = admin_client.get("/admin/alarms/alarmpanel/", {"authenticated": "no"}).content.decode()
    keyed_only = admin_client.get("/admin/alarms/alarmpanel/", {"authenticated": "yes"}).content.decode()
    assert "School No. 5" in keyless and "Kindergarten Balapan" not in keyless
    assert "Kindergarten Balapan" in keyed_only and "School No. 5" not in keyed_only


def test_the_alarm_report_names_the_unauthenticated_panels(panel, encrypted_panel, supervisor_uralsk):
    now = datetime.now(UTC)
    report = alarm_response_report(user=supervisor_uralsk, since=now - timedelta(days=1), until=now)
    assert report.unauthenticated == [{"account": "1234", "object": "School No. 5"}]
    client = Client()
    client.force_login(supervisor_uralsk)
    assert client.get("/api/v1/alarms/report/").json()["unauthenticated"] == [
        {"account": "1234", "object": "School No. 5"}
    ]
    page = client.get("/alarms/report/").content.decode()
    assert "Панели без проверки подлинности" in page and "1234" in page  # the page speaks Russian by default
