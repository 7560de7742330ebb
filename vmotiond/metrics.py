"""The monitor's and the engine's Prometheus metrics, defined once.

Every metric lives in ``REGISTRY`` (never prometheus_client's global
one) and is updated where its event happens: the monitor's cycle and
verdicts, the cloud client's failed calls, the recovery's fencing, the
end of a notification. ``serve`` exposes the registry on its own HTTP
port (``[metrics]``): the all-in-one's parts share the one registry, so
it serves them all on one endpoint. The API's ``/metrics`` is another
thing: counts of rows, read from the database (``vmotiond.api.metrics``).
"""

from collections.abc import Iterable
from collections.abc import Mapping
import datetime
from typing import Any

from oslo_log import log as logging
import prometheus_client
from prometheus_client import registry as registry_mod

from vmotiond import constants
from vmotiond.verdict import payload as payload_mod

LOG = logging.getLogger(__name__)

REGISTRY = registry_mod.CollectorRegistry(auto_describe=True)

MONITOR_HOSTS = prometheus_client.Gauge(
    "vmotiond_monitor_hosts",
    "Hosts by the leading monitor's state, as of its last cycle.",
    ["monitor_state"], registry=REGISTRY)
VERDICTS = prometheus_client.Counter(
    "vmotiond_monitor_verdicts",
    "The monitor's detections, by kind (host_down, host_recovered, "
    "process_failure, alert...).",
    ["kind"], registry=REGISTRY)
FENCE_ATTEMPTS = prometheus_client.Counter(
    "vmotiond_fence_attempts",
    "Fencing of a failed host by the recovery, by result.",
    ["result"], registry=REGISTRY)
CLOUD_ERRORS = prometheus_client.Counter(
    "vmotiond_cloud_errors",
    "Failed calls to the cloud (each attempt), by service, call and HTTP "
    "status ('none': no answer).",
    ["service", "call", "status"], registry=REGISTRY)
EVACUATION_SECONDS = prometheus_client.Histogram(
    "vmotiond_evacuation_duration_seconds",
    "Seconds from start to end of each evacuation that succeeded.",
    buckets=(5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600),
    registry=REGISTRY)
RECOVERY_SECONDS = prometheus_client.Histogram(
    "vmotiond_recovery_seconds",
    "Per host recovery: seconds from the host's last heartbeat to the "
    "end of its last evacuation that succeeded.",
    buckets=(30, 60, 90, 120, 180, 300, 600, 900, 1800, 3600),
    registry=REGISTRY)

FENCED = "succeeded"
NOT_FENCED = "failed"
NO_STATUS = "none"


def set_host_states(states: Iterable[str]) -> None:
    """The monitor's hosts by state; every known state reported, at 0
    when no host is in it."""
    counts = dict.fromkeys(constants.HOST_STATES, 0)
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    for state, count in counts.items():
        MONITOR_HOSTS.labels(state).set(count)


def _heartbeat(payload: Mapping[str, Any]) -> datetime.datetime | None:
    """The last heartbeat a verdict's evidence names, or None."""
    evidence = payload.get("evidence")
    try:
        return payload_mod.parse_time((evidence or {}).get("heartbeat"))
    except (ValueError, AttributeError):
        return None


def recovery_figures(notification_type: str, payload: Mapping[str, Any],
                     moves: Iterable[Any]
                     ) -> tuple[list[float], float | None]:
    """What an ended notification adds (pure): the seconds of each of its
    evacuations that succeeded, and, for a host's recovery whose last
    heartbeat is known, the seconds from it to the last of their ends."""
    durations, last = [], None
    for move in moves:
        if (move.type != constants.EVACUATION
                or move.status != constants.SUCCEEDED
                or move.start_time is None or move.end_time is None):
            continue
        durations.append((move.end_time - move.start_time).total_seconds())
        last = move.end_time if last is None else max(last, move.end_time)
    beat = _heartbeat(payload)
    if notification_type != constants.COMPUTE_HOST or last is None or \
            beat is None:
        return durations, None
    return durations, (last - beat).total_seconds()


def notification_ended(notification: Any, moves: Iterable[Any]) -> None:
    """Observe an ended notification's evacuations and recovery time."""
    durations, recovery = recovery_figures(
        notification.type, notification.payload or {}, moves)
    for seconds in durations:
        EVACUATION_SECONDS.observe(seconds)
    if recovery is not None:
        RECOVERY_SECONDS.observe(recovery)
        LOG.info("Host %s recovered %.1f s after its last heartbeat",
                 notification.host, recovery)


class Server:
    """``REGISTRY`` in Prometheus' text format on ``host``:``port``, from
    a thread of its own."""

    name = "metrics"

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._httpd: Any = None

    def start(self) -> None:
        self._httpd, _ = prometheus_client.start_http_server(
            self.port, addr=self.host, registry=REGISTRY)
        LOG.info("Prometheus metrics on http://%s:%d/metrics", self.host,
                 self._httpd.server_port)

    def stop(self, timeout: float) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
