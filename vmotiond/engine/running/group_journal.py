"""The journal writes of an engine's vmoves, committed together.

Every vmove's run writes its journal (``journal.Journal``) before it acts
and when it ends. Moves start and end in waves: a poll sees several land
at once, and as many start in the move slots they free. Their writes go
through one ``GroupWriter``, a ``combiner.Combiner``: the writes that
meet are written in one transaction (``Database.step_journals``), and
each is committed before its caller goes on (persist before act holds
for each vmove): its caller gets what ``Database.step_journal`` would
have returned or raised. When a transaction of several fails, each of
its writes is tried again alone, so that a write the database refuses
fails only its own vmove.
"""
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from vmotiond.db import api as db_api
from vmotiond.db import notifications
from vmotiond.db import step_journal as journal_db
from vmotiond.engine.running import combiner


class GroupWriter:
    """``step_journal`` of ``db``, concurrent calls in one transaction."""

    def __init__(self, db: db_api.Database) -> None:
        self.db = db
        self._writes: combiner.Combiner[
            journal_db.JournalWrite, tuple[bool, list[int | None]]] = \
            combiner.Combiner(self._write)

    def step_journal(self, vmove_uuid: str,
                     steps: Iterable[journal_db.StepWrite],
                     vmove: Mapping[str, Any] | None = None,
                     expected: Iterable[str] | None = None,
                     fence: notifications.Fence | None = None
                     ) -> tuple[bool, list[int | None]]:
        """As ``Database.step_journal``; written with the writes of other
        vmoves that wait at the same time."""
        return self._writes.call(journal_db.JournalWrite(
            vmove_uuid, tuple(steps), vmove,
            None if expected is None else tuple(expected), fence))

    def _write(self, batch: list[journal_db.JournalWrite]
               ) -> list[journal_db.Outcome]:
        if len(batch) == 1:
            return [self._alone(batch[0])]
        try:
            return self.db.step_journals(batch)
        except Exception:
            # Which write the database refused is unknown: each alone.
            return [self._alone(write) for write in batch]

    def _alone(self, write: journal_db.JournalWrite) -> journal_db.Outcome:
        try:
            return self.db.step_journal(
                write.vmove_uuid, write.steps, vmove=write.vmove,
                expected=write.expected, fence=write.fence)
        except Exception as exc:
            return exc
