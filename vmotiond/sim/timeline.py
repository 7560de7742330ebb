"""Lazy simulated time: events fire when someone looks, not on a thread.

Long operations schedule their next phase at a due time. Every read or
write of the cloud first calls :meth:`Timeline.run_due`, which fires, in
order, every event whose time has come, each told the time it was due (so
timestamps are right even when nobody looked for a while). A cloud of any
size therefore needs no thread of its own.

An event of a named kind (:meth:`Timeline.after`) can be held: while its
kind is held it is parked off the queue, and its release queues it its
full delay after the release.
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
        self._held: dict[str, list[tuple[float, Event]]] = {}

    def at(self, when: datetime.datetime, event: Event) -> None:
        """Run ``event(when)`` once the clock reaches ``when``."""
        heapq.heappush(self._heap, (when, next(self._seq), event))

    def after(self, kind: str, start: datetime.datetime, seconds: float,
              event: Event) -> None:
        """Run ``event`` ``seconds`` after ``start``, or, while ``kind``
        is held, ``seconds`` after the release of ``kind``."""
        parked = self._held.get(kind)
        if parked is None:
            self.at(start + datetime.timedelta(seconds=seconds), event)
        else:
            parked.append((seconds, event))

    def hold(self, kind: str) -> None:
        """Park every event of ``kind`` queued from now on."""
        self._held.setdefault(kind, [])

    def release(self, kind: str, now: datetime.datetime) -> int:
        """Stop holding ``kind``: queue its parked events, each its delay
        after ``now``; return how many there were."""
        parked = self._held.pop(kind, [])
        for seconds, event in parked:
            self.at(now + datetime.timedelta(seconds=seconds), event)
        return len(parked)

    def held(self) -> dict[str, int]:
        """Each held kind and how many events it has parked."""
        return {kind: len(parked) for kind, parked in self._held.items()}

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
