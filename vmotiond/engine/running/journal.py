"""The records one run of a vmove writes: its steps and its end.

Persist before act, and no more often: the runner's steps are kept here
and written in one transaction just before a step asks Nova (or Neutron)
to change something (``before_act``: every step before it, ended, and the
step itself, begun), when a step fails, and with the vmove's own end. A
step that only reads is written with whatever comes next: should the
engine die before, it runs again on resume, which a step that only reads
may. The vmove's current step is the last one written begun. The
claim of the vmove (``ongoing``, one more attempt) goes with the first of
these writes: before that, a run has only read. Every write carries the
notification's claim (``fence``): once another engine took the
notification up, the database refuses it (``Superseded``); and a step
never begins on a final vmove (``NotClaimed``). The runner's journals
write through its ``group_journal.GroupWriter``: the writes of vmoves
that start or end at the same time share one transaction, each still
committed before its own vmove goes on.
"""

from collections.abc import Callable
from collections.abc import Mapping
import dataclasses
import itertools
from typing import Any

from oslo_log import log as logging

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond.cloud import base as cloud_base
from vmotiond.db import api as db_api
from vmotiond.db import notifications
from vmotiond.db import retry as db_retry
from vmotiond.db import step_journal as vmoves_db
from vmotiond.engine.running import group_journal
from vmotiond.engine.running import tenure

LOG = logging.getLogger(__name__)

CLAIMABLE = (constants.PENDING, constants.ONGOING)


class NotClaimed(Exception):
    """The vmove was not ``pending`` or ``ongoing`` any more when its claim
    was written, or was final when a step began: someone else has it or
    ended it; nothing of this write was written."""


class Journal:
    """The steps of one run of one vmove, written when they must be."""

    def __init__(self, db: db_api.Database, clock: clock_mod.Clock,
                 vmove_uuid: str,
                 fence: notifications.Fence | None = None,
                 writer: group_journal.GroupWriter | None = None) -> None:
        self.db = db
        # What writes: the database, or the engine's writes together.
        self.writer: db_api.Database | group_journal.GroupWriter = \
            writer or db
        # The notification's claim every write is conditional on.
        self.fence = fence
        self.clock = clock
        self.vmove_uuid = vmove_uuid
        # Steps by handle, in the order they began, until written ended.
        self.steps: dict[int, vmoves_db.StepWrite] = {}
        self.values: dict[str, Any] = {}
        self.handles = itertools.count()
        # The claim (status ongoing, attempts), written with the first
        # write by test-and-set on these statuses.
        self.claim: dict[str, Any] | None = None
        # Called before the write that precedes an act (the runner waits
        # for a move slot there), and after it.
        self.on_turn: Callable[[], None] | None = None
        self.on_act: Callable[[], None] | None = None

    def claim_with(self, values: Mapping[str, Any]) -> None:
        """Claim the vmove with the first write (``values`` by
        test-and-set on ``pending``/``ongoing``); a write that finds it
        in another status raises ``NotClaimed``."""
        self.claim = dict(values)

    def begin(self, key: str, attempt: int) -> int:
        """A step begins; return its handle (for ``ended``)."""
        handle = next(self.handles)
        self.steps[handle] = vmoves_db.StepWrite(
            key, attempt, constants.ONGOING, self.clock.now())
        return handle

    def ended(self, handle: int, status: str, result: str | None,
              context: Mapping[str, Any] | None = None) -> None:
        """The step ended so; written with what comes next."""
        self.steps[handle] = dataclasses.replace(
            self.steps[handle], status=status, result=result,
            context=context, ended_at=self.clock.now())

    def end_now(self, handle: int, status: str, result: str) -> None:
        """The step ended so: write it now."""
        self.ended(handle, status, result)
        self.flush()

    def acted(self, request_id: str | None) -> None:
        """The step begun last made a request that changes something:
        its id is written with the step's end (and logged)."""
        begun = [h for h, s in self.steps.items()
                 if s.status == constants.ONGOING]
        if request_id is None or not begun:
            return
        step = self.steps[begun[-1]]
        LOG.info("vmove %s: step %s made request %s", self.vmove_uuid,
                 step.name, request_id)
        self.steps[begun[-1]] = dataclasses.replace(
            step, request_ids=(*step.request_ids, request_id))

    def update(self, values: Mapping[str, Any]) -> None:
        """Vmove columns to write with the next record."""
        self.values.update(values)

    def before_act(self) -> None:
        """A step is about to change something: call ``on_turn`` (the
        runner waits for a move slot there), write what it follows, then
        call ``on_act``. The write comes last before the act, so the
        claim it proves in the database is fresh when the act asks for
        it (``tenure.check_acting``), however long the wait for a slot."""
        if self.on_turn is not None:
            self.on_turn()
        self.flush()
        if self.on_act is not None:
            self.on_act()

    def flush(self) -> None:
        if self.claim is None and not self.values and all(
                s.step_id is not None and s.status == constants.ONGOING
                for s in self.steps.values()):
            return
        self._write(None, None)

    def flush_quietly(self) -> None:
        """Flush on the way out; a failure only costs a repeated step."""
        try:
            self.flush()
        except Exception as exc:
            LOG.warning("vmove %s: its last steps were not recorded: %s",
                        self.vmove_uuid, db_retry.first_line(exc))

    def close(self, values: Mapping[str, Any],
              expected: tuple[str, ...]) -> None:
        """The vmove's end, with what waits, by test-and-set; should the
        vmove have been ended by someone else, its steps are written."""
        if not self._write({**self.values, **values}, expected):
            self.values = {}
            self.flush()

    def _write(self, vmove: Mapping[str, Any] | None,
               expected: tuple[str, ...] | None) -> bool:
        """Write the steps not written yet or ended since, and ``vmove``
        (default: the columns waiting). A write that fails forgets the
        steps' ends (as a write of their own would have left them); the
        error goes up."""
        todo = [(h, s) for h, s in self.steps.items()
                if s.step_id is None or s.status != constants.ONGOING]
        values = dict(self.values if vmove is None else vmove)
        if self.claim is not None:
            values = {**self.claim, **values}
            expected = CLAIMABLE
        try:
            written, ids = self.writer.step_journal(
                self.vmove_uuid, [s for _, s in todo],
                vmove=values or None, expected=expected, fence=self.fence)
        except Exception:
            self._drop_ended()
            raise
        if not written:
            if self.claim is not None or any(
                    s.step_id is None and s.status == constants.ONGOING
                    for _, s in todo):
                raise NotClaimed()
            return False
        if self.fence is not None:
            tenure.proved(self.fence, self.clock.monotonic())
        self.claim = None
        for (handle, step), row_id in zip(todo, ids, strict=True):
            self.steps[handle] = dataclasses.replace(step, step_id=row_id)
        self._drop_ended()
        self.values = {}
        return True

    def _drop_ended(self) -> None:
        self.steps = {h: s for h, s in self.steps.items()
                      if s.status == constants.ONGOING}


def guarded(cloud: cloud_base.Cloud, journal: Journal) -> cloud_base.Cloud:
    """``cloud``, writing ``journal`` before every call that acts."""
    return tenure.acting(cloud, journal.before_act, journal.acted)
