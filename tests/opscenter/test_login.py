"""Session login for people, with lockout after repeated failures; the user's language."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from opscenter.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="198.51.100.4")


def test_the_dashboard_needs_a_login():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_good_login_opens_the_dashboard(operator_uralsk):
    client = Client()
    assert login(client, "op_uralsk", PASSWORD)["Location"] == "/"
    assert client.get("/").status_code == 200


def test_five_failures_lock_the_account_out_even_for_the_right_password(operator_uralsk, settings):
    settings.AXES_FAILURE_LIMIT = 5
    client = Client()
    for _ in range(5):
        assert login(client, "op_uralsk", "wrong-password").status_code in (200, 429)

    response = login(client, "op_uralsk", PASSWORD)

    assert response.status_code == 429
    assert client.get("/").status_code == 302


def test_the_interface_speaks_russian_by_default(operator_uralsk):
    response = Client().get("/login/")
    assert response.headers["Content-Language"] == "ru"


def test_a_users_chosen_language_is_used(operator_uralsk):
    User.objects.filter(pk=operator_uralsk.pk).update(language="kk")
    client = Client()
    client.force_login(operator_uralsk)
    assert client.get("/").headers["Content-Language"] == "kk"


@pytest.mark.parametrize(("language", "word"), [("ru", "Войти"), ("kk", "Кіру"), ("en", "Sign in")])
def test_the_login_page_is_translated(language, word):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/login/")
    assert word in response.content.decode()


PROXY = "10.0.0.2"


def login_through_proxy(client, username, password, *, address):
    """As the TLS proxy forwards it: the proxy's own address, the client's appended to X-Forwarded-For."""
    return client.post(
        "/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"192.0.2.66, {address}",  # the first hop is whatever the client wrote
    )


def test_behind_the_proxy_failures_from_one_address_do_not_lock_the_user_out_at_another(operator_uralsk, settings):
    settings.PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        login_through_proxy(Client(), "op_uralsk", "wrong-password", address="203.0.113.9")
    assert login_through_proxy(Client(), "op_uralsk", PASSWORD, address="203.0.113.9").status_code == 429

    response = login_through_proxy(Client(), "op_uralsk", PASSWORD, address="198.51.100.4")

    assert response.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"


def test_an_address_trying_many_usernames_is_locked_out_whatever_the_username(operator_uralsk, settings):
    settings.PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    for number in range(8):
        login_through_proxy(Client(), f"guess{number}", "wrong-password", address="203.0.113.9")

    assert login_through_proxy(Client(), "op_uralsk", PASSWORD, address="203.0.113.9").status_code == 429
    assert login_through_proxy(Client(), "op_uralsk", PASSWORD, address="198.51.100.4").status_code == 302


def test_a_forwarded_address_that_is_not_an_address_falls_back_to_the_peer(operator_uralsk, settings):
    settings.PROXY_COUNT = 1
    response = Client().post(
        "/login/", {"username": "op_uralsk", "password": "wrong"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="junk"
    )
    assert response.status_code == 200
    assert AccessAttempt.objects.get().ip_address == PROXY
