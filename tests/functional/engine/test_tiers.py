"""Priority tiers behind the readiness gate, and the engine's budget of
calls that change the cloud, against the simulator over HTTP (MariaDB,
RabbitMQ, Redis, as test_host_failure)."""

import time

import testtools

from tests.functional.engine import env
from vmotiond import constants

TIER_1 = tuple("vip-%d" % i for i in range(3))
TIER_2 = tuple("web-%d" % i for i in range(3))


class TiersTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env = self.useFixture(env.EngineEnv(latency={
            "evacuate": 0.3, "host_update_lag": 0.05}))
        cloud = self.env.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        cloud.add_host("compute-a")
        for name in ("standby-1", "standby-2"):
            cloud.add_host(name, role="standby")
        cloud.add_host(self.env.failed_host)
        self.servers = {}
        self.tier_1 = list(TIER_1)
        self.tier_2 = list(TIER_2)
        for name in self.tier_1:
            self.servers[name] = cloud.add_server(
                self.env.failed_host, "m1.small", name=name,
                metadata={"vmotion:priority": "10"}).id
        for name in self.tier_2:
            self.servers[name] = cloud.add_server(
                self.env.failed_host, "m1.small", name=name).id
        self.env.sync_hosts()
        self.env.conf_fixture.set("workers", 8, "engine")

    def recover(self):
        self.env.engine()
        self.env.sim.cloud.kill_host(self.env.failed_host)
        self.env.send_host_down(self.env.failed_host)
        return self.env.wait_notification(self.env.failed_host)

    def moves(self, note):
        return {v.instance_name: v for v in
                self.env.db.vmove_list(notification_uuid=note.uuid)}

    def test_second_tier_starts_when_first_is_active(self):
        self.env.conf_fixture.set("tier_timeout", 600, "engine")
        note = self.recover()
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        self.assertEqual("6 succeeded, 0 failed, 0 ignored", note.message)
        moves = self.moves(note)
        sim = self.env.sim.cloud
        active = []
        for name in self.tier_1:
            server = sim.state.servers[self.servers[name]]
            self.assertEqual(("ACTIVE", moves[name].dest_host),
                             (server.status, server.host))
            active.append(server.updated_at)
        first_start = min(moves[name].start_time for name in self.tier_2)
        self.assertGreaterEqual(first_start, max(active))
        self.assertGreaterEqual(
            first_start, max(moves[name].end_time for name in self.tier_1))
        # The tier's vmoves ran at once: the gate is between tiers only.
        self.assertLess(max(moves[n].start_time for n in self.tier_1),
                        min(moves[n].end_time for n in self.tier_1))

    def test_tier_timeout_lets_the_next_tier_go(self):
        self.env.conf_fixture.set("tier_timeout", 1.0, "engine")
        sim = self.env.sim.cloud
        sim.hold("evacuate")
        self.env.engine()
        sim.kill_host(self.env.failed_host)
        self.env.send_host_down(self.env.failed_host)
        # Tier 1 is held in its evacuations; tier 2 asks for its own only
        # once the tier timeout has passed.
        deadline = time.monotonic() + 60
        while not all(sim.action_count(self.servers[n], "evacuate")
                      for n in self.tier_2):
            self.assertLess(time.monotonic(), deadline, sim.held())
            time.sleep(0.05)
        sim.release("evacuate")
        note = self.env.wait_notification(self.env.failed_host)
        self.assertEqual(
            "6 succeeded, 0 failed, 0 ignored; tier 10 timed out after 1 s "
            "with 3 vmove(s) not final; tier 0 started", note.message)
        moves = self.moves(note)
        started = min(moves[n].start_time for n in self.tier_2)
        self.assertLess(started, min(moves[n].end_time for n in self.tier_1))
        waited = (started - max(moves[n].start_time for n in self.tier_1))
        self.assertGreaterEqual(waited.total_seconds(), 0.9)

    def test_budget_of_calls_is_never_exceeded(self):
        self.env.conf_fixture.set("max_concurrent_nova_calls", 2, "engine")
        self.env.conf_fixture.set("tier_timeout", 0, "engine")
        sim = self.env.sim.cloud
        # Each call that acts is answered after 0.2 s: six evacuations
        # at once would overlap.
        sim.set_http_latency("compute.action.*", 0.2)
        note = self.recover()
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        self.assertEqual(2, sim.acting_peak())
