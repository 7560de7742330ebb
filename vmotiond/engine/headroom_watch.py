"""The engine's periodic failover-headroom check, and its alert.

Every ``[engine] capacity_check_interval`` seconds (0: never) the engine
runs the check of ``vmotiond-manage capacity check``
(``workflows.capacity``: the planner plans the loss of every host in
turn) and logs its verdict. When the cloud can no longer survive losing
its largest host (the one whose instances need the most RAM), it records
a ``failover_headroom`` alert (``GET /v1/alerts``) naming that host and
every host whose loss could not be absorbed; it alerts again only after
a check found the largest host's loss absorbable once more, so a lasting
shortage is one alert, not one per check. Each engine process checks on
its own (the check only reads), so with several engines each raises its
own alert.
"""

import threading

from oslo_log import log as logging

from vmotiond.engine.deciding import headroom
from vmotiond.engine.workflows import capacity
from vmotiond.engine.workflows import workflow

LOG = logging.getLogger(__name__)

ALERT_HEADROOM = "failover_headroom"
MAX_LISTED = 20      # instances named in the alert's evidence


class HeadroomWatch:
    """Checks the failover headroom periodically; alerts on its loss."""

    def __init__(self, services: workflow.Services, interval: float,
                 source: str) -> None:
        self.s = services
        self.interval = interval
        self.source = source
        self.survives: bool | None = None     # the last check's verdict
        self._thread: threading.Thread | None = None

    def check_once(self) -> headroom.Headroom:
        """Check now; record an alert when the largest host's loss has
        just become unabsorbable."""
        found = capacity.check(self.s.db, self.s.cloud, self.s.options)
        if found.survives_largest:
            if self.survives is False:
                LOG.info("Failover headroom back: the loss of the largest "
                         "host %s could be absorbed again", found.largest)
        elif self.survives is not False:
            self._alert(found)
        else:
            LOG.debug("Still no failover headroom for %s", found.largest)
        self.survives = found.survives_largest
        return found

    def _alert(self, found: headroom.Headroom) -> None:
        largest = next(h for h in found.losses if h.host == found.largest)
        message = ("The cloud cannot survive losing its largest host %s: "
                   "%d of its %d instance(s) would find no target. Hosts "
                   "whose loss could not be absorbed: %s"
                   % (largest.host, len(largest.unplaced), largest.moved,
                      ", ".join(found.unabsorbable)))
        LOG.warning("%s", message)
        self.s.db.alert_create(
            ALERT_HEADROOM, self.source, message, host=largest.host,
            hosts=found.unabsorbable,
            evidence={"largest_host": largest.host,
                      "memory_mb": largest.memory_mb,
                      "unabsorbable": list(found.unabsorbable),
                      "unplaced": [
                          {"instance_uuid": i.server.id,
                           "instance_name": i.server.name,
                           "reason": i.reason}
                          for i in largest.unplaced[:MAX_LISTED]]})

    def start(self) -> None:
        if self.interval <= 0:
            return
        self._thread = threading.Thread(
            target=self._loop, name="vmotiond-engine-headroom", daemon=True)
        self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        while not self.s.clock.wait(self.s.stop, self.interval):
            try:
                self.check_once()
            except Exception:
                LOG.exception("Failover headroom check failed; next in "
                              "%.0f s", self.interval)
