"""Counts of rows by their states: what ``/metrics`` reports.

Each count is one ``GROUP BY`` over the live rows of one table, all four
in one read transaction, so a scrape costs four small statements however
many rows there are.
"""

import dataclasses
from typing import Any

import sqlalchemy as sa

from vmotiond.db import core
from vmotiond.db import models

# (labels) -> number of live rows with those values.
Tally = dict[tuple[str, ...], int]


@dataclasses.dataclass(frozen=True)
class StatusCounts:
    """Live rows by their labels, as read in one transaction."""

    hosts: Tally           # (monitor_state,)
    notifications: Tally   # (type, status)
    vmoves: Tally          # (type, status)
    alerts: Tally          # (type,)


def grouped(model: type[models.Base], *columns: str) -> sa.Select[Any]:
    """``columns``, and how many live rows of ``model`` have them."""
    table: sa.Table = model.__table__  # type: ignore[assignment]
    keys = [table.c[name] for name in columns]
    return (sa.select(*keys, sa.func.count())
            .where(table.c.deleted.is_(False)).group_by(*keys))


# What each count reads. Migration 0008 indexes (columns, deleted) of
# all but the hosts, a table of a few thousand rows at most.
QUERIES = {
    "hosts": grouped(models.Host, "monitor_state"),
    "notifications": grouped(models.Notification, "type", "status"),
    "vmoves": grouped(models.VMove, "type", "status"),
    "alerts": grouped(models.Alert, "type"),
}


def _tally(connection: sa.Connection, query: sa.Select[Any]) -> Tally:
    return {tuple(str(value) for value in row[:-1]): int(row[-1])
            for row in connection.execute(query)}


class Stats(core.Core):
    """Counts for the metrics."""

    def status_counts(self) -> StatusCounts:
        """Hosts by monitor state, notifications and vmoves by type and
        status, alerts by type: the live rows only."""
        with self._reader_connection() as connection:
            return StatusCounts(**{
                name: _tally(connection, query)
                for name, query in QUERIES.items()})
