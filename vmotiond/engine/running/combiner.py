"""Concurrent calls of one kind, made together when they meet.

Moves start and end in waves, so the engine's threads often want the same
kind of call at the same moment (a journal write, a floating-IP read).
A ``Combiner`` makes them together: a call that finds none in progress is
made at once, alone; the calls that come while one is in progress wait
for it, then the first of them makes the next batch for all of them
(``take`` says how many of the waiting calls one batch can carry). No
call waits for more than the batch before it, and each caller gets its
own result or exception, as its own call would have.
"""

from collections.abc import Callable
from collections.abc import Sequence
import threading
from typing import Generic
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Call(Generic[T, R]):
    __slots__ = ("item", "result", "done", "event", "lead")

    def __init__(self, item: T) -> None:
        self.item = item
        self.result: R | Exception | None = None
        self.done = False
        # Set when the result is in, or when this call is to lead.
        self.event = threading.Event()
        self.lead = False


class Combiner(Generic[T, R]):
    """``run(items)`` for concurrent ``call(item)``s, several at once.

    ``run`` returns one result or exception for each item, in order; an
    exception it raises is every item's. ``take(items)`` is how many of
    the waiting items (oldest first, at least one) go in one batch."""

    def __init__(self, run: Callable[[list[T]], Sequence[R | Exception]],
                 take: Callable[[list[T]], int] = len) -> None:
        self._run = run
        self._take = take
        self._lock = threading.Lock()
        self._queue: list[_Call[T, R]] = []
        self._busy = False

    def call(self, item: T) -> R:
        """``item``'s result, made with the calls that wait beside it."""
        call: _Call[T, R] = _Call(item)
        with self._lock:
            self._queue.append(call)
            lead = call.lead = not self._busy
            self._busy = True
        while True:
            if lead:
                self._lead()
            call.event.wait()
            if call.done:
                break
            lead = call.lead
        if isinstance(call.result, Exception):
            raise call.result
        return call.result  # type: ignore[return-value]

    def waiting(self) -> int:
        """How many calls wait for the batch in progress."""
        with self._lock:
            return len(self._queue)

    def _lead(self) -> None:
        """Run a batch of what waits (this call first); hand the lead to
        the first call still waiting, if any."""
        with self._lock:
            count = max(1, self._take([c.item for c in self._queue]))
            batch, self._queue = self._queue[:count], self._queue[count:]
        results: Sequence[R | Exception]
        try:
            results = self._run([c.item for c in batch])
        except BaseException as exc:
            if not isinstance(exc, Exception):
                exc = RuntimeError("interrupted: %r" % exc)
            results = [exc] * len(batch)
        finally:
            with self._lock:
                if self._queue:
                    nxt = self._queue[0]
                    nxt.lead = True
                    nxt.event.set()
                else:
                    self._busy = False
        for call, result in zip(batch, results, strict=True):
            call.result, call.done = result, True
            call.event.set()
