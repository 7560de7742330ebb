"""``GET /metrics`` over a real server and database: it parses with
prometheus_client's own parser and every sample is the database's count."""

import collections
import http.client
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import parser
import sqlalchemy as sa
import testscenarios

from tests.fixtures import database as db_fixture
from tests.functional.api import base
from vmotiond import constants
from vmotiond.api import metrics
from vmotiond.db import models

# metric -> (model, the columns its labels are, in label order)
SOURCES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "vmotiond_hosts": (models.Host, ("monitor_state",)),
    "vmotiond_notifications": (models.Notification, ("type", "status")),
    "vmotiond_vmoves": (models.VMove, ("type", "status")),
    "vmotiond_alerts": (models.Alert, ("type",)),
}


class TestMetricsMatchTheDatabase(testscenarios.WithScenarios,
                                  base.ApiServerTestCase):

    scenarios = [(backend, {"backend": backend})
                 for backend in db_fixture.BACKENDS]

    def scrape(self, accept: str | None = None) -> tuple[str, str]:
        where = urlsplit(self.url)
        connection = http.client.HTTPConnection(
            where.hostname or "", where.port, timeout=30)
        self.addCleanup(connection.close)
        connection.request("GET", "/metrics",
                           headers={"Accept": accept} if accept else {})
        response = connection.getresponse()
        body = response.read().decode("utf-8")
        self.assertEqual(200, response.status, body)
        return response.headers["Content-Type"], body

    def expected(self) -> dict[str, collections.Counter[tuple[str, ...]]]:
        """Every row read whole and counted here, the deleted skipped: an
        oracle that shares no query with ``db/stats.py``."""
        counts = {}
        with self.database.engine.connect() as connection:
            for name, (model, columns) in SOURCES.items():
                rows = connection.execute(sa.select(model.__table__))
                counts[name] = collections.Counter(
                    tuple(row._mapping[c] for c in columns)
                    for row in rows if not row._mapping["deleted"])
        return counts

    def assert_matches(self, text: str) -> None:
        expected = self.expected()
        families = {family.name: family
                    for family in parser.text_string_to_metric_families(text)}
        self.assertEqual({*SOURCES, metrics.DATABASE_UP}, set(families))
        (up,) = families[metrics.DATABASE_UP].samples
        self.assertEqual(1.0, up.value)
        for name, (_, columns) in SOURCES.items():
            self.assertEqual("gauge", families[name].type, name)
            seen = {}
            for sample in families[name].samples:
                self.assertEqual(name, sample.name)
                self.assertEqual(set(columns), set(sample.labels), name)
                key = tuple(sample.labels[c] for c in columns)
                self.assertNotIn(key, seen, name)
                seen[key] = sample.value
                self.assertEqual(expected[name][key], sample.value,
                                 (name, key))
            # Every group of rows is a sample (none is left out).
            for key, count in expected[name].items():
                self.assertEqual(count, seen.get(key), (name, key))

    def seed_more(self) -> None:
        db = self.database
        db.hosts_sync([{"name": "compute-%04d" % i} for i in range(1, 6)])
        db.host_update("compute-0002", {"monitor_state":
                                        constants.HOST_DOWN})
        db.host_update("compute-0003", {"monitor_state":
                                        constants.HOST_RECOVERING})
        db.host_update("compute-0005", {"monitor_state":
                                        constants.HOST_DOWN})
        # compute-0005 leaves the inventory: soft-deleted, not counted.
        db.hosts_sync([{"name": "compute-%04d" % i} for i in range(1, 5)])
        self.assertTrue(db.vmove_soft_delete(
            self.seeded["moves"][5].uuid, [constants.IGNORED]))
        for kind, count in (("mass_failure", 2), ("flapping", 1)):
            for _ in range(count):
                db.alert_create(kind, "vmotiond-monitor", "seen")

    def test_every_sample_is_the_database_count(self) -> None:
        self.start_api()
        self.seed_more()
        content_type, text = self.scrape()
        self.assertTrue(content_type.startswith("text/plain"), content_type)
        self.assert_matches(text)
        families = {f.name: f
                    for f in parser.text_string_to_metric_families(text)}
        hosts = {s.labels["monitor_state"]: s.value
                 for s in families["vmotiond_hosts"].samples}
        # Spelled out once, so the oracle cannot be wrong with the code.
        self.assertEqual({constants.HOST_UP: 2.0, constants.HOST_DOWN: 1.0,
                          constants.HOST_RECOVERING: 1.0},
                         {k: v for k, v in hosts.items() if v})
        self.assertEqual(set(constants.HOST_STATES), set(hosts))
        alerts = {s.labels["type"]: s.value
                  for s in families["vmotiond_alerts"].samples}
        self.assertEqual({"mass_failure": 2.0, "flapping": 1.0}, alerts)

    def test_read_at_each_scrape(self) -> None:
        self.start_api()
        self.assert_matches(self.scrape()[1])
        move = self.seeded["moves"][6]
        self.assertTrue(self.database.vmove_update(
            move.uuid, {"status": constants.ONGOING}, [constants.PENDING]))
        self.database.alert_create("nova_unreachable", "vmotiond-monitor",
                                   "no answer")
        text = self.scrape()[1]
        self.assert_matches(text)
        self.assertIn('vmotiond_alerts{type="nova_unreachable"} 1.0', text)

    def test_openmetrics_when_asked(self) -> None:
        self.start_api()
        content_type, text = self.scrape(
            "application/openmetrics-text; version=1.0.0")
        self.assertTrue(
            content_type.startswith("application/openmetrics-text"),
            content_type)
        self.assertTrue(text.endswith("# EOF\n"))
        self.assertIn("# TYPE vmotiond_vmoves gauge", text)

