"""Watch a notification's moves in flight with one list call per poll.

Every vmove of a notification waiting for its instance to land reads the
instance from one shared record of the notification's servers, which one
of the waiters refreshes with ``GET /servers/detail?changes-since=`` (Nova's
own clock: the cursor is the latest ``updated`` Nova showed). A change
Nova makes after the cursor is in the next answer, so a server absent from
it has not changed.

The record starts from the servers as the plan read them (the cursor is
the latest ``updated`` among them); a watch without them (a resumed
notification) reads each waiting server once on its own first. A move
step calls ``expect`` before it asks Nova to move the instance: its wait
then judges only what Nova showed after that.

Polls are paced by what the moves take: until one has landed, a waiter
asks again after ``poll_interval`` or a twentieth of the time waited,
whichever is longer; once moves have landed, not before the shortest time
one took. One waiter at a time (the poller) sleeps until the poll is due
and makes it; the others sleep until a poll shows their server changed
(or the poller leaves, or ``WAKE_EVERY``), so a poll wakes only the
waiters it concerns.
"""

from collections.abc import Callable
from collections.abc import Iterable
import dataclasses
import threading
from typing import TypeVar

from vmotiond import clock as clock_mod
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records

T = TypeVar("T")

# A waiter asks again after this part of the time it has waited, at least
# poll_interval.
BACKOFF_SHARE = 0.05


# The longest a waiter sleeps without looking at the exit event.
WAKE_EVERY = 0.5

# A waiter that saw no change of its server for this long reads it on its
# own once (what a poll could have missed: clocks of Nova's nodes apart).
STALE_AFTER = 30.0


@dataclasses.dataclass
class _Waiter:
    since: float            # monotonic time of expect (or of the wait)
    seen: int               # the version of the server last judged
    checked: float = 0.0    # monotonic time it last saw a change
    # Set when a poll changed its server, or it may have to poll.
    wake: threading.Event = dataclasses.field(
        default_factory=threading.Event)


class MoveWatch:
    """The servers of one notification's run, as Nova last showed them."""

    def __init__(self, cloud: cloud_base.Cloud, clock: clock_mod.Clock,
                 stop: threading.Event, poll_interval: float,
                 servers: Iterable[records.Server] = ()) -> None:
        self.cloud = cloud
        self.clock = clock
        self.stop = stop
        self.interval = max(poll_interval, 0.001)
        self.lock = threading.Lock()
        self.servers: dict[str, records.Server] = {}
        self.versions: dict[str, int] = {}
        self.waiters: dict[str, _Waiter] = {}
        for server in servers:
            self._merge(server)
        stamps = [s.updated for s in self.servers.values() if s.updated]
        self.cursor: str | None = max(stamps) if stamps else None
        self.expected: dict[str, float] = {}
        self.polling = False
        self.last_poll: float | None = None
        self.shortest: float | None = None
        # The waiting server whose waiter makes the polls.
        self.poller: str | None = None

    def expect(self, server_id: str) -> None:
        """A move of ``server_id`` is about to be asked of Nova."""
        with self.lock:
            self.versions.setdefault(server_id, 0)
            self.expected[server_id] = self.clock.monotonic()
            self.waiters[server_id] = _Waiter(
                self.clock.monotonic(), self.versions[server_id])
            self._wake_poller()

    def forget(self, server_id: str) -> None:
        """The move expected was not asked after all."""
        with self.lock:
            self.waiters.pop(server_id, None)
            self.expected.pop(server_id, None)

    def wait(self, server_id: str, what: str,
             judge: Callable[[records.Server], T | None],
             timeout: float) -> T:
        """Call ``judge`` on each newer view of the server until it says
        something; fail at the deadline. ``judge`` may raise."""
        deadline = self.clock.monotonic() + timeout
        with self.lock:
            waiter = self.waiters.get(server_id)
            fresh = waiter is not None and server_id in self.expected
            if waiter is None:
                waiter = self.waiters[server_id] = _Waiter(
                    self.clock.monotonic(), 0)
                self.versions.setdefault(server_id, 0)
                self._wake_poller()
        try:
            if not fresh:
                # Nothing says what Nova did meanwhile: read it once.
                self._read(server_id)
            return self._wait(server_id, waiter, what, judge, deadline,
                              fresh)
        finally:
            with self.lock:
                self.waiters.pop(server_id, None)
                self.expected.pop(server_id, None)
                if self.poller == server_id:
                    # Another waiter takes the polls up.
                    self.poller = None
                    for other in self.waiters.values():
                        other.wake.set()

    def _wake_poller(self) -> None:
        """A waiter came: the poller sees when its poll is due (lock
        held)."""
        if self.poller is not None and self.poller in self.waiters:
            self.waiters[self.poller].wake.set()

    def _wait(self, server_id: str, waiter: _Waiter, what: str,
              judge: Callable[[records.Server], T | None], deadline: float,
              fresh: bool) -> T:
        while True:
            with self.lock:
                # Cleared before it looks: a poll after sets it again.
                waiter.wake.clear()
                version = self.versions.get(server_id, 0)
                server = self.servers.get(server_id)
            now = self.clock.monotonic()
            if version > waiter.seen and server is not None:
                waiter.seen = version
                waiter.checked = now
                found = judge(server)
                if found is not None:
                    if fresh:
                        self._landed(self.clock.monotonic() - waiter.since)
                    return found
            elif now - max(waiter.checked, waiter.since) > STALE_AFTER:
                waiter.checked = now
                self._read(server_id)
                continue
            now = self.clock.monotonic()
            if now >= deadline:
                raise exception.StepTimedOut(
                    reason="%s: not done after %.0f s" % (
                        what, deadline - waiter.since))
            if self.stop.is_set():
                raise exception.Interrupted(
                    reason="engine stopping while waiting: %s" % what)
            with self.lock:
                if self.poller is None:
                    self.poller = server_id
                polls = self.poller == server_id
                due = self._due() if polls else float("inf")
                poll = polls and not self.polling and now >= due and \
                    self.cursor is not None
                if poll:
                    self.polling = True
                    self.last_poll = now
            if poll:
                self._poll()
                continue
            if polls and self.cursor is None and now >= due:
                # Nova gave no time to list changes since: read it alone.
                self._read(server_id)
                continue
            # The poller asleep until its poll is due, the others until a
            # poll changes their server (or the poller leaves); awake at
            # least every WAKE_EVERY to see the engine stop.
            pause = min(max(due - now, 0.0), deadline - now, WAKE_EVERY)
            self.clock.wait(waiter.wake, max(pause, 0.001))

    def _poll(self) -> None:
        """One list call; wake every waiter when it is in."""
        changed: list[records.Server] = []
        try:
            assert self.cursor is not None
            changed = self.cloud.list_servers_changed(self.cursor)
        finally:
            with self.lock:
                self.polling = False
                for server in changed:
                    if server.id in self.versions:
                        self._merge(server)
                    if server.updated and (self.cursor is None
                                           or server.updated > self.cursor):
                        self.cursor = server.updated

    def _due(self) -> float:
        """When the next poll is due (call with the lock held)."""
        if not self.waiters:
            return float("inf")
        due = float("inf")
        for waiter in self.waiters.values():
            base = max(self.last_poll or waiter.since, waiter.since)
            step = max(self.interval, BACKOFF_SHARE * (base - waiter.since))
            when = base + step
            if self.shortest is not None:
                when = max(when, waiter.since + self.shortest)
            due = min(due, when)
        return due

    def _landed(self, took: float) -> None:
        with self.lock:
            if self.shortest is None or took < self.shortest:
                self.shortest = took

    def _read(self, server_id: str) -> None:
        """Read one server on its own. Only a watch without a cursor takes
        its ``updated`` as the cursor: a later one could skip what other
        servers did meanwhile."""
        server = self.cloud.get_server(server_id)
        with self.lock:
            self._merge(server)
            if self.cursor is None and server.updated:
                self.cursor = server.updated

    def _merge(self, server: records.Server) -> None:
        """Keep ``server`` unless what is kept is newer (lock held)."""
        kept = self.servers.get(server.id)
        if kept is not None and kept.updated and server.updated and \
                kept.updated > server.updated:
            return
        self.servers[server.id] = server
        self.versions[server.id] = self.versions.get(server.id, 0) + 1
        waiter = self.waiters.get(server.id)
        if waiter is not None:
            waiter.wake.set()
