"""The failover headroom against the simulated cloud over HTTP.

``vmotiond-manage capacity check`` (its own process) names exactly the
hosts an exhaustive search finds no placement for, on clouds generated
in the simulator (instances of one size: there the planner's greedy
placement is exact, see ``tests/unit/engine/deciding/test_headroom.py``).
``GET /v1/capacity`` (1.9) in the all-in-one ``vmotiond``: the API asks
the engine in the same process; the policy lets a system reader read and
refuses a member.
"""

import json
import random
import signal
import subprocess

import openstack
import requests

from tests.fixtures import conf as conf_fixture
from tests.functional.processes import base
from tests.functional.processes import cases
from tests.unit.engine.deciding import test_headroom
from vmotiond.cloud import openstack as os_cloud
from vmotiond.engine.workflows import workflow

VERSION = "instance-ha 1.9"


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
        self.assertEqual(404, get(self.dep, version="instance-ha 1.7")
                         .status_code)
        proc.signal(signal.SIGTERM)
        self.assertEqual(0, proc.wait(25), proc.tail())
        self.assertNotIn("Traceback", proc.out() + proc.err())


class CapacityCliTest(cases.LocalTestCase):

    def check(self):
        done = subprocess.run(
            [base.command("vmotiond-manage"), "--config-file",
             self.dep.config_path, "capacity", "check", "--format", "json"],
            capture_output=True, text=True, timeout=120, check=False)
        self.assertIn(done.returncode, (0, 1), done.stderr)
        found = json.loads(done.stdout)
        self.assertEqual(1 if found["unabsorbable"] else 0, done.returncode)
        return found

    def brute_force(self):
        """The hosts whose loss no assignment absorbs, from what Nova and
        Placement report (no hosts table rows: every host is normal)."""
        conn = openstack.connect(**self.sim.cloud_config())
        self.addCleanup(conn.close)
        cloud = os_cloud.OpenStackCloud(
            conn, self.useFixture(conf_fixture.Conf()).conf)
        caps = {c.host: c for c in cloud.list_host_capacities()}
        hosts = [workflow.facts_of(s, None, caps.get(s.host))
                 for s in cloud.list_compute_services()]
        servers = cloud.list_servers()
        return sorted(h.service.host for h in hosts
                      if not test_headroom.brute_force_absorbable(
                          h.service.host, hosts, servers, []))

    def test_names_exactly_the_hosts_brute_force_finds(self):
        rng = random.Random(20)
        cloud = self.sim.cloud
        small = ["small-%d" % i for i in range(4)]
        for name in small:
            cloud.add_host(name, zone="az2",
                           memory_mb=rng.choice((4096, 6144, 8192)))
        seen = set()
        for _ in range(4):
            for _ in range(3):
                cloud.add_server(rng.choice(small), "m1.small")
            found = self.check()
            expected = self.brute_force()
            self.assertEqual(expected, sorted(found["unabsorbable"]))
            seen.update(expected)
        self.assertTrue(seen, "no generated cloud left a loss unabsorbed")
