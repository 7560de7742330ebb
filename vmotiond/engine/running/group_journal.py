"""The journal writes of an engine's vmoves, committed together.

Every vmove's run writes its journal (``journal.Journal``) before it acts
and when it ends. Moves start and end in waves: a poll sees several land
at once, and as many start in the move slots they free. Their writes go
through one ``GroupWriter``: a write that finds none in progress is
written at once, alone; the writes that come while one is in progress
wait for it and are then written together, in one transaction
(``Database.step_journals``), by the first of them. No write waits for
more than the transaction before it, and each is committed before its
caller goes on (persist before act holds for each vmove): its caller
gets what ``Database.step_journal`` would have returned or raised. When
a transaction of several fails, each of its writes is tried again alone,
so that a write the database refuses fails only its own vmove.
"""

from collections.abc import Iterable
from collections.abc import Mapping
import threading
from typing import Any

from vmotiond.db import api as db_api
from vmotiond.db import notifications
from vmotiond.db import step_journal as journal_db


class _Pending:
    def __init__(self, write: journal_db.JournalWrite) -> None:
        self.write = write
        self.outcome: journal_db.Outcome | None = None
        # Set when the outcome is in, or when this write is to lead.
        self.event = threading.Event()
        self.lead = False


class GroupWriter:
    """``step_journal`` of ``db``, concurrent calls in one transaction."""

    def __init__(self, db: db_api.Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._busy = False

    def step_journal(self, vmove_uuid: str,
                     steps: Iterable[journal_db.StepWrite],
                     vmove: Mapping[str, Any] | None = None,
                     expected: Iterable[str] | None = None,
                     fence: notifications.Fence | None = None
                     ) -> tuple[bool, list[int | None]]:
        """As ``Database.step_journal``; written with the writes of other
        vmoves that wait at the same time."""
        item = _Pending(journal_db.JournalWrite(
            vmove_uuid, tuple(steps), vmove,
            None if expected is None else tuple(expected), fence))
        with self._lock:
            self._queue.append(item)
            lead = item.lead = not self._busy
            self._busy = True
        while True:
            if lead:
                self._lead()
            item.event.wait()
            if item.outcome is not None:
                break
            lead = item.lead
        outcome = item.outcome
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _lead(self) -> None:
        """Write what waits, in one transaction; hand the lead to the
        first write that came meanwhile, if any."""
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            outcomes = self._write(batch)
        except BaseException as exc:
            # Not a database error (those are outcomes): every waiter
            # gets it.
            if not isinstance(exc, Exception):
                exc = RuntimeError("journal write interrupted: %r" % exc)
            outcomes = [exc] * len(batch)
        finally:
            with self._lock:
                if self._queue:
                    nxt = self._queue[0]
                    nxt.lead = True
                    nxt.event.set()
                else:
                    self._busy = False
        for item, outcome in zip(batch, outcomes, strict=True):
            item.outcome = outcome
            item.event.set()

    def _write(self, batch: list[_Pending]) -> list[journal_db.Outcome]:
        if len(batch) == 1:
            return [self._alone(batch[0].write)]
        try:
            return self.db.step_journals([item.write for item in batch])
        except Exception:
            # Which write the database refused is unknown: each alone.
            return [self._alone(item.write) for item in batch]

    def _alone(self, write: journal_db.JournalWrite) -> journal_db.Outcome:
        try:
            return self.db.step_journal(
                write.vmove_uuid, write.steps, vmove=write.vmove,
                expected=write.expected, fence=write.fence)
        except Exception as exc:
            return exc
