"""SQLite, the embedded default, set up for concurrent readers.

Every connection the enginefacade opens on a SQLite file puts the file in
WAL journal mode (readers never block the writer, nor it them) and waits
for a busy file up to the URL's ``timeout`` (seconds), 30 s when the URL
does not name it, instead of failing at once with "database is locked".

A write transaction (a connection with the ``WRITER`` execution option)
begins with ``BEGIN IMMEDIATE``, taking the write lock first. oslo.db
begins every transaction with a plain ``BEGIN``: a write transaction that
read first would then hold a snapshot, and if another connection wrote
since, SQLite answers its first write "database is locked" at once,
without waiting (a busy snapshot cannot wait its way out).
"""

from typing import Any

import sqlalchemy as sa

DEFAULT_BUSY_TIMEOUT = 30.0
WRITER = "vmotiond_sqlite_writer"


def busy_timeout(url: sa.URL) -> float:
    """The seconds a write waits for a busy file, from the URL."""
    value = url.query.get("timeout")
    if isinstance(value, tuple):
        value = value[-1]
    return float(value) if value is not None else DEFAULT_BUSY_TIMEOUT


def install(engine: sa.Engine) -> None:
    """Set WAL and the busy timeout on every new connection of a file."""
    if engine.dialect.name != "sqlite" or \
            engine.url.database in (None, "", ":memory:"):
        return
    milliseconds = int(busy_timeout(engine.url) * 1000)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout = %d" % milliseconds)
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "before_cursor_execute", retval=True)
    def _begin_immediate(connection: sa.Connection, _cursor: Any,
                         statement: str, parameters: Any, *_: Any
                         ) -> tuple[str, Any]:
        # oslo.db's own "begin" listener emits the plain BEGIN.
        if statement == "BEGIN" and \
                connection.get_execution_options().get(WRITER):
            statement = "BEGIN IMMEDIATE"
        return statement, parameters
