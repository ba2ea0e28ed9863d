"""Webhook URLs are https at public addresses: checked when saved (service, model, admin, command) and
again at every send on the addresses the host resolves to then; the connection is pinned to the address
checked, with the partner's name in SNI, in the certificate check and in Host. Against a real HTTPS server
with a CA the tests make."""

import pytest
from django.core.exceptions import ValidationError

from appeals.models import Partner
from appeals.services import appeals as workflow
from appeals.services.partners import partner_create, partner_webhook_enable
from appeals.services.webhooks import WEBHOOK_CHANNEL
from opscenter.models import OutboxAttempt, OutboxMessage, OutboxStatus
from opscenter.outbound import OutboundRefused, outbound_addresses, outbound_post
from tests.appeals.receiver import HOSTNAME, PUBLIC_ADDRESS, WebhookReceiver, fake_dns, trust_the_receiver

pytestmark = pytest.mark.django_db

DNS = {
    "kaspi.example": [PUBLIC_ADDRESS],
    "rebind.example": [PUBLIC_ADDRESS],
    "db.internal.example": ["10.0.0.7"],
    "metadata.example": ["169.254.169.254"],
    "split.example": [PUBLIC_ADDRESS, "192.168.1.20"],
    "v6.example": ["fd00::5"],
    "mapped.example": ["::ffff:127.0.0.1"],
}


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    fake_dns(monkeypatch, DNS)


@pytest.fixture
def receiver(monkeypatch, settings):
    trust_the_receiver(monkeypatch, settings)
    fake_dns(monkeypatch, {**DNS, HOSTNAME: ["127.0.0.1"]})
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://kaspi.example/hooks", "https"),
        ("https://127.0.0.1/hooks", "127.0.0.1 is a loopback address"),
        ("https://[::1]/hooks", "::1 is a loopback address"),
        ("https://db.internal.example/hooks", "10.0.0.7 is a private address"),
        ("https://metadata.example/latest", "169.254.169.254 is a link-local address"),
        ("https://split.example/hooks", "192.168.1.20 is a private address"),
        ("https://v6.example/hooks", "fd00::5 is a private address"),
        ("https://mapped.example/hooks", "::ffff:127.0.0.1 is a loopback address"),
        ("https://no-such-host.invalid/hooks", "does not resolve"),
    ],
)
def test_a_webhook_url_that_is_not_https_at_a_public_address_is_refused_when_saved(url, reason):
    with pytest.raises(ValidationError) as refused:
        partner_create(code="bad", name="Bad", webhook_url=url)
    assert reason in " ".join(refused.value.messages)
    assert not Partner.objects.filter(code="bad").exists()


def test_a_public_https_url_is_taken():
    partner, _credentials = partner_create(code="kaspi", name="Kaspi.kz", webhook_url="https://kaspi.example/hooks")
    assert partner.webhook_url == "https://kaspi.example/hooks"
    assert outbound_addresses(partner.webhook_url) == [PUBLIC_ADDRESS]


def test_the_model_and_so_the_admin_refuse_it_too(admin_client):
    partner, _credentials = partner_create(code="kaspi", name="Kaspi.kz", webhook_url="https://kaspi.example/hooks")
    partner.webhook_url = "https://db.internal.example/hooks"
    with pytest.raises(ValidationError) as refused:
        partner.full_clean()
    assert "10.0.0.7 is a private address" in str(refused.value)

    page = admin_client.post(
        "/admin/appeals/partner/add/", {"code": "halyk", "name": "Halyk", "webhook_url": "https://metadata.example/x"}
    )
    assert page.status_code == 200  # the form again, with the error
    assert "169.254.169.254 is a link-local address" in page.content.decode()
    assert not Partner.objects.filter(code="halyk").exists()


def test_turning_a_webhook_back_on_with_a_new_url_checks_it():
    partner, _credentials = partner_create(code="kaspi", name="Kaspi.kz", webhook_url="https://kaspi.example/hooks")
    with pytest.raises(ValidationError):
        partner_webhook_enable(partner=partner, actor=None, webhook_url="https://127.0.0.1:8000/admin/")
    partner.refresh_from_db()
    assert partner.webhook_url == "https://kaspi.example/hooks"


def test_private_targets_are_allowed_only_by_the_setting(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    partner, _credentials = partner_create(code="dev", name="Dev", webhook_url="https://db.internal.example/hooks")
    assert partner.webhook_url == "https://db.internal.example/hooks"
    with pytest.raises(ValidationError):  # https is required even then
        partner_create(code="dev2", name="Dev", webhook_url="http://db.internal.example/hooks")


def test_at_send_the_host_is_checked_again_and_a_private_answer_sends_nothing(
    receiver, monkeypatch, settings, file_appeal, officer_uralsk, django_capture_on_commit_callbacks
):
    """The name resolved to a public address when it was saved; now (DNS rebinding, or a changed record)
    it resolves to this network's own host: nothing is sent, the attempt says why, and it is retried."""
    partner, _credentials = partner_create(
        code="rebind", name="Rebinding partner", webhook_url=f"https://rebind.example:{receiver.port}/h"
    )
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    fake_dns(monkeypatch, {"rebind.example": ["127.0.0.1"]})
    with django_capture_on_commit_callbacks(execute=True):
        workflow.appeal_answer(appeal=file_appeal(partner=partner), actor=officer_uralsk, text="Done.")

    message = OutboxMessage.objects.get(channel=WEBHOOK_CHANNEL)
    assert message.status == OutboxStatus.PENDING
    assert (
        message.last_error
        == "WebhookDeliveryFailed: refused: rebind.example resolves to 127.0.0.1 is a loopback address"
    )
    assert OutboxAttempt.objects.get(message=message).status_code is None
    assert receiver.received == []


def test_the_connection_goes_to_the_checked_address_with_the_partners_name_in_tls_and_host(receiver):
    """HOSTNAME is known to no real DNS: the request can only arrive through the address the platform
    resolved and checked, and only verify because SNI and the certificate check use the name."""
    response = outbound_post(receiver.url, data=b"{}", headers={"Content-Type": "application/json"}, timeout=5)
    assert response.status_code == 204
    (got,) = receiver.received
    assert (got.server_name, got.headers["host"], got.body) == (HOSTNAME, f"{HOSTNAME}:{receiver.port}", b"{}")


def test_a_certificate_of_an_untrusted_ca_fails_the_send(receiver, settings):
    settings.OUTBOUND_CA_BUNDLE = ""  # the system's CAs, which never signed the tests' certificate
    import requests

    with pytest.raises(requests.exceptions.SSLError):
        outbound_post(receiver.url, data=b"{}", headers={}, timeout=5)
    assert receiver.received == []


def test_a_certificate_for_another_name_fails_the_send(receiver, monkeypatch):
    """The receiver's certificate names HOSTNAME, localhost and 127.0.0.1: called as another name that
    resolves to the same address, the check by name fails (pinning does not skip it)."""
    import requests

    fake_dns(monkeypatch, {"other.example": ["127.0.0.1"]})
    with pytest.raises(requests.exceptions.SSLError):
        outbound_post(f"https://other.example:{receiver.port}/hooks", data=b"{}", headers={}, timeout=5)


def test_plain_http_is_never_called(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    with pytest.raises(OutboundRefused, match="only https"):
        outbound_post("http://127.0.0.1:9/hooks", data=b"", headers={}, timeout=1)


def test_an_address_that_refuses_the_connection_gives_way_to_the_next_one_checked(receiver, monkeypatch):
    """127.0.0.2 listens nowhere on the receiver's port: the next address the name resolves to is tried."""
    fake_dns(monkeypatch, {HOSTNAME: ["127.0.0.2", "127.0.0.1"]})
    response = outbound_post(receiver.url, data=b"{}", headers={}, timeout=5)
    assert response.status_code == 204
    assert [got.server_name for got in receiver.received] == [HOSTNAME]


def test_when_no_address_takes_the_connection_the_last_error_is_raised(receiver, monkeypatch):
    import requests

    fake_dns(monkeypatch, {HOSTNAME: ["127.0.0.2", "127.0.0.3"]})
    with pytest.raises(requests.ConnectionError):
        outbound_post(receiver.url, data=b"{}", headers={}, timeout=5)
    assert receiver.received == []
