"""Per-host locks, so one engine at a time recovers a host.

``ToozLocks`` uses the ``[coordination]`` backend (file, Redis, etcd...)
and beats its heart so a dead engine's locks expire after
``lease_timeout`` (not the driver's own 30 s); ``LocalLocks`` serves
one process (tests, the all-in-one demo with ``fake://``). ``held``
says whether a lock acquired is still this engine's: a Redis lock whose
key expired or vanished (Redis restarted) is not.
"""

import threading
from typing import Any
from typing import Protocol

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import encodeutils
import tooz
from tooz import coordination

from vmotiond import coordination as coordination_url

LOG = logging.getLogger(__name__)


class Lock(Protocol):
    def acquire(self, blocking: bool = True) -> bool: ...

    def release(self) -> bool: ...

    def held(self) -> bool: ...


class Locks(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...

    def get(self, name: str) -> Lock: ...


def host_lock_name(host: str) -> str:
    return "vmotiond-recover-%s" % host


class LocalLocks:
    """Locks in this process only."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def get(self, name: str) -> Lock:
        with self._guard:
            return _LocalLock(self._locks.setdefault(name, threading.Lock()))


class _LocalLock:
    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._held = False

    def acquire(self, blocking: bool = True) -> bool:
        self._held = self._lock.acquire(blocking)
        return self._held

    def release(self) -> bool:
        self._held = False
        self._lock.release()
        return True

    def held(self) -> bool:
        return self._held


class _ToozLock:
    """A tooz lock that can say whether it is still held."""

    def __init__(self, lock: Any) -> None:
        self._lock = lock

    def acquire(self, blocking: bool = True) -> bool:
        return bool(self._lock.acquire(blocking))

    def release(self) -> bool:
        return bool(self._lock.release())

    def held(self) -> bool:
        """Whether the backend still has it as ours; a backend that cannot
        tell (file locks live as long as the process) says yes, one that
        cannot be reached no."""
        try:
            return bool(self._lock.is_still_owner())
        except tooz.NotImplemented:
            return True
        except coordination.ToozError as exc:
            LOG.warning("Cannot tell whether lock %s is still held: %s",
                        self._lock.name, exc)
            return False


class ToozLocks:
    """Locks of a tooz coordinator, started with a heartbeat thread."""

    def __init__(self, conf: cfg.ConfigOpts, member: str | None = None
                 ) -> None:
        self.url = coordination_url.backend_url(conf)
        member_id = "vmotiond-engine-%s" % (member or conf.host)
        self.coordinator = coordination.get_coordinator(
            self.url, encodeutils.safe_encode(member_id))
        self._started = False

    def start(self) -> None:
        if not self._started:
            self.coordinator.start(start_heart=True)
            self._started = True

    def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        try:
            self.coordinator.stop()
        except coordination.ToozError as exc:
            LOG.warning("Stopping the coordinator failed: %s", exc)

    def get(self, name: str) -> Lock:
        return _ToozLock(self.coordinator.get_lock(
            encodeutils.safe_encode(name)))


def make_locks(conf: cfg.ConfigOpts) -> Locks:
    """Tooz locks, or local ones when the backend URL is ``local://``."""
    if conf.coordination.backend_url.startswith("local://"):
        return LocalLocks()
    return ToozLocks(conf)
