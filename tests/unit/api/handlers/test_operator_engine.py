"""The operator's actions through the API to a real engine's RPC server,
on one in-process transport as in the all-in-one ``vmotiond``."""

import json

import oslo_messaging
import webob

from tests.unit.engine import fakes
from tests.unit.engine import test_operations
from vmotiond import constants
from vmotiond import engine_client
from vmotiond.api import deploy


class ApiToEngineTest(test_operations.OperationsTestCase):

    def setUp(self):
        super().setUp()
        self.conf.set_override("auth_strategy", "noauth", "api")
        self.conf.set_override("rpc_topic", "vmotiond-test-api-rpc",
                               "engine")
        self.conf.set_override("rpc_ping_timeout", 0.5, "engine")
        transport = oslo_messaging.get_rpc_transport(self.conf, url="fake:/")
        self.addCleanup(transport.cleanup)
        mgr = self.make_manager(rpc_transport=transport)
        mgr.start()
        self.addCleanup(mgr.stop)
        link = engine_client.EngineLink(self.conf, transport)
        self.addCleanup(link.close)
        self.app = deploy.deploy(self.conf, self.db, engine=link)

    def post(self, path, body):
        req = webob.Request.blank(path, method="POST",
                                  body=json.dumps(body).encode())
        req.content_type = "application/json"
        req.headers["OpenStack-API-Version"] = "instance-ha 1.7"
        return req.get_response(self.app)

    def test_sync_through_the_api_refreshes_the_hosts_from_nova(self):
        self.cloud.add_host("new1", capacity=fakes.capacity("new1"))
        del self.cloud.services["n2"]
        self.db.host_update("sb1", {"auto_evacuate": False})
        response = self.post("/v1/operator/hosts/action", {"action": "sync"})
        self.assertEqual(200, response.status_int, response.text)
        self.assertEqual({"created": 1, "updated": 3, "deleted": 1},
                         response.json["sync"])
        names = {h.name for h in self.db.host_list()}
        self.assertEqual({"src", "sb1", "n1", "new1"}, names)
        new = self.db.host_get("new1")
        self.assertEqual(fakes.capacity("new1").memory_mb_total,
                         new.memory_mb_total)
        # The operator's choices are kept.
        self.assertEqual(constants.ROLE_STANDBY, self.db.host_get("sb1").role)
        self.assertFalse(self.db.host_get("sb1").auto_evacuate)
        self.assertEqual([], self.db.notification_list())

    def test_drain_through_the_api(self):
        server = self.add("a")
        response = self.post("/v1/operator/hosts/src/action",
                             {"action": "drain"})
        self.assertEqual(202, response.status_int, response.text)
        note = response.json["notification"]
        self.assertEqual(constants.HOST_DRAIN, note["type"])
        self.assertEqual("src", note["host"])
        row = self.db.notification_get(note["uuid"])
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status)
        self.assertEqual("sb1", self.host_of(server))

    def test_engine_refusals_through_the_api(self):
        self.add("a")
        response = self.post("/v1/operator/hosts/nowhere/action",
                             {"action": "drain"})
        self.assertEqual(404, response.status_int, response.text)
        self.assertIn("nowhere", response.text)
        response = self.post("/v1/operator/hosts/src/action",
                             {"action": "release"})
        self.assertEqual(409, response.status_int, response.text)
        self.assertIn("not fenced by vmotiond", response.text)
        response = self.post("/v1/operator/instances/action", {
            "action": "migrate",
            "instances": ["11111111-1111-4111-8111-111111111111"],
            "to": "sb1", "mode": "warp"})
        self.assertEqual(400, response.status_int, response.text)
        self.assertIn("mode must be one of", response.text)
        self.assertEqual([], self.db.notification_list())

    def test_set_standby_through_the_api(self):
        response = self.post("/v1/operator/hosts/n1/action",
                             {"action": "set", "role": "standby"})
        self.assertEqual(200, response.status_int, response.text)
        self.assertEqual("standby", response.json["host"]["role"])
        self.assertEqual(constants.ROLE_STANDBY, self.db.host_get("n1").role)
        self.assertEqual("disabled", self.cloud.services["n1"].status)

    def test_instance_reads_through_the_api(self):
        server = self.add("a", sid="33333333-3333-4333-8333-333333333333")

        def get(path):
            req = webob.Request.blank(path)
            req.headers["OpenStack-API-Version"] = "instance-ha 1.6"
            return req.get_response(self.app)

        response = get("/v1/operator/hosts/src/instances")
        self.assertEqual(200, response.status_int, response.text)
        self.assertEqual([server.id],
                         [i["uuid"] for i in response.json["instances"]])
        response = get("/v1/operator/instances/targets?instances=%s"
                       % server.id)
        self.assertEqual(200, response.status_int, response.text)
        self.assertEqual("sb1", response.json["targets"][0]["host"])
        self.assertIn("src", [r["host"] for r in response.json["refused"]])
