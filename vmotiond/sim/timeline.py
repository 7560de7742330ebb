"""Lazy simulated time: events fire when someone looks, not on a thread.

Long operations schedule their next phase at a due time. Every read or
write of the cloud first calls :meth:`Timeline.run_due`, which fires, in
order, every event whose time has come, each told the time it was due (so
timestamps are right even when nobody looked for a while). A cloud of any
size therefore needs no thread of its own.
"""

from collections.abc import Callable
import datetime
import heapq
import itertools

Event = Callable[[datetime.datetime], None]


class Timeline:
    """A priority queue of (due time, event)."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime.datetime, int, Event]] = []
        self._seq = itertools.count()

    def at(self, when: datetime.datetime, event: Event) -> None:
        """Run ``event(when)`` once the clock reaches ``when``."""
        heapq.heappush(self._heap, (when, next(self._seq), event))

    def run_due(self, now: datetime.datetime) -> int:
        """Fire every event due by ``now``, oldest first; return the count.

        Events may schedule further events; those due by ``now`` fire in
        the same call.
        """
        fired = 0
        while self._heap and self._heap[0][0] <= now:
            when, _seq, event = heapq.heappop(self._heap)
            event(when)
            fired += 1
        return fired

    def next_due(self) -> datetime.datetime | None:
        """Return when the next event is due, if any."""
        return self._heap[0][0] if self._heap else None

    def __len__(self) -> int:
        return len(self._heap)
