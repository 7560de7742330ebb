"""``/metrics`` in the pipeline: no token, GET only, its switch, and a
database that does not answer."""

from oslo_db import exception as db_exc
import prometheus_client
from prometheus_client import parser
import webob

from tests.unit.api import base
from vmotiond import constants
from vmotiond.api import deploy
from vmotiond.api import metrics
from vmotiond.db import stats


class _Unreachable:

    def status_counts(self) -> stats.StatusCounts:
        raise db_exc.DBConnectionError("gone")


class TestMetricsRoute(base.ApiTestCase):

    def families(self, body: bytes) -> dict[str, object]:
        return {family.name: family for family in
                parser.text_string_to_metric_families(body.decode())}

    def test_no_token_needed_with_keystone(self) -> None:
        self.conf_fixture.set("auth_strategy", "keystone", "api")
        self.conf_fixture.set("www_authenticate_uri",
                              "http://127.0.0.1:9/identity",
                              "keystone_authtoken")
        app = deploy.deploy(self.conf, self.database, self.policy.policy)
        response = webob.Request.blank("/metrics").get_response(app)
        self.assertEqual(200, response.status_int)
        self.assertEqual("no-store", response.headers["Cache-Control"])
        families = self.families(response.body)
        self.assertIn("vmotiond_vmoves", families)
        # Everything else still needs one.
        other = webob.Request.blank("/v1/vmoves").get_response(app)
        self.assertEqual(401, other.status_int)

    def test_get_only(self) -> None:
        response = self.request("/metrics", method="POST")
        self.assertEqual(405, response.status_int)
        self.assertEqual("GET", response.headers["Allow"])

    def test_switched_off_is_not_served(self) -> None:
        self.conf_fixture.set("metrics", False, "api")
        app = deploy.deploy(self.conf, self.database, self.policy.policy)
        response = webob.Request.blank(
            "/metrics", headers={"X-Roles": "admin"}).get_response(app)
        self.assertEqual(404, response.status_int)

    def test_known_values_are_reported_at_zero(self) -> None:
        families = self.families(self.request("/metrics").body)
        hosts = families["vmotiond_hosts"].samples  # type: ignore[attr-defined]
        self.assertEqual(set(constants.HOST_STATES),
                         {s.labels["monitor_state"] for s in hosts})
        vmoves = families["vmotiond_vmoves"].samples  # type: ignore[attr-defined]
        self.assertGreaterEqual(
            len(vmoves),
            len(constants.VMOVE_TYPES) * len(constants.VMOVE_STATUSES))

    def test_database_down_reports_it_and_no_counts(self) -> None:
        app = metrics.MetricsApp(_Unreachable())  # type: ignore[arg-type]
        response = webob.Request.blank("/metrics").get_response(app)
        self.assertEqual(200, response.status_int)
        families = self.families(response.body)
        self.assertEqual({metrics.DATABASE_UP}, set(families))
        (up,) = families[metrics.DATABASE_UP].samples  # type: ignore[attr-defined]
        self.assertEqual(0.0, up.value)

    def test_nothing_in_the_global_registry(self) -> None:
        metrics.MetricsApp(self.database)
        metrics.MetricsApp(self.database)   # a second one does not clash
        names = {family.name for family in
                 prometheus_client.REGISTRY.collect()}
        self.assertFalse({n for n in names if n.startswith("vmotiond")})
