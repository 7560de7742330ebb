"""The API behind keystonemiddleware, read with openstacksdk.

Tokens come from the simulator's Keystone, which also lists the API in
its catalog as ``instance-ha``; openstacksdk's ``instance_ha`` proxy reads
the vmoves exactly as it reads Masakari's.
"""

from openstack import exceptions as sdk_exc
import requests

from tests.fixtures import ports
from tests.fixtures import sim as sim_fixture
from tests.functional.api import base
from vmotiond.sim import builder

LATEST = {"OpenStack-API-Version": "instance-ha latest"}


class SdkTestBase(base.ApiServerTestCase):
    """The API behind keystone, in the simulator's catalog at ``path``."""

    path = "/v1"

    def setUp(self) -> None:
        super().setUp()
        port = ports.free_port()
        self.sim = self.useFixture(sim_fixture.SimFixture(
            builder.Scenario(hosts=1, standby=0, servers=0),
            instance_ha_url="http://127.0.0.1:%d%s" % (port, self.path)))
        self.start_api("keystone", self.sim.auth_url, port)
        # Admin only by default (a project's reader reads nothing).
        self.conn = self.sim.connect("admin",
                                     instance_ha_api_version="1.3")
        self.addCleanup(self.conn.close)
        self.token = self.conn.session.get_token()


class TestKeystoneAndSdk(SdkTestBase):

    def get(self, path: str, token: str | None = None,
            **headers: str) -> requests.Response:
        if token is not None:
            headers["X-Auth-Token"] = token
        return requests.get(self.url + path, headers=headers, timeout=30)

    def test_sdk_lists_notifications(self) -> None:
        found = list(self.conn.instance_ha.notifications())
        self.assertEqual([self.seeded["small"].uuid, self.seeded["big"].uuid],
                         [n.notification_uuid for n in found])
        self.assertEqual("COMPUTE_HOST", found[1].type)
        self.assertEqual({"event": "DOWN"}, found[1].payload)
        one = self.conn.instance_ha.get_notification(self.seeded["big"].uuid)
        self.assertEqual("compute-0001", one.hostname)

    def test_sdk_lists_and_pages_vmoves(self) -> None:
        big = self.seeded["big"]
        stored = self.database.vmove_list(notification_uuid=big.uuid,
                                          sort_dir="asc")
        paged = list(self.conn.instance_ha.vmoves(
            big.uuid, limit=2, sort_key="created_at", sort_dir="asc"))
        self.assertEqual([m.uuid for m in stored], [v.uuid for v in paged])
        self.assertEqual([m.instance_uuid for m in stored],
                         [v.server_id for v in paged])
        self.assertEqual([m.instance_name for m in stored],
                         [v.server_name for v in paged])
        self.assertEqual([m.status for m in stored],
                         [v.status for v in paged])

    def test_sdk_filters_vmoves(self) -> None:
        big = self.seeded["big"]
        succeeded = list(self.conn.instance_ha.vmoves(big.uuid,
                                                      status="succeeded"))
        self.assertEqual(4, len(succeeded))
        self.assertEqual([], list(self.conn.instance_ha.vmoves(
            big.uuid, type="live_migration")))
        small = list(self.conn.instance_ha.vmoves(
            self.seeded["small"].uuid, type="live_migration"))
        self.assertEqual(["drained"], [v.server_name for v in small])

    def test_sdk_gets_one_vmove_by_uuid_or_object(self) -> None:
        big = self.seeded["big"]
        move = self.seeded["moves"][4]
        got = self.conn.instance_ha.get_vmove(move.uuid, big.uuid)
        self.assertEqual(move.instance_uuid, got.server_id)
        self.assertEqual("failed", got.status)
        listed = next(v for v in self.conn.instance_ha.vmoves(big.uuid)
                      if v.uuid == move.uuid)
        notification = self.conn.instance_ha.get_notification(big.uuid)
        again = self.conn.instance_ha.get_vmove(listed, notification)
        self.assertEqual(move.uuid, again.uuid)
        self.assertRaises(sdk_exc.NotFoundException,
                          self.conn.instance_ha.get_vmove,
                          "083a8474-22c0-407f-b89b-c569134c3bfd", big.uuid)

    def test_vmotiond_endpoints_over_plain_http(self) -> None:
        hosts = self.get("/v1/hosts", self.token, **LATEST)
        self.assertEqual(200, hosts.status_code, hosts.text)
        self.assertEqual(["compute-0001", "compute-0002"],
                         [h["name"] for h in hosts.json()["hosts"]])
        move = self.seeded["moves"][0]
        history = self.get("/v1/vmoves?instance_uuid=%s"
                           % move.instance_uuid, self.token, **LATEST)
        self.assertEqual([move.uuid],
                         [v["uuid"] for v in history.json()["vmoves"]])
        ranged = self.get("/v1/vmoves?host=compute-0003&since=2026-01-01T"
                          "12:00:30Z", self.token, **LATEST)
        self.assertEqual(["drained"], [v["instance_name"]
                                       for v in ranged.json()["vmoves"]])
        steps = self.get("/v1/vmoves/%s/steps" % move.uuid, self.token,
                         **LATEST)
        self.assertEqual(["EvacuateInstance"],
                         [s["name"] for s in steps.json()["steps"]])

    def test_without_token_401(self) -> None:
        response = self.get("/v1/notifications")
        self.assertEqual(401, response.status_code)
        self.assertIn(self.sim.auth_url,
                      response.headers["WWW-Authenticate"])
        self.assertEqual(401, self.get("/v1/notifications", "bogus")
                         .status_code)

    def test_token_without_the_role_403(self) -> None:
        self.sim.server.identity.add_user("observer", "observer", "demo",
                                          ("observer",))
        conn = self.sim.connect("observer")
        self.addCleanup(conn.close)
        token = conn.session.get_token()
        response = self.get("/v1/notifications", token)
        self.assertEqual(403, response.status_code, response.text)
        self.assertEqual("vmotiond.policy.forbidden",
                         response.json()["forbidden"]["error_code"])
        self.assertRaises(sdk_exc.ForbiddenException, list,
                          self.sim.connect(
                              "observer", instance_ha_api_version="1.3")
                          .instance_ha.notifications())

    def test_project_reader_and_member_403(self) -> None:
        for user in ("reader", "member"):
            conn = self.sim.connect(user)
            self.addCleanup(conn.close)
            token = conn.session.get_token()
            for path in ("/v1/notifications", "/v1/vmoves", "/v1/hosts",
                         "/v1/vmoves/%s" % self.seeded["moves"][0].uuid):
                response = self.get(path, token, **LATEST)
                self.assertEqual(403, response.status_code,
                                 (user, path, response.text))

    def test_discovery_and_health_need_no_token(self) -> None:
        for path in ("/", "/v1/", "/openapi.json", "/healthcheck"):
            self.assertEqual(200, self.get(path).status_code, path)


class TestMasakariCatalogForm(SdkTestBase):
    """The catalog entry Masakari's install guide writes: /v1/%(tenant_id)s.

    Keystone puts the token's project in the URL; openstacksdk then asks
    /v1/{project_id}/notifications..., which the API serves as Masakari.
    """

    path = "/v1/%(tenant_id)s"

    def test_sdk_reads_through_the_project_url(self) -> None:
        endpoint = self.conn.instance_ha.get_endpoint()
        self.assertEqual(self.url + "/v1/" + self.conn.current_project_id,
                         endpoint.rstrip("/"))
        big = self.seeded["big"]
        self.assertEqual(
            [self.seeded["small"].uuid, big.uuid],
            [n.notification_uuid for n in self.conn.instance_ha
             .notifications()])
        stored = self.database.vmove_list(notification_uuid=big.uuid,
                                          sort_dir="asc")
        paged = list(self.conn.instance_ha.vmoves(
            big.uuid, limit=2, sort_key="created_at", sort_dir="asc"))
        self.assertEqual([m.uuid for m in stored], [v.uuid for v in paged])

    def test_another_projects_url_is_400(self) -> None:
        response = requests.get(
            self.url + "/v1/%s/notifications" % ("0" * 32),
            headers={"X-Auth-Token": self.token}, timeout=30)
        self.assertEqual(400, response.status_code, response.text)
        self.assertEqual("vmotiond.route.project_mismatch",
                         response.json()["badRequest"]["error_code"])
