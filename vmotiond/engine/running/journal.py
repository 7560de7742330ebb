"""The records one run of a vmove writes: its steps and its end.

Persist before act, with as few transactions as that allows: a step's
start is written before the step runs, together with the end of the step
before it, so whatever a step asks of Nova follows the record of
everything done before it; a failed step is written at once; the end of
the last step is written with the vmove's own end.
"""

from collections.abc import Mapping
from typing import Any

from oslo_log import log as logging

from vmotiond.db import api as db_api
from vmotiond.db import retry as db_retry
from vmotiond.db import vmoves as vmoves_db

LOG = logging.getLogger(__name__)


class Journal:
    """What one run of a vmove writes, a transaction per step.

    A step's start is written before the step runs (with the end of the
    step before it: one transaction), so what a step asks of Nova always
    follows the record of everything done before it; a failure is written
    at once; the end of the last step goes with the vmove's own end.
    """

    def __init__(self, db: db_api.Database, vmove_uuid: str) -> None:
        self.db = db
        self.vmove_uuid = vmove_uuid
        self.pending: vmoves_db.StepEnd | None = None
        self.values: dict[str, Any] = {}

    def begin(self, key: str, attempt: int) -> int:
        """Write the step's start (and what waits); return its id. The
        end of the step before is forgotten should the write fail (as a
        write of its own would have left it)."""
        pending, self.pending = self.pending, None
        _, row_id = self.db.step_advance(
            self.vmove_uuid, finish=pending, start=(key, attempt),
            vmove=self.values or None)
        self.values = {}
        assert row_id is not None
        return row_id

    def ended(self, step_id: int, status: str, result: str | None,
              context: Mapping[str, Any] | None = None) -> None:
        """The step ended: written with the next start or the end."""
        self.pending = vmoves_db.StepEnd(step_id, status, result, context)

    def end_now(self, step_id: int, status: str, result: str) -> None:
        """The step ended so: write it now."""
        self.ended(step_id, status, result)
        self.flush()

    def update(self, values: Mapping[str, Any]) -> None:
        """Vmove columns to write with the next record."""
        self.values.update(values)

    def flush(self) -> None:
        if self.pending is not None or self.values:
            pending, self.pending = self.pending, None
            self.db.step_advance(self.vmove_uuid, finish=pending,
                                 vmove=self.values or None)
            self.values = {}

    def flush_quietly(self) -> None:
        """Flush on the way out; a failure only costs a repeated step."""
        try:
            self.flush()
        except Exception as exc:
            LOG.warning("vmove %s: the last step's end was not recorded: "
                        "%s", self.vmove_uuid, db_retry.first_line(exc))

    def close(self, values: Mapping[str, Any],
              expected: tuple[str, ...]) -> None:
        """The vmove's end, with what waits, by test-and-set."""
        written, _ = self.db.step_advance(
            self.vmove_uuid, finish=self.pending,
            vmove={**self.values, **values}, expected=expected)
        self.values = {}
        if written:
            self.pending = None
        else:
            # Someone else ended the vmove: the step's end still holds.
            self.flush()
