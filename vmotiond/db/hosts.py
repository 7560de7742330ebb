"""Hosts: the cloud's inventory, the operator's choices, the monitor's
state machine."""

from collections.abc import Iterable
from collections.abc import Mapping
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

    def hosts_sync(self, inventory: Iterable[Mapping[str, Any]],
                   default_auto_evacuate: bool = True) -> dict[str, int]:
        """Make the hosts table match the cloud's inventory.

        New hosts are created (role ``normal``), known ones updated, ones the
        cloud no longer reports soft-deleted, and re-appearing ones restored.
        The operator's choices and the monitor's state are kept. Return the
        counts of created, updated and deleted hosts.
        """
        now = self._clock.now()
        seen = {item["name"]: dict(item) for item in inventory}
        counts = {"created": 0, "updated": 0, "deleted": 0}
        with self._writer() as session:
            rows = {row.name: row for row in
                    session.scalars(sa.select(models.Host))}
            for name, values in seen.items():
                row = rows.get(name)
                if row is None:
                    session.add(models.Host(
                        created_at=now, synced_at=now,
                        auto_evacuate=default_auto_evacuate,
                        role=constants.ROLE_NORMAL,
                        monitor_state=constants.HOST_UP, **values))
                    counts["created"] += 1
                    continue
                for key, value in values.items():
                    setattr(row, key, value)
                row.synced_at = now
                row.deleted, row.deleted_at = False, None
                counts["updated"] += 1
            for name, row in rows.items():
                if name not in seen and not row.deleted:
                    row.deleted, row.deleted_at = True, now
                    counts["deleted"] += 1
        return counts
