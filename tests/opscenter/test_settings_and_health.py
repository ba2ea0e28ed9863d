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


PRODUCTION_DATABASE = "postgres://nobody@127.0.0.1:1/opscenter"  # never reached: settings stop first


def setting(name, **env):
    result = run_manage(
        "shell", "--no-imports", "-c", f"from django.conf import settings; print(settings.{name})", **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_debug_a_missing_secret_stops_start_up_with_a_clear_message():
    result = run_manage("check", DEBUG="False", DATABASE_URL=PRODUCTION_DATABASE)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_turned_on_even_on_the_embedded_default(tmp_path):
    database = str(tmp_path / "db.sqlite3")
    assert setting("DEBUG", SQLITE_PATH=database) == "False"
    assert setting("DEBUG", SQLITE_PATH=database, DEBUG="True") == "True"


def test_the_secret_can_come_from_a_file(tmp_path):
    (tmp_path / "secret").write_text("from-a-mounted-secret-" + "x" * 40 + "\n")
    key = setting("SECRET_KEY", SECRET_KEY_FILE=str(tmp_path / "secret"), DATABASE_URL=PRODUCTION_DATABASE)
    assert key == "from-a-mounted-secret-" + "x" * 40


def test_an_unreadable_secret_file_stops_start_up(tmp_path):
    result = run_manage("check", SECRET_KEY_FILE=str(tmp_path / "missing"), DATABASE_URL=PRODUCTION_DATABASE)
    assert result.returncode != 0
    assert "SECRET_KEY_FILE cannot be read" in result.stderr


def test_the_embedded_default_makes_its_own_key_once_beside_its_database(tmp_path):
    database = tmp_path / "db.sqlite3"
    first = setting("SECRET_KEY", SQLITE_PATH=str(database))
    second = setting("SECRET_KEY", SQLITE_PATH=str(database))
    key_file = tmp_path / "db.sqlite3.secret-key"
    assert first == second == key_file.read_text()
    assert len(first) >= 64
    assert key_file.stat().st_mode & 0o077 == 0
    assert setting("SECRET_KEY", SQLITE_PATH=str(tmp_path / "other.sqlite3")) != first


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


def test_static_files_collect_in_production_shape(tmp_path):
    """With DEBUG off the static files are served from collectstatic's hashed copies (the Dockerfile runs
    it): every file they reference must be there (a vendored script's source map was not)."""
    result = run_manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings; from django.core.management import call_command; "
        f"settings.STATIC_ROOT = {str(tmp_path)!r}; call_command('collectstatic', '--noinput', '-v', '0')",
        DEBUG="False", SECRET_KEY="collectstatic-only", SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/leaflet/leaflet.js" in manifest
    assert "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in manifest
