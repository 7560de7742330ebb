"""The one clock of vmotiond, injectable so tests of time take no time.

Every grace period, deadline and poll interval reads ``now()`` or
``monotonic()`` and waits with ``wait()`` on an exit ``Event``; nothing in
vmotiond calls ``time.sleep``.
"""

import datetime
import threading
import time


def utcnow() -> datetime.datetime:
    """Return the system's current time as a naive UTC datetime."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Clock:
    """Wall and monotonic time, and interruptible waits."""

    def now(self) -> datetime.datetime:
        """Return the current time as a naive UTC datetime (as stored)."""
        return utcnow()

    def monotonic(self) -> float:
        """Return seconds from an arbitrary, never-decreasing origin."""
        return time.monotonic()

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait up to ``seconds`` for ``event``; return whether it is set."""
        return event.wait(max(0.0, seconds))


class FakeClock(Clock):
    """A clock that moves only when told to, or when something waits on it.

    ``wait`` advances the clock by the time waited instead of sleeping, so a
    loop polling against a 180 s deadline finishes at once in a test.
    """

    def __init__(self, start: datetime.datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = start or datetime.datetime(2026, 1, 1, 0, 0, 0)
        self._mono = 0.0

    def now(self) -> datetime.datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        with self._lock:
            self._now += datetime.timedelta(seconds=seconds)
            self._mono += seconds

    def wait(self, event: threading.Event, seconds: float) -> bool:
        if event.is_set():
            return True
        self.advance(max(0.0, seconds))
        return event.is_set()
