"""What the recovery benchmarks read from the simulator, cheaply.

- :func:`landed_at`: when each instance landed on its new host, read after
  the run from the simulator's own evacuation records (each stamped with
  the simulated instant it happened, whenever a request later made it
  visible), so no watcher scans the servers under the simulator's lock
  while the recovery runs.
- :class:`RequestCounter`: WSGI middleware in front of a served
  simulator counting every request by service (``compute`` for Nova,
  ``identity`` for Keystone, ``placement``, ``network``), tokens and
  version discovery included.
"""

import collections
import datetime
import threading
from typing import Any


def landed_at(cloud: Any, ids: list[str], failed: str,
              since: datetime.datetime) -> dict[str, float]:
    """Seconds from ``since`` (the cloud's clock) to each server's first
    evacuation off ``failed`` that ended on another host, for the servers
    of ``ids`` that have one."""
    out: dict[str, float] = {}
    with cloud.lock:
        cloud.tick()
        by_server = cloud.state.migrations_by_server
        for sid in ids:
            for mig in by_server.get(sid, []):
                if (mig.migration_type == "evacuation"
                        and mig.source_compute == failed
                        and mig.status in ("done", "completed")
                        and mig.updated_at is not None):
                    seconds = (mig.updated_at - since).total_seconds()
                    out[sid] = min(out.get(sid, seconds), seconds)
    return out


def first_evacuation(cloud: Any, ids: list[str], failed: str,
                     since: datetime.datetime) -> float:
    """Seconds from ``since`` to the first evacuation of ``ids`` off
    ``failed`` that Nova accepted (NaN if none)."""
    with cloud.lock:
        starts = [(mig.created_at - since).total_seconds()
                  for sid in ids
                  for mig in cloud.state.migrations_by_server.get(sid, [])
                  if mig.migration_type == "evacuation"
                  and mig.source_compute == failed]
    return min(starts) if starts else float("nan")


class RequestCounter:
    """Counts the requests a served simulator answers, by service."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.counts: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        head = environ.get("PATH_INFO", "").lstrip("/").split("/", 1)[0]
        with self._lock:
            self.counts[head] += 1
        return self.app(environ, start_response)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {k: v for k, v in self.counts.items() if k != "sim"}

    @property
    def nova(self) -> int:
        return self.snapshot().get("compute", 0)

    @property
    def total(self) -> int:
        return sum(self.snapshot().values())


def count_requests(server: Any) -> RequestCounter:
    """Put a :class:`RequestCounter` in front of a started ``SimServer``."""
    wsgi_server = server._server        # cheroot reads it per request
    counter = RequestCounter(wsgi_server.wsgi_app)
    wsgi_server.wsgi_app = counter
    return counter
