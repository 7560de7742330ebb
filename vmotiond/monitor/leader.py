"""One decider: leader election on a tooz lock with a lease.

The leader is whoever holds the lock ``vmotiond-monitor-leader``. Holding it
is renewed on every heartbeat (``[coordination] heartbeat_interval``); a
holder that dies stops renewing, its lease (``lease_timeout``) runs out and
the next member's attempt succeeds, so another takes over within one lease
plus one heartbeat. A member that cannot renew (backend unreachable, lease
taken) steps down at once. A member whose renewal hangs (a backend call to
an unreachable Redis blocks for its socket timeout, far beyond the lease)
stops leading on its own clock: ``is_leader`` holds only until the lease
of the last renewal, less one heartbeat, has passed, whatever the call in
flight is doing, so it stops deciding before another member is elected.

Each stretch of leadership is logged at its two ends, with the instants
``is_leader`` turned true and false (UTC, to the microsecond): "Monitor
leadership of M (term N) from T" and "Monitor leadership of M (term N)
ended at T: why". A lapse is logged once the elector's thread is free
again, with the instant the lease of the last renewal ran out; how many
seconds two members led at once is read from these lines.
"""

from collections.abc import Callable
import datetime
import threading

from oslo_config import cfg
from oslo_log import log as logging
import tooz
from tooz import coordination
from tooz import locking

from vmotiond import clock as clock_mod
from vmotiond import coordination as coordination_url

LOG = logging.getLogger(__name__)

LOCK_NAME = b"vmotiond-monitor-leader"


class LeaderElector:
    """Elects one monitor among the processes sharing a backend.

    ``on_change(is_leader)`` is called from the elector's thread whenever
    leadership is won or lost.
    """

    def __init__(self, conf: cfg.ConfigOpts,
                 member_id: str | None = None,
                 clock: clock_mod.Clock | None = None,
                 on_change: Callable[[bool], None] | None = None,
                 lock_name: bytes = LOCK_NAME) -> None:
        self._url = coordination_url.backend_url(conf)
        self._lock_name = lock_name
        self._member = (member_id or conf.host).encode()
        self._interval = conf.coordination.heartbeat_interval
        lease = conf.coordination.lease_timeout
        # How long a renewal is trusted: the lease the backend granted no
        # earlier than the call started, less a heartbeat for the decision
        # in flight (half the lease when the heartbeat is that long).
        self._trust = max(lease - self._interval, lease / 2)
        self._valid_until = 0.0
        self._leading_since: datetime.datetime | None = None
        self._clock = clock or clock_mod.Clock()
        self._on_change = on_change
        self._coordinator: coordination.CoordinationDriver | None = None
        self._lock: locking.Lock | None = None
        self._leader = False
        self._term = 0
        self._tick_lock = threading.Lock()
        self._exit = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leader(self) -> bool:
        """Elected, and the last renewal's lease still holds."""
        return self._leader and self._clock.monotonic() < self._valid_until

    @property
    def term(self) -> int:
        """How many times this member won the lead: a follower of the
        monitor's in-memory state reloads it when this moved."""
        return self._term

    def start(self) -> None:
        """Connect to the backend and start campaigning in a thread."""
        self._coordinator = coordination.get_coordinator(self._url,
                                                         self._member)
        self._coordinator.start(start_heart=False)
        self._lock = self._coordinator.get_lock(self._lock_name)
        self._exit.clear()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="vmotiond-monitor-leader")
        self._thread.start()

    def stop(self) -> None:
        """Stop campaigning, give up the lead and disconnect."""
        self._exit.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._tick_lock:
            self._give_up()

    def _give_up(self) -> None:
        if self._leader and self._lock is not None:
            try:
                self._lock.release()
            except tooz.ToozError:
                LOG.warning("Could not release the leader lock",
                            exc_info=True)
            self._set(False)
        self._ended("stopped")
        if self._coordinator is not None:
            try:
                self._coordinator.stop()
            except tooz.ToozError:
                LOG.warning("Could not stop the coordinator", exc_info=True)
            self._coordinator = None

    def tick(self) -> bool:
        """Renew or try to take the lead once; return whether we lead."""
        with self._tick_lock:
            return self._tick()

    def _tick(self) -> bool:
        if self._coordinator is None or self._lock is None:
            return False
        self._note_lapse()
        started = self._clock.monotonic()
        started_at = self._clock.now()
        try:
            if self._leader:
                self._coordinator.heartbeat()
                if not self._still_owner():
                    LOG.warning("Lost the monitor leadership (lease taken)")
                    self._step_down("lease taken")
                    return False
            else:
                self._coordinator.heartbeat()
                if not self._lock.acquire(blocking=False):
                    return False
                LOG.info("Elected monitor leader as %s",
                         self._member.decode())
            self._valid_until = started + self._trust
            self._set(True)
            if self._leading_since is None and self.is_leader:
                self._leading_since = started_at
                LOG.info("Monitor leadership of %s (term %d) from %s",
                         self._member.decode(), self._term,
                         started_at.isoformat())
        except tooz.ToozError:
            LOG.warning("Coordination backend failed; not leading",
                        exc_info=True)
            self._step_down("coordination backend failed")
        return self.is_leader

    def _note_lapse(self) -> None:
        """Log the end of a lead whose lease ran out without a renewal."""
        if self._leading_since is not None and not self.is_leader:
            self._ended("not renewed within its lease")

    def _ended(self, why: str) -> None:
        """Log the instant ``is_leader`` turned false: now, or the end of
        the last renewal's lease when that came first."""
        if self._leading_since is None:
            return
        self._leading_since = None
        now = self._clock.now()
        left = self._valid_until - self._clock.monotonic()
        at = now + datetime.timedelta(seconds=min(0.0, left))
        LOG.info("Monitor leadership of %s (term %d) ended at %s: %s",
                 self._member.decode(), self._term, at.isoformat(), why)

    def _step_down(self, why: str) -> None:
        self._set(False)
        self._ended(why)
        if self._lock is None:
            return
        try:
            self._lock.release()     # forget the stale lease, if any
        except tooz.ToozError:
            pass

    def _still_owner(self) -> bool:
        if self._lock is None:
            return False
        try:
            return bool(self._lock.is_still_owner())
        except tooz.NotImplemented:
            return True          # file locks are held until released

    def _run(self) -> None:
        while not self._exit.is_set():
            started = self._clock.monotonic()
            self.tick()
            spent = self._clock.monotonic() - started
            self._clock.wait(self._exit, self._interval - spent)

    def _set(self, leader: bool) -> None:
        if leader == self._leader:
            return
        if leader:
            self._term += 1
        self._leader = leader
        if self._on_change is not None:
            try:
                self._on_change(leader)
            except Exception:
                LOG.exception("Leadership change handler failed")
