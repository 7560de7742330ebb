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
from sqlalchemy.sql import visitors

from vmotiond import exception
from vmotiond.db import models

M = TypeVar("M", bound=models.Base)


class Page(TypedDict, total=False):
    """Which page of a listing: sorted by ``sort_key`` (``created_at``
    unless given) in ``sort_dir`` (``desc`` unless given), at most
    ``limit`` rows after the row whose uuid is ``marker``."""

    sort_key: str
    sort_dir: str
    limit: int | None
    marker: str | None


PAGE_KEYS = frozenset(Page.__annotations__)


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
        self._row_columns = [c for c in self._table.c
                             if c.name not in not_in_rows]
        self._conditions = dict(conditions)
        self._several = frozenset(
            bind.key for condition in self._conditions.values()
            for bind in visitors.iterate(condition)
            if isinstance(bind, sa.BindParameter) and bind.expanding)
        self._statement = functools.lru_cache(maxsize=256)(self._build)
        self.cache_info = self._statement.cache_info
        self.cache_clear = self._statement.cache_clear

    def statement(self, filters: Mapping[str, Any], entity: bool = True,
                  sort_key: str | None = "created_at",
                  sort_dir: str = "desc", limit: int | None = None,
                  marker: str | None = None) -> tuple[Any, dict[str, Any]]:
        """The statement for ``filters`` (None: not filtered) with its
        bound values; of model entities, or of plain rows if not
        ``entity``; unsorted when ``sort_key`` is None."""
        params = {name: self._value(name, value)
                  for name, value in filters.items() if value is not None}
        query = self._statement(entity, frozenset(params), sort_key,
                                sort_dir, limit is not None,
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
        """``entities`` as plain dicts of columns, read without the ORM."""
        statement, params = self._query(query, False)
        result = connection.execute(statement, params)
        keys = tuple(result.keys())
        rows = [dict(zip(keys, row, strict=True)) for row in result]
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
               sort_key: str | None, sort_dir: str, limit: bool,
               marker: bool) -> Any:
        table = self._table
        query = sa.select(self.model) if entity else \
            sa.select(*self._row_columns)
        query = query.where(table.c.deleted.is_(False))
        for name in sorted(filters):
            query = query.where(self._conditions[name])
        if sort_key is None:
            return query
        return _page(query, table, sort_key, sort_dir, limit, marker)


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


def _page(query: Any, table: Any, sort_key: str, sort_dir: str,
          limit: bool, marker: bool) -> Any:
    """Order ``query`` by ``sort_key`` then id; page it on bound values.

    With ``limit``, the statement takes the parameter ``limit``; with
    ``marker``, it starts after the row whose uuid is the parameter
    ``marker``, whose position subqueries of the same statement read (a
    page is one round trip). An unknown marker gives no row, which
    ``_check_marker`` tells apart from the end of the list.
    """
    if sort_dir not in ("asc", "desc"):
        raise exception.InvalidInput(reason="sort_dir must be asc or desc")
    if sort_key not in table.columns:
        raise exception.InvalidInput(reason="unknown sort key %s" % sort_key)
    key = _sort_expression(table.columns[sort_key])
    if marker:
        anchor = table.alias("marker")
        at_marker = anchor.c.uuid == sa.bindparam("marker")
        value = sa.select(_sort_expression(anchor.columns[sort_key])).where(
            at_marker).scalar_subquery()
        ident = sa.select(anchor.c.id).where(at_marker).scalar_subquery()
        if sort_dir == "asc":
            query = query.where(sa.or_(key > value,
                                       sa.and_(key == value,
                                               table.c.id > ident)))
        else:
            query = query.where(sa.or_(key < value,
                                       sa.and_(key == value,
                                               table.c.id < ident)))
    order = sa.asc if sort_dir == "asc" else sa.desc
    query = query.order_by(order(key), order(table.c.id))
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
