"""Management commands and the admin's partner pages: credentials shown once, rotation, calendar."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from appeals import crypto
from appeals.models import CalendarDay, Partner
from appeals.simulator import DEMO_PARTNERS, simulate_appeals
from opscenter.models import DeviceCredential
from tests.appeals.conftest import SignedClient
from tests.appeals.receiver import PUBLIC_ADDRESS, fake_dns

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_add_partner_prints_its_credentials_once_as_json(monkeypatch):
    fake_dns(monkeypatch, {"kaspi.example": [PUBLIC_ADDRESS]})
    credentials = run("appeals_add_partner", "--code", "kaspi", "--name", "Kaspi.kz",
                      "--webhook-url", "https://kaspi.example/hooks")  # fmt: skip
    assert set(credentials) == {"key_id", "secret", "webhook_secret"}
    assert credentials["webhook_secret"].startswith("whsec_")
    partner = Partner.objects.get(code="kaspi")
    assert (partner.key_id, partner.webhook_url) == (credentials["key_id"], "https://kaspi.example/hooks")
    stored = " ".join(str(value) for value in Partner.objects.values().get().values())
    assert credentials["secret"] not in stored and credentials["webhook_secret"] not in stored
    assert (
        SignedClient(credentials["key_id"], credentials["secret"]).get("/api/v1/partner/categories").status_code == 200
    )


def test_add_partner_with_open311_issues_an_api_key():
    credentials = run("appeals_add_partner", "--code", "cityapp", "--name", "City app", "--open311")
    assert credentials["open311_api_key"]
    assert DeviceCredential.objects.filter(kind="open311", identifier="cityapp").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--code", "Kaspi Bank", "--name", "x"], "slug"),
        (["--code", "kaspi", "--name", "x", "--webhook-url", "ftp://x"], "URL"),
        (["--code", "kaspi", "--name", "x", "--webhook-url", "http://kaspi.example/hooks"], "https"),
        (["--code", "kaspi", "--name", "x", "--webhook-url", "https://127.0.0.1/hooks"], "loopback"),
    ],
)
def test_add_partner_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("appeals_add_partner", *args)


def test_a_partner_code_is_registered_once():
    run("appeals_add_partner", "--code", "kaspi", "--name", "Kaspi.kz")
    with pytest.raises(CommandError, match="exists"):
        call_command("appeals_add_partner", "--code", "kaspi", "--name", "Kaspi.kz")


def test_rotate_prints_new_secrets_and_keeps_the_key_id():
    first = run("appeals_add_partner", "--code", "halyk", "--name", "Halyk Bank")
    rotated = run("appeals_rotate_partner", "--code", "halyk", "--only", "request")
    assert set(rotated) == {"key_id", "secret"}
    assert rotated["key_id"] == first["key_id"] and rotated["secret"] != first["secret"]
    # the old secret works during the overlap
    assert SignedClient(first["key_id"], first["secret"]).get("/api/v1/partner/categories").status_code == 200
    assert SignedClient(first["key_id"], rotated["secret"]).get("/api/v1/partner/categories?x").status_code == 200


def test_reencrypt_moves_secrets_to_a_new_key(settings):
    from cryptography.fernet import Fernet

    old_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old_key
    credentials = run("appeals_add_partner", "--code", "egov", "--name", "eGov Mobile")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = f"{new_key},{old_key}"
    call_command("appeals_reencrypt_secrets", stdout=None)
    settings.FIELD_ENCRYPTION_KEY = new_key
    partner = Partner.objects.get()
    assert crypto.decrypt(partner.secret_encrypted) == credentials["secret"]
    assert crypto.decrypt(partner.webhook_secret_encrypted) == credentials["webhook_secret"]


def test_fill_calendar_enters_a_year(capsys):
    call_command("appeals_fill_calendar", "--year", "2028")
    assert "days entered for 2028" in capsys.readouterr().out
    assert CalendarDay.objects.filter(date__year=2028, kind="holiday").count() == 14


def test_the_admin_shows_a_new_partners_credentials_once(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    response = client.post("/admin/appeals/partner/add/", {"code": "halyk", "name": "Halyk Bank", "webhook_url": ""})
    assert response.status_code == 200
    html = response.content.decode()
    partner = Partner.objects.get(code="halyk")
    assert partner.key_id in html and "whsec_" in html
    assert "whsec_" not in client.get(f"/admin/appeals/partner/{partner.pk}/change/").content.decode()


def test_the_simulator_files_appeals_from_the_three_partners():
    import random

    rng = random.Random(7)
    for _round in range(80):
        simulate_appeals(rng)
    partners = set(Partner.objects.filter(appeals__isnull=False).values_list("code", flat=True))
    assert partners == {code for code, _name in DEMO_PARTNERS}
