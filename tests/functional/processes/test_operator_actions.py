"""The operator's actions over HTTP reach the engine over the bus.

Split: ``vmotiond-engine``, ``vmotiond-monitor`` and ``vmotiond-api`` on
real RabbitMQ and MariaDB next to ``vmotiond-sim``. All-in-one: one
``vmotiond`` on the embedded ``fake://`` bus, whose API reaches the engine
in the same process. In both a POST drains a host and the notification it
answers with is found finished by the REST API.
"""

import signal

import requests

from tests.functional.processes import cases

VERSION = "instance-ha 1.6"


def post(dep, path, body, roles=None, version=VERSION):
    headers = {"OpenStack-API-Version": version}
    if roles is not None:
        headers["X-Roles"] = roles
    return requests.post("http://127.0.0.1:%d%s" % (dep.api_port, path),
                         json=body, headers=headers, timeout=30)


def drained(test, host, note_uuid, timeout):
    """Wait until the notification ends; its REST view."""
    def done():
        note = test.dep.api("/v1/notifications/%s" % note_uuid,
                            version=VERSION)["notification"]
        return note if note["status"] in cases.NOTIFICATION_DONE else None
    note = test.wait(done, timeout, "the drain of %s ends" % host)
    vmoves = test.dep.api("/v1/vmoves?notification_uuid=%s" % note_uuid,
                          version=VERSION)["vmoves"]
    test.assertEqual("finished", note["status"], "%s; vmoves: %s" % (
        note["message"], [(v["instance_name"], v["status"], v["message"])
                          for v in vmoves]))
    test.assertEqual("HOST_DRAIN", note["type"])
    test.assertEqual(host, note["hostname"])
    return note


class SplitActionsTest(cases.CloudTestCase):

    def test_post_drains_a_host_through_rabbitmq(self):
        procs = {name: self.dep.start(name) for name in (
            "vmotiond-engine", "vmotiond-monitor", "vmotiond-api")}
        self.wait_started(procs["vmotiond-engine"])
        self.wait_started(procs["vmotiond-monitor"])

        # A reader is refused and nothing reaches the engine.
        response = post(self.dep, "/v1/operator/hosts/%s/action"
                        % cases.STANDBY, {"action": "set",
                                          "role": "standby"},
                        roles="reader")
        self.assertEqual(403, response.status_code, response.text)
        self.assertEqual("normal", self.dep.api(
            "/v1/hosts/%s" % cases.STANDBY)["host"]["role"])

        response = post(self.dep, "/v1/operator/hosts/%s/action"
                        % cases.STANDBY, {"action": "set",
                                          "role": "standby"})
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual("standby", response.json()["host"]["role"])
        self.assertEqual("standby", self.dep.api(
            "/v1/hosts/%s" % cases.STANDBY)["host"]["role"])

        servers = self.sim.servers()
        host = self.choose_victim(servers)
        on_host = sorted(sid for sid, s in servers.items()
                         if s.compute_host == host)
        self.assertTrue(on_host)
        # The console's reads of Nova's instances cross the bus too.
        listed = self.dep.api("/v1/operator/hosts/%s/instances" % host,
                              version=VERSION)["instances"]
        self.assertEqual(on_host, sorted(i["uuid"] for i in listed))
        targets = self.dep.api("/v1/operator/instances/targets?instances=%s"
                               % on_host[0], version=VERSION)
        self.assertIn(host, [r["host"] for r in targets["refused"]])
        self.assertTrue(targets["targets"])
        response = post(self.dep, "/v1/operator/hosts/%s/action" % host,
                        {"action": "drain"})
        self.assertEqual(202, response.status_code, response.text)
        started = response.json()["notification"]
        self.assertEqual(("HOST_DRAIN", host),
                         (started["type"], started["host"]))
        drained(self, host, started["uuid"], 120)
        after = self.sim.servers()
        self.assertEqual([], [sid for sid in on_host
                              if after[sid].compute_host == host])
        # Standby first.
        self.assertIn(cases.STANDBY, {after[sid].compute_host
                                      for sid in on_host})

        # The engine's refusal comes back with its message.
        response = post(self.dep, "/v1/operator/hosts/nowhere/action",
                        {"action": "drain"})
        self.assertEqual(404, response.status_code, response.text)
        self.assertIn("nowhere", response.json()["itemNotFound"]["message"])

        # The engine stopped: the API says so at once, nothing is done.
        procs["vmotiond-engine"].signal(signal.SIGTERM)
        self.assertEqual(0, procs["vmotiond-engine"].wait(25))
        response = post(self.dep, "/v1/operator/hosts/%s/action" % host,
                        {"action": "release"})
        self.assertEqual(503, response.status_code, response.text)
        self.assertIn("no vmotiond engine answered",
                      response.json()["serviceUnavailable"]["message"])


class AllInOneActionsTest(cases.LocalTestCase):

    def test_post_drains_a_host_in_the_all_in_one(self):
        ids = [self.sim.cloud.add_server("compute-1", "m1.small",
                                         name="vm-%d" % i).id
               for i in range(2)]
        proc = self.dep.start("vmotiond")
        self.wait(lambda: "vmotiond is running" in proc.out(), 30,
                  "vmotiond started")
        self.wait(self.dep.api_up, 30, "the REST API serving")
        # A host the monitor has not seen up yet receives nothing.
        self.wait(lambda: {h["monitor_state"] for h in self.dep.api(
            "/v1/hosts", version=VERSION)["hosts"]} == {"up"}, 60,
            "the monitor sees every host up")
        response = post(self.dep, "/v1/operator/hosts/compute-1/action",
                        {"action": "drain"})
        self.assertEqual(202, response.status_code, response.text)
        drained(self, "compute-1", response.json()["notification"]["uuid"],
                60)
        self.assertEqual({"compute-2"}, {
            self.sim.cloud.state.servers[sid].host for sid in ids})

        # A host added to Nova is in the hosts table once an operator
        # syncs, long before the monitor's next sync ([monitor]
        # sync_interval); a reader may not sync.
        self.sim.cloud.add_host("compute-9")
        response = post(self.dep, "/v1/operator/hosts/action",
                        {"action": "sync"}, version="instance-ha 1.7",
                        roles="reader")
        self.assertEqual(403, response.status_code, response.text)
        before = {h["name"] for h in self.dep.api(
            "/v1/hosts", version=VERSION)["hosts"]}
        self.assertNotIn("compute-9", before)
        response = post(self.dep, "/v1/operator/hosts/action",
                        {"action": "sync"}, version="instance-ha 1.7")
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual({"created": 1, "updated": len(before),
                          "deleted": 0}, response.json()["sync"])
        host = self.dep.api("/v1/hosts/compute-9", version=VERSION)["host"]
        self.assertEqual("normal", host["role"])
        self.assertGreater(host["memory_mb_total"], 0)
        proc.signal(signal.SIGTERM)
        self.assertEqual(0, proc.wait(25), proc.tail())
        self.assertNotIn("Traceback", proc.out() + proc.err())
