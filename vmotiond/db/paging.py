"""A resource's one filtering query: filtered, sorted, paged by marker.

Each resource names its filters once, as conditions on bound parameters
(``Listing``), and the keywords of its listing once, as a ``TypedDict``
of its filters and a ``Page``. Its gets and its listing all read through
that query. Statements are built once per shape (which filters, rows or
entities, sort, paging) and reused with other values: building and keying
one costs more than reading a page of rows.
"""

from collections.abc import Mapping
from collections.abc import Sequence
import datetime
import functools
from typing import Any
from typing import Generic
from typing import TypedDict
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.ext import compiler
from sqlalchemy.sql import functions
from sqlalchemy.sql import visitors

from vmotiond import exception
from vmotiond.db import models

M = TypeVar("M", bound=models.Base)


Sort = str | tuple[str, ...]


class Page(TypedDict, total=False):
    """Which page of a listing: sorted by ``sort_key`` (``created_at``
    unless given; a tuple sorts by each key in turn) in ``sort_dir``
    (``desc`` unless given; a tuple gives each key its direction), at most
    ``limit`` rows after the row whose uuid is ``marker``."""

    sort_key: Sort
    sort_dir: Sort
    limit: int | None
    marker: str | None


PAGE_KEYS = frozenset(Page.__annotations__)


class IsoTime(functions.FunctionElement[Any]):
    """A time column read as the text of its ISO 8601 form to the
    microsecond (``2026-01-31T12:00:00.000000``), as the API shows it.

    MySQL writes the text itself (``DATE_FORMAT``): the driver then makes
    no ``datetime`` to be formatted again. Elsewhere the column is read as
    it is, and ``Listing.rows`` formats it.
    """

    inherit_cache = True

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


# DATE_FORMAT's %f is the microseconds in 6 digits, as isoformat writes.
_MYSQL_ISO = "%Y-%m-%dT%H:%i:%s.%f"


@compiler.compiles(IsoTime)
def _compile_column(element: IsoTime, compiler: Any, **kw: Any) -> str:
    text: str = compiler.process(element.clauses, **kw)
    return text


@compiler.compiles(IsoTime, "mysql")
def _compile_mysql(element: IsoTime, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    text: str = compiler.process(sa.func.date_format(
        column, sa.literal(_MYSQL_ISO, sa.String)), **kw)
    return text


def iso_time(value: datetime.datetime | str | None) -> str | None:
    """A time as ``IsoTime`` reads it: a datetime formatted, text kept."""
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="microseconds")
    return value


class Listing(Generic[M]):
    """The filtering query of one model's live rows."""

    def __init__(self, model: type[M], conditions: Mapping[str, Any],
                 not_in_rows: tuple[str, ...] = ()) -> None:
        """``conditions`` maps a filter's name to its condition on the
        bound parameter of that name; a filter on an expanding parameter
        takes several values, or one string. ``rows`` leaves out the
        columns ``not_in_rows`` (the engine's, which a page never shows)."""
        self.model = model
        self._table: Any = model.__table__
        self._row_columns = [IsoTime(c).label(c.name)
                             if isinstance(c.type, sa.DateTime) else c
                             for c in self._table.c
                             if c.name not in not_in_rows]
        self._time_keys = tuple(c.name for c in self._table.c
                                if isinstance(c.type, sa.DateTime)
                                and c.name not in not_in_rows)
        self._conditions = dict(conditions)
        self._several = frozenset(
            bind.key for condition in self._conditions.values()
            for bind in visitors.iterate(condition)
            if isinstance(bind, sa.BindParameter) and bind.expanding)
        self._statement = functools.lru_cache(maxsize=256)(self._build)
        self.cache_info = self._statement.cache_info
        self.cache_clear = self._statement.cache_clear

    def statement(self, filters: Mapping[str, Any], entity: bool = True,
                  sort_key: Sort | None = "created_at",
                  sort_dir: Sort = "desc", limit: int | None = None,
                  marker: str | None = None) -> tuple[Any, dict[str, Any]]:
        """The statement for ``filters`` (None: not filtered) with its
        bound values; of model entities, or of plain rows if not
        ``entity``; unsorted when ``sort_key`` is None."""
        params = {name: self._value(name, value)
                  for name, value in filters.items() if value is not None}
        order = None if sort_key is None else sort_order(sort_key,
                                                         sort_dir)
        query = self._statement(entity, frozenset(params), order,
                                limit is not None,
                                marker is not None)
        return query, {**params, **_paging(limit, marker)}

    def one(self, session: orm.Session, ident: str | int,
            **filters: Any) -> M:
        """The one live row matching ``filters``, or NotFound."""
        query, params = self.statement(filters, sort_key=None)
        row: M | None = session.scalars(query, params).first()
        if row is None:
            raise exception.NotFound(kind=self.model.__name__, ident=ident)
        return row

    def entities(self, session: orm.Session,
                 query: Mapping[str, Any]) -> list[M]:
        """A page of model entities: ``query`` holds filters and a
        ``Page``."""
        statement, params = self._query(query, True)
        rows: list[M] = list(session.scalars(statement, params))
        _check_marker(session, self._table, params.get("marker"), rows)
        return rows

    def rows(self, connection: sa.Connection,
             query: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``entities`` as plain dicts of columns, read without the ORM;
        times as ISO 8601 text (``IsoTime``)."""
        statement, params = self._query(query, False)
        result = connection.execute(statement, params)
        keys = tuple(result.keys())
        # all(): one fetchall of the driver, not a fetchone per row.
        rows = [dict(zip(keys, row, strict=True)) for row in result.all()]
        if connection.dialect.name != "mysql":
            for row in rows:
                for key in self._time_keys:
                    row[key] = iso_time(row[key])
        _check_marker(connection, self._table, params.get("marker"), rows)
        return rows

    def _query(self, query: Mapping[str, Any],
               entity: bool) -> tuple[Any, dict[str, Any]]:
        filters = {name: value for name, value in query.items()
                   if name not in PAGE_KEYS}
        return self.statement(
            filters, entity, query.get("sort_key", "created_at"),
            query.get("sort_dir", "desc"), query.get("limit"),
            query.get("marker"))

    def _value(self, name: str, value: Any) -> Any:
        """A filter's bound value: a list when it takes several."""
        if name not in self._several:
            return value
        return [value] if isinstance(value, str) else list(value)

    def _build(self, entity: bool, filters: frozenset[str],
               order: tuple[tuple[str, str], ...] | None, limit: bool,
               marker: bool) -> Any:
        table = self._table
        query = sa.select(self.model) if entity else \
            sa.select(*self._row_columns)
        query = query.where(table.c.deleted.is_(False))
        for name in sorted(filters):
            query = query.where(self._conditions[name])
        if order is None:
            return query
        return _page(query, table, order, limit, marker)


def sort_order(sort_key: Sort, sort_dir: Sort
               ) -> tuple[tuple[str, str], ...]:
    """``(key, direction)`` pairs of a sort, as Masakari pairs them: keys
    without a direction take the first one; more directions than keys,
    a key given twice or an unknown direction is InvalidInput."""
    keys = (sort_key,) if isinstance(sort_key, str) else tuple(sort_key)
    dirs = (sort_dir,) if isinstance(sort_dir, str) else tuple(sort_dir)
    if not keys:
        raise exception.InvalidInput(reason="no sort key")
    if len(dirs) > len(keys):
        raise exception.InvalidInput(
            reason="more sort directions (%d) than sort keys (%d)"
            % (len(dirs), len(keys)))
    if len(set(keys)) < len(keys):
        raise exception.InvalidInput(reason="a sort key is given twice")
    for direction in dirs:
        if direction not in ("asc", "desc"):
            raise exception.InvalidInput(
                reason="sort_dir must be asc or desc, not %r" % direction)
    first = dirs[0] if dirs else "desc"
    dirs += (first,) * (len(keys) - len(dirs))
    return tuple(zip(keys, dirs, strict=True))


def _sort_expression(column: Any) -> Any:
    """Return ``column``, with NULLs folded to the lowest value if nullable.

    Backends disagree on where NULLs sort; folding them keeps paging by
    marker identical on SQLite, MariaDB and PostgreSQL.
    """
    if not column.nullable:
        return column
    if isinstance(column.type, sa.DateTime):
        return sa.func.coalesce(column, datetime.datetime(1970, 1, 1))
    if isinstance(column.type, sa.Integer):
        return sa.func.coalesce(column, -1)
    return sa.func.coalesce(column, "")


def _page(query: Any, table: Any, order: tuple[tuple[str, str], ...],
          limit: bool, marker: bool) -> Any:
    """Order ``query`` by each ``(key, direction)`` of ``order``, then by
    id in the first direction; page it on bound values.

    With ``limit``, the statement takes the parameter ``limit``; with
    ``marker``, it starts after the row whose uuid is the parameter
    ``marker``: after it in the order of the keys taken in turn (keyset
    paging), the marker's values read by subqueries of the same statement
    (a page is one round trip). An unknown marker gives no row, which
    ``_check_marker`` tells apart from the end of the list.
    """
    for sort_key, _ in order:
        if sort_key not in table.columns:
            raise exception.InvalidInput(reason="unknown sort key %s"
                                         % sort_key)
    columns = [(_sort_expression(table.columns[key]), direction, key)
               for key, direction in order]
    columns.append((table.c.id, order[0][1], "id"))
    if marker:
        anchor = table.alias("marker")
        at_marker = anchor.c.uuid == sa.bindparam("marker")
        after = []
        equal: list[Any] = []
        for column, direction, key in columns:
            value = sa.select(_sort_expression(anchor.columns[key])).where(
                at_marker).scalar_subquery()
            beyond = column > value if direction == "asc" else \
                column < value
            after.append(sa.and_(*equal, beyond))
            equal.append(column == value)
        query = query.where(sa.or_(*after))
    query = query.order_by(*[sa.asc(column) if direction == "asc" else
                             sa.desc(column)
                             for column, direction, _ in columns])
    if limit:
        query = query.limit(sa.bindparam("limit", type_=sa.Integer))
    return query


def _paging(limit: int | None, marker: str | None) -> dict[str, Any]:
    """The bound values of a statement ``_page`` made."""
    params: dict[str, Any] = {}
    if limit is not None:
        params["limit"] = limit
    if marker is not None:
        params["marker"] = marker
    return params


def _check_marker(executor: orm.Session | sa.Connection, table: Any,
                  marker: str | None, rows: Sequence[Any]) -> None:
    """Raise NotFound if an empty page came from an unknown ``marker``."""
    if marker is None or rows:
        return
    found = executor.execute(sa.select(table.c.id).where(
        table.c.uuid == marker)).first()
    if found is None:
        raise exception.NotFound(kind="Marker", ident=marker)
