"""The audit refuses every way of editing it, on both databases: on PostgreSQL TRUNCATE as well as the row
triggers of 0003 (TRUNCATE fires no row trigger); on SQLite triggers that abort UPDATE and DELETE (SQLite
has no TRUNCATE: an unqualified DELETE fires the row triggers once a table has any)."""

from django.db import migrations

POSTGRESQL_FORWARD = """
CREATE TRIGGER opscenter_auditentry_no_truncate
    BEFORE TRUNCATE ON opscenter_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION opscenter_audit_append_only();
"""

POSTGRESQL_BACKWARD = "DROP TRIGGER IF EXISTS opscenter_auditentry_no_truncate ON opscenter_auditentry;"

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER opscenter_auditentry_no_{operation.lower()}
    BEFORE {operation} ON opscenter_auditentry
    BEGIN
        SELECT RAISE(ABORT, 'the audit is append-only: {operation} on opscenter_auditentry is refused');
    END
    """
    for operation in ("UPDATE", "DELETE")
]

SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS opscenter_auditentry_no_{operation}" for operation in ("update", "delete")]


def _run(*, postgresql, sqlite):
    def run(apps, schema_editor):
        statements = {"postgresql": [postgresql], "sqlite": sqlite}.get(schema_editor.connection.vendor, [])
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)  # no parameters: the '%' of RAISE stays as written

    return run


class Migration(migrations.Migration):
    dependencies = [("opscenter", "0006_outbox_lease_attempts")]
    operations = [
        migrations.RunPython(
            _run(postgresql=POSTGRESQL_FORWARD, sqlite=SQLITE_FORWARD),
            _run(postgresql=POSTGRESQL_BACKWARD, sqlite=SQLITE_BACKWARD),
        )
    ]
