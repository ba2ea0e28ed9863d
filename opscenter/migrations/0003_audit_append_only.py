"""On PostgreSQL the audit table refuses UPDATE and DELETE, whoever asks (the admin, a shell, a bug)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION opscenter_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER opscenter_auditentry_append_only
    BEFORE UPDATE OR DELETE ON opscenter_auditentry
    FOR EACH ROW EXECUTE FUNCTION opscenter_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS opscenter_auditentry_append_only ON opscenter_auditentry;
DROP FUNCTION IF EXISTS opscenter_audit_append_only();
"""


def _run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the '%' of RAISE stays as written

    return run


forward = _run_on_postgresql(FORWARD)
backward = _run_on_postgresql(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("opscenter", "0002_seed_geography")]
    operations = [migrations.RunPython(forward, backward)]
