"""Only for tests: the audit's append-only triggers, switched off for one block.

Flushing the database between transactional tests empties every table (TRUNCATE on PostgreSQL, DELETE on
SQLite), and the audit's triggers refuse exactly that; tests of the hash chain tamper with entries on
purpose. Nothing outside tests/ can do this: it takes the owner of the tables (PostgreSQL) or a change of
schema (SQLite), and the processes that serve requests have neither."""

import contextlib
from collections.abc import Iterator

from django.db import connections, transaction

from opscenter.models.audit import APPEND_ONLY_MODELS


def append_only_tables() -> list[str]:
    return [model._meta.db_table for model in APPEND_ONLY_MODELS]


@contextlib.contextmanager
def audit_triggers_bypassed(using: str = "default") -> Iterator[None]:
    """Within the block (one transaction or savepoint) the audit tables accept UPDATE, DELETE and TRUNCATE.

    The triggers come back at its end; if the block fails, the rollback brings them back."""
    connection = connections[using]
    tables = append_only_tables()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses a table with deferred foreign-key checks pending in this transaction (a
            # test's own inserts): run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DISABLE TRIGGER USER")
            yield
            for table in tables:
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'trigger'")
            triggers = [(name, sql) for name, sql, table in cursor.fetchall() if table in tables]
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
        else:
            yield


def flushing_bypasses_the_audit_triggers() -> contextlib.AbstractContextManager:
    """Patches Django's flush (what TransactionTestCase and transactional_db run after each test) so that
    it empties the audit tables as well."""
    from unittest import mock

    from django.db.backends.base.operations import BaseDatabaseOperations

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with audit_triggers_bypassed(using=self.connection.alias):
            original(self, sql_list)

    return mock.patch.object(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
