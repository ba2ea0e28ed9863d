"""The API's schema and documentation: only for people signed in, and the docs page loads nothing from
outside."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_needs_a_login():
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_the_docs_send_a_stranger_to_the_login_page():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/api/v1/docs/"


def test_the_docs_load_their_script_from_us_and_nothing_from_outside(operator_uralsk):
    client = Client()
    client.force_login(operator_uralsk)

    page = client.get("/api/v1/docs/").content.decode()

    references = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
    scripts = re.findall(r"""<script[^>]*src=["']([^"']+)["']""", page)
    assert scripts == ["/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"]
    assert [ref for ref in references if re.match(r"^(https?:)?//", ref)] == []
    assert finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    assert client.get("/api/v1/schema/").status_code == 200
