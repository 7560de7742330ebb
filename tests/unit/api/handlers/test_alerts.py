"""GET /v1/alerts[/{id}]: the monitor's alerts and the engine's refusals."""

from typing import Any

from tests.unit.api import base
from vmotiond.api import errors


class TestAlerts(base.ApiTestCase):

    def _seed(self) -> tuple[Any, base.Seed]:
        database, seed = super()._seed()
        database.alert_create(
            "mass_failure", "vmotiond-monitor.ctl", "mass failure on node1, "
            "node2", hosts=["node1", "node2"],
            evidence={"failing": ["node1", "node2"], "watched": 3})
        database.alert_create(
            "notification_refused", "vmotiond-engine.ctl",
            "Refused vmotiond.host.down from evil: unknown host node9",
            host="node9", evidence={"publisher": "evil"})
        return database, seed

    def test_list_newest_first_with_hosts_and_evidence(self) -> None:
        alerts = self.get_json("/v1/alerts")["alerts"]
        self.assertEqual(["notification_refused", "mass_failure"],
                         [a["type"] for a in alerts])
        self.assertEqual(["node1", "node2"], alerts[1]["hosts"])
        self.assertEqual(3, alerts[1]["evidence"]["watched"])
        self.assertEqual("node9", alerts[0]["host"])
        self.assertIn("unknown host node9", alerts[0]["message"])

    def test_filters_and_paging(self) -> None:
        alerts = self.get_json("/v1/alerts?type=mass_failure")["alerts"]
        self.assertEqual(["mass_failure"], [a["type"] for a in alerts])
        alerts = self.get_json("/v1/alerts?host=node9")["alerts"]
        self.assertEqual(["node9"], [a["host"] for a in alerts])
        page = self.get_json("/v1/alerts?limit=1")
        self.assertEqual(1, len(page["alerts"]))
        self.assertIn("marker=%s" % page["alerts"][0]["alert_uuid"],
                      page["alerts_links"][0]["href"])
        rest = self.get_json("/v1/alerts?limit=1&marker=%s"
                             % page["alerts"][0]["alert_uuid"])["alerts"]
        self.assertEqual("mass_failure", rest[0]["type"])
        self.assertEqual(400, self.request("/v1/alerts?sort_key=x")
                         .status_int)

    def test_show(self) -> None:
        first = self.get_json("/v1/alerts")["alerts"][0]
        for ident in (first["alert_uuid"], str(first["id"])):
            alert = self.get_json("/v1/alerts/%s" % ident)["alert"]
            self.assertEqual(first, alert)
        self.assertError(
            self.request("/v1/alerts/00000000-0000-4000-8000-000000000000"),
            404, errors.NOT_FOUND)

    def test_admin_only_and_1_5(self) -> None:
        self.assertError(self.request("/v1/alerts", version="instance-ha 1.4"),
                         404, errors.VERSION_TOO_LOW)
        for roles in ("reader", "member"):
            self.assertError(self.request("/v1/alerts", roles=roles), 403,
                             errors.FORBIDDEN)
        self.assertEqual(200, self.request("/v1/alerts",
                                           roles="admin").status_int)
