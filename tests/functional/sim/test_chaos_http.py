"""Faults, partitions and the /sim control endpoint over HTTP."""

import subprocess
import sys
import time

from openstack import exceptions as sdk_exc
import requests
import testtools

from tests.fixtures import sim as sim_fixture
from vmotiond.sim import builder


class TestChaosOverHttp(testtools.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sim = self.useFixture(sim_fixture.SimFixture(builder.Scenario(
            hosts=2, standby=0, servers=0, anti_affinity_groups=0)))
        self.conn = self.sim.connect(status_code_retries=0)
        self.addCleanup(self.conn.close)
        self.ctl = self.sim.url + "/sim"

    def test_injected_503_then_recovers(self) -> None:
        resp = requests.post(self.ctl + "/faults", json={
            "op": "compute.services.list", "kind": "http_503", "count": 1},
            timeout=10)
        self.assertEqual(201, resp.status_code)
        self.assertRaises(sdk_exc.HttpException,
                          lambda: list(self.conn.compute.services()))
        self.assertEqual(2, len(list(self.conn.compute.services())))

    def test_timeout_without_effect_answers_504_after_hold(self) -> None:
        self.sim.cloud.add_fault("compute.servers.list", "timeout",
                                 count=1, seconds=0.3, apply=False)
        token = self.conn.session.get_token()
        t0 = time.monotonic()
        resp = requests.get(self.sim.url + "/compute/v2.1/servers",
                            headers={"X-Auth-Token": token}, timeout=10)
        self.assertEqual(504, resp.status_code)
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)

    def test_partition_of_one_user(self) -> None:
        reader = self.sim.connect("reader", status_code_retries=0)
        self.addCleanup(reader.close)
        requests.post(self.ctl + "/partition", json={
            "mode": "503", "users": ["admin"]}, timeout=10)
        self.assertRaises(sdk_exc.HttpException,
                          lambda: list(self.conn.compute.services()))
        self.assertEqual([], list(reader.compute.servers()))
        requests.delete(self.ctl + "/partition", timeout=10)
        self.assertEqual(2, len(list(self.conn.compute.services())))

    def test_control_kill_and_counts(self) -> None:
        srv = self.sim.cloud.add_server("compute-0001", "m1.tiny")
        resp = requests.post(self.ctl + "/hosts/compute-0001/kill",
                             timeout=10)
        self.assertFalse(resp.json()["probe_reachable"])
        requests.post(self.ctl + "/clock/advance", json={"seconds": 61},
                      timeout=10)
        view = requests.get(self.ctl + "/hosts/compute-0001",
                            timeout=10).json()
        self.assertEqual("down", view["state"])
        self.conn.compute.evacuate_server(srv.id)
        self.assertRaises(sdk_exc.HttpException,
                          self.conn.compute.evacuate_server, srv.id)
        counts = requests.get(self.ctl + "/servers/%s/counts" % srv.id,
                              timeout=10).json()
        self.assertEqual({"evacuate": {"calls": 2, "accepted": 1}}, counts)

    def run_ctl(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", "from vmotiond.cmd.sim import main; "
             "import sys; sys.exit(main())", "ctl", "--url", self.sim.url,
             *args], capture_output=True, text=True, timeout=60,
            check=True).stdout

    def test_ctl_hold_and_release(self) -> None:
        srv = self.sim.cloud.add_server("compute-0001", "m1.tiny")
        self.run_ctl("hold", "live_migrate")
        self.conn.compute.live_migrate_server(srv.id, "compute-0002",
                                              block_migration="auto")
        self.sim.advance(3600)
        self.assertIn('"live_migrate": 1', self.run_ctl("state"))
        self.assertEqual("MIGRATING",
                         self.conn.compute.get_server(srv.id).status)
        self.assertIn('"released": 1',
                      self.run_ctl("release", "live_migrate"))
        self.sim.cloud.settle()
        self.assertEqual("compute-0002", self.sim.cloud.state.servers[
            srv.id].host)

    def test_ctl_command_line(self) -> None:
        out = self.run_ctl("kill-compute", "compute-0002")
        self.assertIn('"probe_reachable": true', out)
        self.assertFalse(self.sim.cloud.host_view("compute-0002")[
            "compute_running"])
