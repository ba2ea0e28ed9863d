"""Session login for people, with lockout after repeated failures; the user's language."""

import pytest
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
