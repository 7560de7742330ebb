"""The journal of vmoves' steps: what a vmove's run writes, fenced.

``step_journal`` writes one vmove's steps (and columns of the vmove) in
one transaction; ``step_journals`` writes those of several vmoves in one
transaction, each with the outcome it would have had alone: a vmove's
test-and-set that finds another status writes nothing of that vmove (and
refuses nothing of the others), a fence that no longer holds refuses the
writes it carries (``Superseded``), and the others go in.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
import dataclasses
import datetime
import typing
from typing import Any

import sqlalchemy as sa

from vmotiond import constants
from vmotiond import exception
from vmotiond.db import core
from vmotiond.db import models
from vmotiond.db import notifications


@dataclasses.dataclass(frozen=True)
class StepWrite:
    """A step of a vmove to write: a new row (``step_id`` None) begun at
    ``started_at``, ended when ``status`` is final; or how a row already
    written (``step_id``) ended."""

    name: str
    attempt: int
    status: str
    started_at: datetime.datetime
    step_id: int | None = None
    result: str | None = None
    context: Mapping[str, Any] | None = None
    ended_at: datetime.datetime | None = None
    # The cloud's ids of the requests the step made that change something.
    request_ids: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class JournalWrite:
    """One vmove's write of ``step_journal``, as its arguments."""

    vmove_uuid: str
    steps: tuple[StepWrite, ...]
    vmove: Mapping[str, Any] | None = None
    expected: tuple[str, ...] | None = None
    fence: notifications.Fence | None = None


# Whether it was written, and each step's row id; or what refused it.
Outcome = tuple[bool, list[int | None]] | Exception

_STEPS = typing.cast(sa.Table, models.VMoveStep.__table__)
_VMOVES = typing.cast(sa.Table, models.VMove.__table__)
_S = _STEPS.c
_C = _VMOVES.c
# The journal's statements, on the tables (no ORM: one runs before every
# act), built once: the values go in as parameters.
_STEP_INSERT = sa.insert(_STEPS)
_STEP_END = sa.update(_STEPS).where(_S.id == sa.bindparam("step_id"))


# The vmove's UPDATE of a journal write, by (columns, expected statuses,
# whether a step begins): built once each, the values as parameters (a
# statement built per write costs more CPU than its execution).
_UPDATES: dict[tuple[tuple[str, ...], tuple[str, ...] | None, bool],
               sa.Update] = {}
_UPDATES_MAX = 64


def _vmove_update(columns: tuple[str, ...],
                  expected: tuple[str, ...] | None,
                  begins: bool) -> sa.Update:
    key = (columns, expected, begins)
    query = _UPDATES.get(key)
    if query is not None:
        return query
    query = sa.update(_VMOVES).where(
        _C.uuid == sa.bindparam("v_uuid"), _C.deleted.is_(False))
    if expected is not None:
        query = query.where(_C.status.in_(list(expected)))
    if begins:
        query = query.where(_C.status.notin_(constants.VMOVE_DONE_STATUSES))
    query = query.values({column: sa.bindparam("v_" + column)
                          for column in columns})
    if len(_UPDATES) < _UPDATES_MAX:
        _UPDATES[key] = query
    return query


def _insert_many(connection: sa.Connection,
                 rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` of steps in one statement; empty the list."""
    if rows:
        connection.execute(_STEP_INSERT, list(rows))
        rows.clear()


class _Refused(Exception):
    """The vmove's test-and-set found another status: nothing of it is
    written."""


def _values(write: JournalWrite) -> dict[str, Any]:
    """The vmove's columns to write; InvalidInput for an unknown status."""
    values: dict[str, Any] = dict(write.vmove or {})
    status = values.get("status")
    if status is not None and status not in constants.VMOVE_STATUSES:
        raise exception.InvalidInput(
            reason="unknown vmove status %s" % status)
    new = [step.name for step in write.steps if step.step_id is None]
    if new:
        values["current_step"] = new[-1]
    return values


def _write(connection: sa.Connection, now: datetime.datetime,
           write: JournalWrite, values: dict[str, Any]) -> list[int | None]:
    """Update the vmove (test-and-set on ``expected``; ``_Refused`` before
    anything is written when it finds another status, or a final vmove
    when a step begins), then write the steps; their row ids."""
    # A step begins: the vmove runs, which a final one never does again.
    begins = any(step.step_id is None and step.status == constants.ONGOING
                 for step in write.steps)
    if values:
        vmove = {**values, "updated_at": now}
        columns = tuple(sorted(vmove))
        params = {"v_" + column: vmove[column] for column in columns}
        params["v_uuid"] = write.vmove_uuid
        changed = core.rowcount(connection, _vmove_update(
            columns, write.expected, begins), params)
        if (write.expected is not None or begins) and not changed:
            raise _Refused()
    ids: list[int | None] = []
    # Ended new rows go in batches (one statement each run of them, in
    # order); a row begun needs its id, so goes alone.
    batch: list[dict[str, Any]] = []
    for step in write.steps:
        row: dict[str, Any] = {
            "status": step.status, "result": step.result,
            "ended_at": step.ended_at, "updated_at": now}
        if step.context is not None:
            row["context"] = dict(step.context)
        if step.request_ids:
            row["request_ids"] = list(step.request_ids)
        if step.step_id is not None:
            connection.execute(_STEP_END, {**row, "step_id": step.step_id})
            ids.append(step.step_id)
            continue
        row.update(vmove_uuid=write.vmove_uuid, name=step.name,
                   attempt=step.attempt, started_at=step.started_at,
                   created_at=now, deleted=False, deleted_at=None)
        row.setdefault("context", {})
        if step.status != constants.ONGOING:
            batch.append(row)
            ids.append(None)
            continue
        _insert_many(connection, batch)
        key = connection.execute(_STEP_INSERT, row).inserted_primary_key
        assert key is not None
        ids.append(int(key[0]))
    _insert_many(connection, batch)
    return ids


class StepJournal(core.Core):
    """The writes of vmoves' runs to vmoves and vmove_steps."""

    def step_journal(self, vmove_uuid: str, steps: Iterable[StepWrite],
                     vmove: Mapping[str, Any] | None = None,
                     expected: Iterable[str] | None = None,
                     fence: notifications.Fence | None = None
                     ) -> tuple[bool, list[int | None]]:
        """In one transaction: check ``fence`` (``Superseded`` when the
        notification's claim is another's now), update the vmove
        (test-and-set on ``expected``; the last new step becomes its
        current step), then write ``steps``. Nothing is written when the
        vmove's status is not in ``expected``, nor when a step begins on
        a final vmove. Return whether it was written and, for each step,
        its row's id."""
        outcome = self.step_journals([JournalWrite(
            vmove_uuid, tuple(steps), vmove,
            None if expected is None else tuple(expected), fence)])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def step_journals(self, writes: Sequence[JournalWrite]
                      ) -> list[Outcome]:
        """``step_journal`` of each of ``writes``, all in one transaction
        (each fence checked once, in the order of the notifications'
        uuids); the outcome of each, in order: what ``step_journal``
        returns, or the ``InvalidInput`` or ``Superseded`` it raises. An
        error of the database fails them all (raised)."""
        now = self._clock.now()
        outcomes: list[Outcome | None] = [None] * len(writes)
        values: list[dict[str, Any]] = []
        for i, write in enumerate(writes):
            try:
                values.append(_values(write))
            except exception.InvalidInput as exc:
                outcomes[i] = exc
                values.append({})
        fences = sorted({w.fence for i, w in enumerate(writes)
                         if w.fence is not None and outcomes[i] is None},
                        key=lambda f: (f.notification_uuid, f.owner,
                                       f.generation))
        with self._writer() as session:
            refused: dict[notifications.Fence, Exception] = {}
            for fence in fences:
                try:
                    notifications.check_fence(session, fence)
                except exception.Superseded as exc:
                    refused[fence] = exc
            connection = session.connection()
            for i, write in enumerate(writes):
                if outcomes[i] is not None:
                    continue
                if write.fence is not None and write.fence in refused:
                    outcomes[i] = refused[write.fence]
                    continue
                try:
                    outcomes[i] = (True, _write(connection, now, write,
                                                values[i]))
                except _Refused:
                    outcomes[i] = (False, [])
        done: list[Outcome] = []
        for write, value, outcome in zip(writes, values, outcomes,
                                         strict=True):
            assert outcome is not None
            if not isinstance(outcome, Exception) and outcome[0]:
                self._status_changed("vmoves", write.vmove_uuid, value)
            done.append(outcome)
        return done
