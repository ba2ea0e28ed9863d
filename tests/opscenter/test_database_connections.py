"""Database connections fail fast when the database host vanishes (connect timeout, keepalives, a bound on
unacknowledged writes, a statement timeout lifted for migrate), and web processes may pool them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.models.signals import pre_migrate

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")

postgresql_only = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"), reason="libpq connection parameters and pooling are PostgreSQL's"
)


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    """A fresh process, so that settings are read again from the environment given."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "opscenter.settings", "DATABASE_URL": DATABASE_URL, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@postgresql_only
@pytest.mark.django_db
def test_a_connection_carries_a_connect_timeout_keepalives_and_a_user_timeout():
    connection.ensure_connection()
    parameters = connection.connection.info.get_parameters()
    assert parameters["connect_timeout"] == "5"
    assert (parameters["keepalives"], parameters["keepalives_idle"]) == ("1", "30")
    assert (parameters["keepalives_interval"], parameters["keepalives_count"]) == ("10", "3")
    assert parameters["tcp_user_timeout"] == "30000"


@postgresql_only
@pytest.mark.django_db
def test_a_fresh_connection_has_a_statement_timeout():
    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone() == ("30s",)
    finally:
        fresh.close()


@postgresql_only
def test_a_statement_past_the_timeout_is_cancelled():
    result = run_python(
        "from django.db import connection\n"
        "try:\n"
        "    connection.cursor().execute('SELECT pg_sleep(5)')\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, error)\n",
        DATABASE_STATEMENT_TIMEOUT_MS="100",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OperationalError canceling statement due to statement timeout")


@postgresql_only
@pytest.mark.django_db
def test_migrate_runs_without_the_statement_timeout_and_restores_it():
    seen = []

    def record(sender, using, **kwargs):
        with connections[using].cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])

    pre_migrate.connect(record, dispatch_uid="test.record_statement_timeout")  # runs after opscenter's
    try:
        call_command("migrate", verbosity=0)
    finally:
        pre_migrate.disconnect(dispatch_uid="test.record_statement_timeout")
    assert seen and set(seen) == {"0"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("30s",)


@postgresql_only
def test_with_database_pool_connections_come_from_a_psycopg_pool():
    result = run_python(
        "from django.db import connection\n"
        "connection.ensure_connection()\n"
        "print(type(connection.pool).__name__, connection.pool.min_size, connection.pool.max_size)\n"
        "connection.close()\n"
        "print(connection.pool.get_stats()['pool_available'] >= 1)\n",
        DATABASE_POOL="True",
        DATABASE_POOL_MAX_SIZE="4",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["ConnectionPool 2 4", "True"]


@postgresql_only
def test_a_pool_with_kept_connections_is_refused_at_start_up():
    result = run_python("", DATABASE_POOL="True", DATABASE_CONN_MAX_AGE="60")
    assert result.returncode != 0
    assert "DATABASE_POOL is on and DATABASE_CONN_MAX_AGE is not 0" in result.stderr


def test_without_a_pool_there_is_no_pool():
    result = run_python(
        "from django.conf import settings\nprint(settings.DATABASE_POOL, 'pool' in settings.DATABASES['default'].get('OPTIONS', {}))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False False"
