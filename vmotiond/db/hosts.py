"""Hosts: the cloud's inventory, the operator's choices, the monitor's
state machine."""

from collections.abc import Iterable
from collections.abc import Mapping
import sys
import typing
from typing import Any
from typing import Literal
from typing import overload

import sqlalchemy as sa

from vmotiond import constants
from vmotiond import exception
from vmotiond.db import core
from vmotiond.db import models


class Hosts(core.Core):
    """The hosts table, by name."""

    def host_get(self, name: str) -> models.Host:
        """A live host, or NotFound."""
        with self._reader() as session:
            row = session.scalars(sa.select(models.Host).where(
                models.Host.name == name,
                models.Host.deleted.is_(False))).first()
        if row is None:
            raise exception.NotFound(kind="Host", ident=name)
        return row

    @overload
    def host_list(self, include_deleted: bool = False, *,
                  rows: Literal[False] = False) -> list[models.Host]: ...

    @overload
    def host_list(self, include_deleted: bool = False, *,
                  rows: Literal[True]) -> list[dict[str, Any]]: ...

    def host_list(self, include_deleted: bool = False, *, rows: bool = False
                  ) -> list[models.Host] | list[dict[str, Any]]:
        """The hosts by name: the live ones, or all. With ``rows``, plain
        dicts of columns read without the ORM: what the API serves,
        several times cheaper to read."""
        table = models.Host.__table__
        query = sa.select(models.Host if not rows else table).order_by(
            table.c.name)
        if not include_deleted:
            query = query.where(table.c.deleted.is_(False))
        if rows:
            with self._reader_connection() as connection:
                return [dict(row)
                        for row in connection.execute(query).mappings()]
        with self._reader() as session:
            return list(session.scalars(query))

    def host_switches(self) -> dict[str, tuple[bool, str | None, bool]]:
        """``name -> (auto_evacuate, management_ip, maintenance)`` of the
        live hosts: the few columns the monitor reads every poll, without
        the ORM."""
        table = models.Host.__table__
        query = sa.select(table.c.name, table.c.auto_evacuate,
                          table.c.management_ip, table.c.maintenance
                          ).where(table.c.deleted.is_(False))
        with self._reader_connection() as connection:
            # The names interned: the same objects as Nova's answer's.
            return {sys.intern(name): (bool(auto), ip, bool(maintenance))
                    for name, auto, ip, maintenance
                    in connection.execute(query)}

    def host_switches_mark(self) -> int | None:
        """What moves when what ``host_switches`` reads may have changed:
        the ``host_switches`` mark, which every write of this API to a
        host's switches, or to which hosts are live, bumps in its own
        transaction (one row read, not a scan of the hosts). None when
        there is no such row. A write behind this API's back does not
        move it: the monitor still reads the switches in full now and
        then."""
        table = _MARKS
        with self._reader_connection() as connection:
            value = connection.execute(sa.select(table.c.value).where(
                table.c.name == HOST_SWITCHES)).scalar()
        return None if value is None else int(value)

    def host_monitor_rows(self) -> list[tuple[Any, ...]]:
        """``(name, monitor_state, monitor_state_since,
        monitor_generation, monitor_detail)`` of every live host."""
        table = models.Host.__table__
        query = sa.select(
            table.c.name, table.c.monitor_state, table.c.monitor_state_since,
            table.c.monitor_generation, table.c.monitor_detail).where(
                table.c.deleted.is_(False))
        with self._reader_connection() as connection:
            return [tuple(row) for row in connection.execute(query)]

    def hosts_update_monitor(self, values: Mapping[str, Mapping[str, Any]]
                             ) -> list[str]:
        """Write the monitor's columns of several live hosts in one
        transaction (``name -> {column: value}``, the same columns for
        each); return the names that are no live host (not written)."""
        if not values:
            return []
        names = list(values)
        table = typing.cast(sa.Table, models.Host.__table__)
        now = self._clock.now()
        with self._writer() as session:
            live: set[str] = set()
            for i in range(0, len(names), 500):
                live.update(session.scalars(sa.select(table.c.name).where(
                    table.c.name.in_(names[i:i + 500]),
                    table.c.deleted.is_(False))))
            params = [{"b_name": name, "updated_at": now, **values[name]}
                      for name in names if name in live]
            if params:
                columns = [k for k in params[0] if k != "b_name"]
                session.execute(
                    sa.update(table).where(
                        table.c.name == sa.bindparam("b_name"),
                        table.c.deleted.is_(False)).values(
                            {c: sa.bindparam(c) for c in columns}),
                    params)
        return [name for name in names if name not in live]

    def host_update(self, name: str, values: Mapping[str, Any]) -> None:
        """Update a live host's columns; raise NotFound when there is none."""
        if values.get("role", constants.ROLE_NORMAL) not in \
                constants.HOST_ROLES:
            raise exception.InvalidInput(
                reason="unknown host role %s" % values["role"])
        with self._writer() as session:
            changed = core.rowcount(session, sa.update(models.Host).where(
                models.Host.name == name,
                models.Host.deleted.is_(False)).values(
                    updated_at=self._clock.now(), **values))
            if changed == 0:
                raise exception.NotFound(kind="Host", ident=name)
            _bump(session, HOST_SWITCHES)

    def hosts_sync(self, inventory: Iterable[Mapping[str, Any]],
                   default_auto_evacuate: bool = True) -> dict[str, int]:
        """Make the hosts table match the cloud's inventory.

        New hosts are created (role ``normal``), known ones updated, ones the
        cloud no longer reports soft-deleted, and re-appearing ones restored.
        The operator's choices and the monitor's state are kept. Return the
        counts of created, updated and deleted hosts.

        Without the ORM, in batches of the same columns: at 10,000 hosts
        an ORM object per row would cost tens of MB for a moment.
        """
        now = self._clock.now()
        seen = {item["name"]: item for item in inventory}
        table = typing.cast(sa.Table, models.Host.__table__)
        with self._writer() as session:
            known = dict(session.execute(
                sa.select(table.c.name, table.c.deleted)).tuples().all())
            created = [name for name in seen if name not in known]
            updated = [name for name in seen if name in known]
            for i in range(0, len(created), 1000):
                for batch in _same_keys([
                        {"created_at": now, "synced_at": now,
                         "auto_evacuate": default_auto_evacuate,
                         "role": constants.ROLE_NORMAL,
                         "monitor_state": constants.HOST_UP, **seen[name]}
                        for name in created[i:i + 1000]]):
                    session.execute(sa.insert(table), batch)
            for i in range(0, len(updated), 1000):
                for batch in _same_keys([
                        {**{k: v for k, v in seen[name].items()
                            if k != "name"},
                         "b_name": name, "synced_at": now, "deleted": False,
                         "deleted_at": None}
                        for name in updated[i:i + 1000]]):
                    session.execute(sa.update(table).where(
                        table.c.name == sa.bindparam("b_name")), batch)
            gone = [name for name, deleted in known.items()
                    if name not in seen and not deleted]
            for i in range(0, len(gone), 500):
                session.execute(sa.update(table).where(
                    table.c.name.in_(gone[i:i + 500])).values(
                        deleted=True, deleted_at=now))
            # Addresses, hosts created, restored or deleted.
            _bump(session, HOST_SWITCHES)
        return {"created": len(created), "updated": len(updated),
                "deleted": len(gone)}

    def hosts_set_instance_counts(
            self, counts: Mapping[str, tuple[int, int]]) -> int:
        """Set every live host's ``(total, running)`` instances from
        ``counts`` (0 and 0 for a host it does not name); return how many
        hosts' counts changed (only those are written: between two counts
        of a large cloud most hosts keep theirs). The other columns are
        left alone."""
        table = typing.cast(sa.Table, models.Host.__table__)
        with self._writer() as session:
            stored = session.execute(sa.select(
                table.c.name, table.c.instances_total,
                table.c.instances_running).where(
                    table.c.deleted.is_(False))).tuples().all()
            rows = [{"b_name": name, "instances_total": new[0],
                     "instances_running": new[1]}
                    for name, total, running in stored
                    if (new := counts.get(name, (0, 0))) != (total, running)]
            for i in range(0, len(rows), 1000):
                session.execute(sa.update(table).where(
                    table.c.name == sa.bindparam("b_name")),
                    rows[i:i + 1000])
        return len(rows)


# The mark of the hosts' switches (``host_switches_mark``).
HOST_SWITCHES = "host_switches"
_MARKS = typing.cast(sa.Table, models.Mark.__table__)


def _bump(session: Any, name: str) -> None:
    """Move the mark ``name`` in ``session``'s transaction."""
    session.execute(sa.update(_MARKS).where(_MARKS.c.name == name).values(
        value=_MARKS.c.value + 1))


def _same_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``rows`` in batches whose dicts have the same keys (executemany)."""
    batches: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        batches.setdefault(frozenset(row), []).append(row)
    return list(batches.values())
