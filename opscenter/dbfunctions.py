"""Database functions the spine's queries need on both backends."""

from typing import Any

from django.db.models import Func


class Lowered(Func):
    """A text in lower case, Unicode-wide (Cyrillic, Kazakh) on both backends: PostgreSQL's LOWER follows
    the database's ctype (C.UTF-8, UTF-8 locales); SQLite's lower() and LIKE fold ASCII only, so there it
    is Python's str.lower, registered on each connection (`register_sqlite_functions`). Python and the
    console's String.prototype.toLowerCase agree on these alphabets, so a search matches the same alerts
    in the list and over REST."""

    function = "LOWER"

    def as_sqlite(self, compiler, connection, **extra_context: Any):
        return super().as_sql(compiler, connection, function="OPSCENTER_LOWER", **extra_context)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("OPSCENTER_LOWER", 1, _lower, deterministic=True)
