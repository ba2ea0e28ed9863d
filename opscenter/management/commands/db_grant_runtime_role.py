"""Give the role that the serving processes (web, worker, beat, SIA receiver) connect as what they need and
no more: read and write the platform's tables, but only INSERT and SELECT the append-only ones (the
audit). Run by the role that migrates and owns the tables, after every `migrate`: the grants cover the
tables that exist when it runs.

The runtime role must not be able to get around that: it may not be a superuser, the owner of the
tables or a member of the owner, own the schema, or create roles (which could make it a member)."""

import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from opscenter.models.audit import APPEND_ONLY_MODELS

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY_PRIVILEGES = "SELECT, INSERT"
REFUSED_ON_APPEND_ONLY = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")
# The runtime reads which migrations are applied (the demo checks); only the migrating role records them.
READ_ONLY_TABLES = ("django_migrations",)


class Command(BaseCommand):
    help = (
        "Grant the runtime role (what web, worker, beat and the SIA receiver connect as) read and write on "
        "the platform's tables and only INSERT and SELECT on the audit. PostgreSQL only; run after migrate."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--role", required=True, help="The runtime role, e.g. opscenter_runtime.")
        parser.add_argument(
            "--password-env",
            default="",
            metavar="VARIABLE",
            help="Environment variable holding the role's password (e.g. OPSCENTER_RUNTIME_PASSWORD): the "
            "role is created with it (LOGIN, nothing else) when missing, and its password set when present.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, **options) -> None:
        role = options["role"]
        if not ROLE_NAME.match(role):
            raise CommandError(f"{role!r} is not a plain role name (lower-case letters, digits, _).")
        password = None
        if options["password_env"]:
            password = os.environ.get(options["password_env"], "")
            if not password:
                raise CommandError(f"The environment variable {options['password_env']} is empty or unset.")
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            raise CommandError("Roles are PostgreSQL's: the embedded SQLite database has none to grant.")
        quote = connection.ops.quote_name
        append_only = [model._meta.db_table for model in APPEND_ONLY_MODELS]
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), current_schema()")
            owner, database, schema = cursor.fetchone()
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                if password is None:
                    raise CommandError(f"There is no role {role!r}: create it, or pass --password-env.")
                cursor.execute(
                    f"CREATE ROLE {quote(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                    "NOBYPASSRLS PASSWORD %s",
                    [password],
                )
            elif password is not None:
                cursor.execute(f"ALTER ROLE {quote(role)} PASSWORD %s", [password])
            self._refuse_a_role_that_could_edit_the_audit(cursor, role=role, schema=schema, tables=append_only)

            cursor.execute(f"GRANT CONNECT ON DATABASE {quote(database)} TO {quote(role)}")
            cursor.execute(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}")
            cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {quote(schema)} FROM {quote(role)}")
            cursor.execute(f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {quote(schema)} TO {quote(role)}")
            for table in append_only:
                cursor.execute(f"REVOKE ALL ON {quote(table)} FROM {quote(role)}")
                cursor.execute(f"GRANT {APPEND_ONLY_PRIVILEGES} ON {quote(table)} TO {quote(role)}")
            for table in READ_ONLY_TABLES:
                cursor.execute(f"REVOKE ALL ON {quote(table)} FROM {quote(role)}")
                cursor.execute(f"GRANT SELECT ON {quote(table)} TO {quote(role)}")
            # ALL SEQUENCES includes the sequences behind identity columns; UPDATE lets setval() run.
            cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {quote(role)}")

            # Whatever else the role inherits (PUBLIC, other roles) must not give it back what was refused.
            for table in append_only:
                for privilege in REFUSED_ON_APPEND_ONLY:
                    cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, privilege])
                    if cursor.fetchone()[0]:
                        raise CommandError(
                            f"{role!r} still has {privilege} on {table} (through PUBLIC or another role): "
                            "nothing was granted."
                        )
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v')",
                [schema],
            )
            tables = cursor.fetchone()[0]
        self.stdout.write(
            f"{role}: {TABLE_PRIVILEGES} on {tables - len(append_only) - len(READ_ONLY_TABLES)} tables of "
            f"{database}.{schema}, "
            f"{APPEND_ONLY_PRIVILEGES} only on {', '.join(append_only)}, SELECT only on "
            f"{', '.join(READ_ONLY_TABLES)}; the sequences. Owner: {owner}."
        )

    def _refuse_a_role_that_could_edit_the_audit(self, cursor, *, role: str, schema: str, tables: list[str]) -> None:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, pg_has_role(%s, current_user, 'MEMBER') FROM pg_roles WHERE rolname = %s",
            [role, role],
        )
        superuser, createrole, member_of_current = cursor.fetchone()
        if superuser:
            raise CommandError(f"{role!r} is a superuser: it could edit the audit. Give the runtime a plain role.")
        if member_of_current:
            raise CommandError(
                f"{role!r} is the role running this command (the one that migrates) or a member of it: "
                "the runtime needs a role of its own."
            )
        if createrole:
            raise CommandError(f"{role!r} may create roles (and so make itself a member of the owner): refused.")
        for table in tables:
            cursor.execute(
                "SELECT pg_has_role(%s, c.relowner, 'MEMBER') FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
                [role, schema, table],
            )
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"There is no table {schema}.{table}: run migrate first.")
            if row[0]:
                raise CommandError(f"{role!r} owns {table} (or is a member of its owner): it could drop its triggers.")
        cursor.execute(
            "SELECT pg_has_role(%s, nspowner, 'MEMBER') FROM pg_namespace WHERE nspname = %s", [role, schema]
        )
        if cursor.fetchone()[0]:
            raise CommandError(f"{role!r} owns the schema {schema}: it could drop the audit.")
