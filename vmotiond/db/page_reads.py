"""Pages read on MySQL in one round trip each, as the API serves them.

A read through the enginefacade costs three round trips besides its
query: the pool pings the connection at checkout, and the transaction is
rolled back at its end and again when the connection returns to the pool.
A page of rows needs none of them: it is one SELECT, consistent on its
own. ``PageReads`` keeps a pool of its own, in autocommit, without the
ping and the rollbacks; a connection the server dropped fails at the
query instead of at the ping, and the read is retried once on a fresh
one, so a database restart still costs the client nothing.

MySQL only (MariaDB, MySQL, through PyMySQL or mysqlclient): elsewhere
``for_url`` gives None and reads go through the enginefacade (SQLite in
memory, for one, is one connection).
"""

from collections.abc import Callable
from collections.abc import Mapping
import threading
from typing import Any
from typing import TypeVar

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import exc_filters
import sqlalchemy as sa

from vmotiond.db import mysql_datetime

T = TypeVar("T")

# oslo.db's defaults for the pool options left unset in [database].
_POOL_DEFAULTS = {"max_pool_size": 5, "max_overflow": 50,
                  "pool_timeout": 30, "connection_recycle_time": 3600}


class PageReads:
    """Single-statement reads on a pool without pings or rollbacks."""

    def __init__(self, url: sa.URL, options: Mapping[str, Any]) -> None:
        """``options``: the ``[database]`` options (pool sizes, recycle
        time, SQL mode, connection parameters)."""
        parameters = options.get("connection_parameters")
        self._url = (url.update_query_string(parameters, append=True)
                     if parameters else url)
        self._options = {name: options.get(name) if options.get(name)
                         is not None else default
                         for name, default in _POOL_DEFAULTS.items()}
        # What oslo.db sets on each new MySQL connection, set alike.
        self._variables = [
            (name, options[option]) for name, option in (
                ("sql_mode", "mysql_sql_mode"),
                ("wsrep_sync_wait", "mysql_wsrep_sync_wait"))
            if options.get(option) is not None]
        self._lock = threading.Lock()
        self._engine: sa.Engine | None = None

    def run(self, read: Callable[[sa.Connection], T]) -> T:
        """``read(connection)``, once more on a fresh connection if the
        first one had been dropped by the server."""
        try:
            with self.engine().connect() as connection:
                return read(connection)
        except db_exc.DBConnectionError:
            # The pool was invalidated with the dropped connection.
            with self.engine().connect() as connection:
                return read(connection)

    def engine(self) -> sa.Engine:
        """The engine, created on first use (after a worker's fork)."""
        engine = self._engine
        if engine is not None:
            return engine
        with self._lock:
            if self._engine is None:
                self._engine = self._create()
            return self._engine

    def _create(self) -> sa.Engine:
        options = self._options
        engine = sa.create_engine(
            self._url, pool_pre_ping=False, pool_reset_on_return=None,
            isolation_level="AUTOCOMMIT",
            pool_size=options["max_pool_size"],
            max_overflow=options["max_overflow"],
            pool_timeout=options["pool_timeout"],
            pool_recycle=options["connection_recycle_time"])
        # SQLAlchemy 2.0.43 and later: no ROLLBACK when a connection in
        # autocommit closes (earlier ones send it; harmless).
        engine.dialect.skip_autocommit_rollback = True
        exc_filters.register_engine(engine)
        mysql_datetime.install(engine)
        variables = self._variables
        if variables:
            @sa.event.listens_for(engine, "connect")
            def _session(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                try:
                    for name, value in variables:
                        cursor.execute("SET SESSION %s = %%s" % name,
                                       [value])
                finally:
                    cursor.close()
        return engine

    def dispose(self) -> None:
        """Close the pooled connections (the engine stays usable)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()


def for_url(url: str, options: Mapping[str, Any]) -> PageReads | None:
    """``PageReads`` for a MySQL URL; None for any other database."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "mysql":
        return None
    return PageReads(parsed, options)
