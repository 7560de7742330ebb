"""``GET /v1/capacity`` (1.7) in the all-in-one ``vmotiond``: the API asks
the engine in the same process, which reads the simulated cloud over
HTTP; the policy lets a system reader read and refuses a member."""

import signal

import requests

from tests.functional.processes import cases

VERSION = "instance-ha 1.7"


def get(dep, roles=None, system=False, version=VERSION):
    headers = {"OpenStack-API-Version": version}
    if roles is not None:
        headers["X-Roles"] = roles
    if system:
        headers["OpenStack-System-Scope"] = "all"
    return requests.get("http://127.0.0.1:%d/v1/capacity" % dep.api_port,
                        headers=headers, timeout=60)


class CapacityApiTest(cases.LocalTestCase):

    def test_names_the_hosts_whose_loss_would_not_fit(self):
        cloud = self.sim.cloud
        cloud.add_flavor("m1.huge", 16, 100000, 100)
        big = cloud.add_server("compute-1", "m1.huge", name="big").id
        cloud.add_server("compute-2", "m1.small", name="small")
        proc = self.dep.start("vmotiond")
        self.wait(lambda: "vmotiond is running" in proc.out(), 30,
                  "vmotiond started")
        self.wait(self.dep.api_up, 30, "the REST API serving")
        response = get(self.dep)
        self.assertEqual(200, response.status_code, response.text)
        found = response.json()["capacity"]
        # Each host has 131072 MB: either one takes the other's load.
        self.assertEqual([], found["unabsorbable"])
        self.assertTrue(found["survives_largest"])
        hosts = {h["host"]: h for h in found["hosts"]}
        self.assertEqual({"compute-1", "compute-2"}, set(hosts))
        self.assertEqual(100000, hosts["compute-1"]["memory_mb"])
        self.assertEqual("compute-1", found["largest_host"])
        # A second huge instance on compute-2: neither host could take
        # the other's load any more.
        cloud.add_server("compute-2", "m1.huge", name="filler")
        found = get(self.dep).json()["capacity"]
        self.assertEqual(["compute-1", "compute-2"],
                         sorted(found["unabsorbable"]))
        unplaced = {h["host"]: [i["instance_uuid"] for i in h["unplaced"]]
                    for h in found["hosts"]}
        self.assertEqual([big], unplaced["compute-1"])
        self.assertFalse(found["survives_largest"])
        # Policy: a system reader may read, a project member may not;
        # an older microversion does not know the path.
        self.assertEqual(200, get(self.dep, "reader", True).status_code)
        self.assertEqual(403, get(self.dep, "member").status_code)
        self.assertEqual(404, get(self.dep, version="instance-ha 1.6")
                         .status_code)
        proc.signal(signal.SIGTERM)
        self.assertEqual(0, proc.wait(25), proc.tail())
        self.assertNotIn("Traceback", proc.out() + proc.err())
