"""Vmoves, one per instance a notification moves, and their steps."""

from collections.abc import Iterable
from collections.abc import Mapping
import datetime
import typing
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal
from typing import overload
import uuid as uuidlib

import sqlalchemy as sa

from vmotiond import constants
from vmotiond import exception
from vmotiond.db import core
from vmotiond.db import models
from vmotiond.db import paging

# Steps to write: their home is step_journal.
from vmotiond.db.step_journal import StepWrite as StepWrite

_VMOVES = typing.cast(sa.Table, models.VMove.__table__)

if TYPE_CHECKING:
    from typing_extensions import Unpack

_C = models.VMove.__table__.c
LISTING = paging.Listing(models.VMove, {
    "uuid": _C.uuid == sa.bindparam("uuid"),
    "id": _C.id == sa.bindparam("id"),
    "notification_uuid": (
        _C.notification_uuid == sa.bindparam("notification_uuid")),
    "instance_uuid": _C.instance_uuid == sa.bindparam("instance_uuid"),
    "host": sa.or_(_C.source_host == sa.bindparam("host"),
                   _C.dest_host == sa.bindparam("host")),
    "type": _C.type == sa.bindparam("type"),
    "status": _C.status.in_(sa.bindparam("status", expanding=True)),
    "since": _C.created_at >= sa.bindparam("since"),
    "until": _C.created_at < sa.bindparam("until"),
    "project_id": _C.project_id == sa.bindparam("project_id"),
}, not_in_rows=("plan",))


class VMoveQuery(paging.Page, total=False):
    """The keywords of ``vmove_list``: a page and its filters (None: not
    filtered). A host is the source or the destination, ``since`` and
    ``until`` bound the creation time, ``project_id`` is the instance's
    project."""

    notification_uuid: str | None
    instance_uuid: str | None
    host: str | None
    type: str | None
    status: Iterable[str] | None
    since: datetime.datetime | None
    until: datetime.datetime | None
    project_id: str | None


class VMoves(core.Core):
    """The vmoves and vmove_steps tables."""

    def vmoves_create(self, notification_uuid: str,
                      moves: Iterable[Mapping[str, Any]]
                      ) -> list[models.VMove]:
        """Write all vmoves of a notification in one transaction.

        Each mapping holds the vmove's columns, its ``plan`` among them;
        ``uuid`` and ``status`` default to a new UUID and ``pending``.
        """
        now = self._clock.now()
        rows = [models.VMove(**{"uuid": str(uuidlib.uuid4()),
                                "status": constants.PENDING,
                                "priority": 0, "attempts": 0,
                                "created_at": now, **move,
                                "notification_uuid": notification_uuid})
                for move in moves]
        with self._writer() as session:
            session.add_all(rows)
        for row in rows:
            self._status_changed("vmoves", row.uuid, {
                "status": row.status, "notification_uuid": notification_uuid,
                "instance_uuid": row.instance_uuid, "type": row.type})
        return rows

    def vmoves_insert(self, notification_uuid: str,
                      moves: Iterable[Mapping[str, Any]]) -> list[str]:
        """``vmoves_create`` without the ORM (a plan of thousands of
        vmoves): one INSERT of many rows per set of columns given, in one
        transaction; return the new vmoves' uuids in order."""
        now = self._clock.now()
        rows = [{"uuid": str(uuidlib.uuid4()), "status": constants.PENDING,
                 "priority": 0, "attempts": 0, "deleted": False,
                 "created_at": now, **move,
                 "notification_uuid": notification_uuid} for move in moves]
        by_columns: dict[frozenset[str], list[dict[str, Any]]] = {}
        for row in rows:
            by_columns.setdefault(frozenset(row), []).append(row)
        with self._writer() as session:
            connection = session.connection()
            for group in by_columns.values():
                connection.execute(sa.insert(_VMOVES), group)
        for row in rows:
            self._status_changed("vmoves", row["uuid"], {
                "status": row["status"],
                "notification_uuid": notification_uuid,
                "instance_uuid": row["instance_uuid"], "type": row["type"]})
        return [row["uuid"] for row in rows]

    def vmove_get(self, uuid: str,
                  notification_uuid: str | None = None,
                  project_id: str | None = None) -> models.VMove:
        """A live vmove (of that notification, of an instance of that
        project when given), or NotFound."""
        return self._one(LISTING, uuid, uuid=uuid,
                         notification_uuid=notification_uuid,
                         project_id=project_id)

    def vmove_get_by_id(self, id: int,
                        notification_uuid: str | None = None,
                        project_id: str | None = None) -> models.VMove:
        """Return a live vmove by its integer id (Masakari's id)."""
        return self._one(LISTING, id, id=id,
                         notification_uuid=notification_uuid,
                         project_id=project_id)

    @overload
    def vmove_list(self, *, rows: Literal[False] = False,
                   **query: "Unpack[VMoveQuery]") -> list[models.VMove]: ...

    @overload
    def vmove_list(self, *, rows: Literal[True],
                   **query: "Unpack[VMoveQuery]"
                   ) -> list[dict[str, Any]]: ...

    def vmove_list(self, *, rows: bool = False,
                   **query: "Unpack[VMoveQuery]"
                   ) -> list[models.VMove] | list[dict[str, Any]]:
        """A page of vmoves, newest first unless sorted otherwise.

        With ``rows``, plain dicts of columns read on a Core connection
        without the ORM: several times cheaper for a page, which is what
        the API serves.
        """
        if rows:
            return self._rows(LISTING, query)
        return self._list(LISTING, query)

    def vmove_update(self, uuid: str, values: Mapping[str, Any],
                     expected: Iterable[str] | None = None) -> bool:
        """Update a vmove if its status is in ``expected``; say whether."""
        status = values.get("status")
        if status is not None and status not in constants.VMOVE_STATUSES:
            raise exception.InvalidInput(
                reason="unknown vmove status %s" % status)
        values = {"updated_at": self._clock.now(), **values}
        return self._test_and_set(models.VMove, uuid, values, expected) > 0

    def vmove_soft_delete(self, uuid: str,
                          expected: Iterable[str]) -> bool:
        """Soft-delete a vmove whose status is in ``expected``."""
        now = self._clock.now()
        return self._test_and_set(
            models.VMove, uuid, {"deleted": True, "deleted_at": now},
            expected) > 0

    # -- steps ------------------------------------------------------------

    def step_start(self, vmove_uuid: str, name: str, attempt: int = 1,
                   context: Mapping[str, Any] | None = None
                   ) -> models.VMoveStep:
        """Record that a step begins, and make it the vmove's current step."""
        now = self._clock.now()
        row = models.VMoveStep(vmove_uuid=vmove_uuid, name=name,
                               status=constants.ONGOING, attempt=attempt,
                               started_at=now, created_at=now,
                               context=dict(context or {}))
        with self._writer() as session:
            session.add(row)
            session.execute(sa.update(models.VMove).where(
                models.VMove.uuid == vmove_uuid).values(
                    current_step=name, updated_at=now))
        return row

    def step_finish(self, step_id: int, status: str,
                    result: str | None = None,
                    context: Mapping[str, Any] | None = None) -> None:
        """Record how a step ended."""
        values: dict[str, Any] = {"status": status, "result": result,
                                  "ended_at": self._clock.now(),
                                  "updated_at": self._clock.now()}
        if context is not None:
            values["context"] = dict(context)
        with self._writer() as session:
            session.execute(sa.update(models.VMoveStep).where(
                models.VMoveStep.id == step_id).values(**values))

    def steps_orphaned_close(self, notification_uuid: str, result: str
                             ) -> int:
        """End ``failed`` with ``result`` every step of the notification's
        vmoves left ``ongoing`` (by an engine that no longer runs it);
        return how many."""
        now = self._clock.now()
        step = models.VMoveStep
        vmoves = sa.select(models.VMove.uuid).where(
            models.VMove.notification_uuid == notification_uuid)
        with self._writer() as session:
            return core.rowcount(session, sa.update(step).where(
                step.vmove_uuid.in_(vmoves), step.deleted.is_(False),
                step.status == constants.ONGOING).values(
                    status=constants.FAILED, result=result[:2000],
                    ended_at=now, updated_at=now))

    def step_list(self, vmove_uuid: str) -> list[models.VMoveStep]:
        """The live steps of a vmove, in the order they began."""
        with self._reader() as session:
            return list(session.scalars(
                sa.select(models.VMoveStep).where(
                    models.VMoveStep.vmove_uuid == vmove_uuid,
                    models.VMoveStep.deleted.is_(False)).order_by(
                        models.VMoveStep.id)))

    def step_list_by_notification(self, notification_uuid: str
                                  ) -> list[tuple[models.VMoveStep, str]]:
        """Return (step, instance_uuid) of every vmove of a notification."""
        query = sa.select(models.VMoveStep, models.VMove.instance_uuid).join(
            models.VMove,
            models.VMove.uuid == models.VMoveStep.vmove_uuid).where(
                models.VMove.notification_uuid == notification_uuid,
                models.VMove.deleted.is_(False),
                models.VMoveStep.deleted.is_(False)).order_by(
                    models.VMoveStep.id)
        with self._reader() as session:
            return [(step, instance) for step, instance in
                    session.execute(query)]
