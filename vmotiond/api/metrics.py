"""``GET /metrics``: Prometheus gauges read from the database at scrape time.

The API process keeps no state of its own worth counting, so every value
is a count of rows (``vmotiond.db.stats``), read when Prometheus asks:
any worker of ``[api] workers`` answers the same, and nothing needs
prometheus_client's multiprocess mode. The collector lives in a registry
of its own, never in prometheus_client's global one.

Every known label value is reported, at 0 when no row has it, so an
alert rule on ``vmotiond_hosts{monitor_state="down"}`` always has a
series; a value the code does not know (an older or newer release's) is
reported as read. When the database does not answer,
``vmotiond_database_up`` is 0 and the counts are left out.
"""

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
import itertools
from typing import Any

from oslo_db import exception as db_exc
from oslo_log import log as logging
from prometheus_client import exposition
from prometheus_client import metrics_core
from prometheus_client import registry as registry_mod
import sqlalchemy as sa

from vmotiond import constants
from vmotiond.db import stats

LOG = logging.getLogger(__name__)

PATH = "/metrics"

# name: (help, labels, the label values reported even at 0)
FAMILIES: dict[str, tuple[str, tuple[str, ...], tuple[tuple[str, ...], ...]]]
FAMILIES = {
    "vmotiond_hosts": (
        "Hosts of the hosts table by the monitor's state.",
        ("monitor_state",),
        tuple((state,) for state in constants.HOST_STATES)),
    "vmotiond_notifications": (
        "Notifications by type and status.",
        ("type", "status"),
        tuple(itertools.product(constants.NOTIFICATION_TYPES,
                                constants.NOTIFICATION_STATUSES))),
    "vmotiond_vmoves": (
        "vmoves by type and status.",
        ("type", "status"),
        tuple(itertools.product(constants.VMOVE_TYPES,
                                constants.VMOVE_STATUSES))),
    "vmotiond_alerts": (
        "Alerts by type.",
        ("type",),
        ()),
}
DATABASE_UP = "vmotiond_database_up"


class StatusCollector:
    """The rows' counts, read once per scrape (four GROUP BY queries)."""

    def __init__(self, database: stats.Stats) -> None:
        self._database = database

    def describe(self) -> Iterable[metrics_core.Metric]:
        """The families, without samples: the registry's names."""
        yield metrics_core.GaugeMetricFamily(
            DATABASE_UP, "1 if the counts were read from the database.")
        for name, (text, labels, _) in FAMILIES.items():
            yield metrics_core.GaugeMetricFamily(name, text, labels=labels)

    def collect(self) -> Iterator[metrics_core.Metric]:
        try:
            counts = self._database.status_counts()
        except (db_exc.DBError, sa.exc.SQLAlchemyError) as exc:
            LOG.warning("/metrics: the database did not answer: %s", exc)
            yield _database_up(0)
            return
        yield _database_up(1)
        tallies = {"vmotiond_hosts": counts.hosts,
                   "vmotiond_notifications": counts.notifications,
                   "vmotiond_vmoves": counts.vmoves,
                   "vmotiond_alerts": counts.alerts}
        for name, (text, labels, known) in FAMILIES.items():
            family = metrics_core.GaugeMetricFamily(name, text,
                                                    labels=labels)
            tally = tallies[name]
            for values in sorted({*known, *tally}):
                family.add_metric(list(values), tally.get(values, 0))
            yield family


def _database_up(value: int) -> metrics_core.GaugeMetricFamily:
    return metrics_core.GaugeMetricFamily(
        DATABASE_UP, "1 if the counts were read from the database.",
        value=value)


class MetricsApp:
    """The WSGI application of ``/metrics``: text format, or OpenMetrics
    when the scraper's ``Accept`` asks for it."""

    def __init__(self, database: stats.Stats) -> None:
        self.registry = registry_mod.CollectorRegistry(auto_describe=False)
        self.registry.register(StatusCollector(database))

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> list[bytes]:
        encoder, content_type = exposition.choose_encoder(
            environ.get("HTTP_ACCEPT", ""))
        body = encoder(self.registry)
        start_response("200 OK", [("Content-Type", content_type),
                                  ("Content-Length", str(len(body))),
                                  ("Cache-Control", "no-store")])
        return [body]
