"""Start-up safety and the health check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    dropped = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_without_debug_a_missing_secret_stops_start_up_with_a_clear_message():
    result = run_manage("check", DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_in_production_shape():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="False", SECRET_KEY="x" * 64 + "-production-grade-random-value", ALLOWED_HOSTS="ops.police.example",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_healthz_reports_the_database():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_redis_when_configured(settings):
    settings.REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    assert Client().get("/healthz").json()["redis"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_redis_does_not_answer(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")
