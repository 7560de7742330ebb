"""The machinery every resource of the data API shares.

One enginefacade per ``Database``: reader and writer sessions, a Core
connection for bulk reads, the reads through a resource's ``Listing``, the
schema checks, and the test-and-set update that lets only one process
claim a row.
"""

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
import contextlib
from contextlib import AbstractContextManager
from typing import Any
from typing import TypeVar

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa
from sqlalchemy import orm

from vmotiond import clock as clock_mod
from vmotiond import exception
from vmotiond.db import migration
from vmotiond.db import models
from vmotiond.db import mysql_datetime
from vmotiond.db import page_reads
from vmotiond.db import paging
from vmotiond.db import sqlite

M = TypeVar("M", bound=models.Base)


class _Context:
    """The object the enginefacade hangs a transaction on."""


# The tables whose status changes are told, by the kind they are told as.
STATUS_KINDS = {"notifications": "notification", "vmoves": "vmove"}


class Core:
    """The enginefacade of one database, which every resource uses."""

    def __init__(self, conf: cfg.ConfigOpts,
                 clock: clock_mod.Clock | None = None,
                 **overrides: Any) -> None:
        """Configure from ``conf.database``; ``overrides`` win over it."""
        self._clock = clock or clock_mod.Clock()
        self._facade = enginefacade.transaction_context()
        # thread_checkin sleeps 0 s at every pool checkin so that eventlet
        # switches greenthreads; with real threads it only hands the GIL
        # over once more per query.
        options = {**dict(conf.database.items()), "thread_checkin": False,
                   **overrides}
        options["connection"] = with_charset(options["connection"])
        self.url = options["connection"]
        self._facade.configure(**options)
        self._facade.append_on_engine_create(mysql_datetime.install)
        self._facade.append_on_engine_create(sqlite.install)
        self._sqlite_writes = sa.make_url(self.url).get_backend_name() == \
            "sqlite"
        # Pages of rows (what the API serves) skip the enginefacade's
        # ping and rollbacks on MySQL.
        self._page_reads = page_reads.for_url(self.url, options)
        # Told of every status a notification or vmove takes, once
        # written: ``vmotiond.events.Publisher.changed``.
        self.on_status: Callable[[str, str, str, Mapping[str, Any]],
                                 None] | None = None

    def _status_changed(self, table: str, uuid: str,
                        values: Mapping[str, Any]) -> None:
        """Tell ``on_status`` of a status written to a row of ``table``
        (if ``values`` has one)."""
        status = values.get("status")
        kind = STATUS_KINDS.get(table)
        if self.on_status is not None and status is not None and kind:
            self.on_status(kind, uuid, str(status), values)

    @property
    def engine(self) -> sa.Engine:
        """The writer engine, created on first use."""
        engine: sa.Engine = self._facade.writer.get_engine()
        return engine

    def _reader(self) -> AbstractContextManager[orm.Session]:
        session: AbstractContextManager[orm.Session] = (
            self._facade.reader.using(_Context()))
        return session

    def _reader_connection(self) -> AbstractContextManager[sa.Connection]:
        """A Core connection in a read transaction: no ORM, for bulk reads."""
        connection: AbstractContextManager[sa.Connection] = (
            self._facade.reader.connection.using(_Context()))
        return connection

    @contextlib.contextmanager
    def _writer(self) -> Iterator[orm.Session]:
        with self._facade.writer.using(_Context()) as session:
            if self._sqlite_writes:
                # BEGIN IMMEDIATE: see vmotiond.db.sqlite.
                session.connection(execution_options={sqlite.WRITER: True})
            yield session

    def _one(self, listing: paging.Listing[M], ident: str | int,
             **filters: Any) -> M:
        """The one live row of ``listing`` matching ``filters``, or
        NotFound naming ``ident``."""
        with self._reader() as session:
            return listing.one(session, ident, **filters)

    def _list(self, listing: paging.Listing[M],
              query: Mapping[str, Any]) -> list[M]:
        """A page of ``listing``'s entities (``query``: filters, page)."""
        with self._reader() as session:
            return listing.entities(session, query)

    def _rows(self, listing: paging.Listing[M],
              query: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``_list`` as plain dicts, read on a Core connection: one
        statement (two for an unknown marker) in autocommit on MySQL."""
        if self._page_reads is not None:
            return self._page_reads.run(
                lambda connection: listing.rows(connection, query))
        with self._reader_connection() as connection:
            return listing.rows(connection, query)

    def check_connection(self) -> None:
        """Connect once; raise DatabaseUnavailable saying where and why."""
        try:
            with self.engine.connect():
                pass
        except (db_exc.DBError, sa.exc.SQLAlchemyError) as exc:
            reason = str(getattr(exc, "inner_exception", None) or exc)
            reason = reason.splitlines()[0]
            if self.url.startswith("sqlite:///"):
                reason += " (does its directory exist, writable?)"
            raise exception.DatabaseUnavailable(
                url=_masked(self.url), reason=reason) from exc

    def sync(self) -> None:
        """Create or upgrade the schema to the code's revision."""
        migration.upgrade(self.engine)

    def check_schema(self) -> None:
        """Raise SchemaOutOfDate unless the schema is at the head revision."""
        current = migration.current_revision(self.engine)
        expected = migration.head_revision()
        if current != expected:
            raise exception.SchemaOutOfDate(current=current or "empty",
                                            expected=expected)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._facade.dispose_pool()
        if self._page_reads is not None:
            self._page_reads.dispose()

    def _test_and_set(self, model: Any, uuid: str,
                      values: Mapping[str, Any],
                      expected: Iterable[str] | None, *where: Any) -> int:
        """Update the live row ``uuid`` if its status is in ``expected``
        (and ``where`` holds); return how many rows changed."""
        query = sa.update(model).where(model.uuid == uuid,
                                       model.deleted.is_(False), *where)
        if expected is not None:
            query = query.where(model.status.in_(list(expected)))
        with self._writer() as session:
            changed = rowcount(session, query.values(**values))
        if changed:
            self._status_changed(model.__tablename__, uuid, values)
        return changed


def rowcount(session: orm.Session | sa.Connection, statement: Any,
             params: Any = None) -> int:
    """Execute an UPDATE and return how many rows it changed."""
    result = session.execute(statement, params)
    return int(getattr(result, "rowcount", 0))


def _masked(url: str) -> str:
    """Return ``url`` without its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def with_charset(connection: str | None) -> str | None:
    """``connection`` with ``charset=utf8mb4`` on MySQL/MariaDB unless it
    names a charset: without it the drivers may talk utf8mb3, and a text
    with a 4-byte character (a refused message quoted in its alert) is not
    stored (issue 21)."""
    if not connection:
        return connection
    url = sa.engine.make_url(connection)
    if url.get_backend_name() != "mysql" or "charset" in url.query:
        return connection
    return url.update_query_dict({"charset": "utf8mb4"}).render_as_string(
        hide_password=False)
