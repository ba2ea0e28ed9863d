"""The serving processes connect as a role of their own (db_grant_runtime_role): with it the platform works,
and the audit can be added to and read, never changed, emptied, or stripped of its triggers."""

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from rest_framework.test import APIClient

from opscenter.models import Alert, AlertStatus, AuditEntry
from opscenter.services.alerts import alert_raise
from opscenter.services.audit import audit_personal_data_read, audit_record
from opscenter.services.audit_chain import audit_verify
from opscenter.tasks import deliver_due_outbox, escalate_alerts, seal_audit
from tests.factories import UserFactory, district

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles and grants are PostgreSQL's; the embedded SQLite has none"
)
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # other connections see the grants

PASSWORD = "runtime-role-of-the-tests"


@pytest.fixture
def runtime_role(monkeypatch) -> Iterator[str]:
    """A runtime role of this test database's own (roles are the whole server's), dropped afterwards."""
    role = f"{connection.settings_dict['NAME']}_runtime"[:63].lower()
    monkeypatch.setenv("OPSCENTER_RUNTIME_PASSWORD", PASSWORD)
    call_command(
        "db_grant_runtime_role", "--role", role, "--password-env", "OPSCENTER_RUNTIME_PASSWORD", stdout=io.StringIO()
    )
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


@contextlib.contextmanager
def connected_as(role: str) -> Iterator[None]:
    """The test's code runs on a connection of `role`, as the web, worker and beat processes do."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(USER=role, PASSWORD=PASSWORD)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@on_postgresql
def test_the_platform_works_as_the_runtime_role(runtime_role):
    with connected_as(runtime_role):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == runtime_role
        operator = UserFactory(username="op_runtime", role="operator", centers=["uralsk"])
        alert = alert_raise(source="test", kind="t", severity=1, title="x", district=district("uralsk"))
        client = APIClient()
        client.force_login(operator)
        assert client.get("/api/v1/alerts/").json()["count"] == 1
        assert client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 200
        audit_personal_data_read(actor=operator, obj=operator, reason="УД 2411")
        escalate_alerts()
        deliver_due_outbox()
        assert seal_audit() >= 2  # the beat's seal may add to the chain, and the chain can be verified
        assert audit_verify().holds
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"alert.acknowledge", "personal_data.read"}


def _raw(statement: str):
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement)

    return run


EDITS = {
    "UPDATE": _raw("UPDATE opscenter_auditentry SET action = 'z'"),
    "DELETE": _raw("DELETE FROM opscenter_auditentry"),
    "TRUNCATE": _raw("TRUNCATE opscenter_auditentry"),
    "disable its triggers": _raw("ALTER TABLE opscenter_auditentry DISABLE TRIGGER ALL"),
    "drop its trigger": _raw("DROP TRIGGER opscenter_auditentry_no_truncate ON opscenter_auditentry"),
    "replica mode (no triggers)": _raw("SET session_replication_role = replica"),
    "ORM update": lambda: AuditEntry.objects.update(action="z"),
    "ORM delete": lambda: AuditEntry.objects.all().delete(),
}


@on_postgresql
@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_the_runtime_role_cannot_edit_the_audit(runtime_role, edit):
    entry = audit_record(actor=None, action="x.y")
    with connected_as(runtime_role):
        with pytest.raises(DatabaseError, match=r"permission denied|must be owner"), transaction.atomic():
            edit()
        assert audit_record(actor=None, action="x.z").pk > entry.pk  # it may still append
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == ["x.y", "x.z"]


@on_postgresql
def test_the_grants_are_insert_and_select_on_the_audit_and_read_write_elsewhere(runtime_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = %s ORDER BY privilege_type",
            [runtime_role, "opscenter_auditentry"],
        )
        assert [row[0] for row in cursor.fetchall()] == ["INSERT", "SELECT"]
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = %s ORDER BY privilege_type",
            [runtime_role, "opscenter_auditseal"],
        )
        assert [row[0] for row in cursor.fetchall()] == ["INSERT", "SELECT"]
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = %s ORDER BY privilege_type",
            [runtime_role, "opscenter_alert"],
        )
        assert [row[0] for row in cursor.fetchall()] == ["DELETE", "INSERT", "SELECT", "UPDATE"]
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = %s ORDER BY privilege_type",
            [runtime_role, "django_migrations"],
        )
        assert [row[0] for row in cursor.fetchall()] == ["SELECT"]


@on_postgresql
def test_granting_is_refused_to_the_owner_and_to_superusers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match=r"superuser|the role running this command"):
        call_command("db_grant_runtime_role", "--role", owner, stdout=io.StringIO())


@on_postgresql
def test_granting_to_a_role_that_may_create_roles_is_refused(runtime_role):
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER ROLE {runtime_role} CREATEROLE")
    with pytest.raises(CommandError, match="may create roles"):
        call_command("db_grant_runtime_role", "--role", runtime_role, stdout=io.StringIO())


@on_postgresql
def test_granting_to_a_member_of_the_owner_is_refused(runtime_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        cursor.execute(f"GRANT {connection.ops.quote_name(owner)} TO {runtime_role}")
    with pytest.raises(CommandError, match="or a member of it"):
        call_command("db_grant_runtime_role", "--role", runtime_role, stdout=io.StringIO())


@on_postgresql
def test_granting_to_a_missing_role_without_a_password_is_refused():
    with pytest.raises(CommandError, match="There is no role"):
        call_command("db_grant_runtime_role", "--role", "opscenter_no_such_role", stdout=io.StringIO())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded database's answer")
def test_granting_on_sqlite_says_there_are_no_roles():
    with pytest.raises(CommandError, match="Roles are PostgreSQL's"):
        call_command("db_grant_runtime_role", "--role", "opscenter_runtime", stdout=io.StringIO())


def test_compose_serves_as_the_runtime_role_and_migrates_as_the_owner():
    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
    services = compose["services"]
    serving = {name for name, service in services.items() if service.get("image") == "opscenter:latest"} - {"migrate"}
    assert serving >= {"web", "worker", "beat", "sia-receiver"}
    for name in serving:  # every process of the platform's image, workers of every queue included
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://opscenter_runtime:"), name
    migrate = services["migrate"]
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://opscenter:")
    assert "db_grant_runtime_role --role opscenter_runtime" in " ".join(migrate["command"])
