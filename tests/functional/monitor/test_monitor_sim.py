"""Issue 4's acceptance: the monitor with the shipped defaults against the
simulator (Nova report_interval 10 s) over HTTP, RabbitMQ carrying the
notifications."""

from tests.functional.monitor import base
from vmotiond import constants as c
from vmotiond.monitor import records as r
from vmotiond.verdict import payload

BOUND = 30.0


class DetectionTest(base.MonitorSimTestCase):

    def test_inventory_is_synced_on_the_first_tick(self) -> None:
        self.run_for(2)
        rows = {row.name: row for row in self.db.host_list()}
        self.assertEqual(set(self.compute_hosts) | {"standby-01"}, set(rows))
        row = rows[self.compute_hosts[0]]
        self.assertTrue(row.management_ip)
        self.assertGreater(row.memory_mb_total, 0)
        self.assertEqual(("up", "enabled"),
                         (row.service_state, row.service_status))
        # Each host's uuid is its compute node's, as Nova reports it.
        self.assertEqual(
            {name: host.node_uuid
             for name, host in self.sim.cloud.state.hosts.items()},
            {name: row.uuid for name, row in rows.items()})

    def test_killed_host_is_down_and_notified_within_bound(self) -> None:
        self.run_for(60)
        victim = self.compute_hosts[3]
        self.sim.cloud.kill_host(victim)
        last = self.last_heartbeat(victim)
        self.run_for(60)
        down, = self.wait_heard(payload.EVENT_HOST_DOWN)
        data = payload.parse(down)
        self.assertEqual((victim, 1), (data["host"], data["generation"]))
        latency = (data["detected_at"] - last).total_seconds()
        self.assertLessEqual(latency, BOUND)
        self.assertEqual("dead", data["evidence"]["probe"])
        row = self.db.host_get(victim)
        self.assertEqual((c.HOST_DOWN, 1),
                         (row.monitor_state, row.monitor_generation))
        notification, = self.db.notification_list(host=victim)
        self.assertEqual(self.sim.cloud.state.hosts[victim].node_uuid,
                         notification.source_host_uuid)
        self.settle()
        self.assertEqual(1, len(self.recorder.of(payload.EVENT_HOST_DOWN)))

    def test_compute_dead_but_host_answering_is_never_down(self) -> None:
        self.run_for(60)
        victim = self.compute_hosts[2]
        self.sim.cloud.kill_compute(victim)
        self.run_for(600)
        self.wait_heard(payload.EVENT_HOST_ALERT)
        self.settle()
        self.assertEqual([], self.recorder.of(payload.EVENT_HOST_DOWN))
        self.assertEqual([r.PROCESS_FAILURE], self.recorder.reasons())

    def test_sixty_percent_killed_alerts_and_moves_nothing(self) -> None:
        self.run_for(60)
        for host in self.compute_hosts[:6]:
            self.sim.cloud.kill_host(host)
        self.run_for(600)
        self.wait_heard(payload.EVENT_HOST_ALERT)
        self.settle()
        self.assertEqual([], self.recorder.of(payload.EVENT_HOST_DOWN))
        self.assertIn(r.REASON_MASS_FAILURE, self.recorder.reasons())

    def test_flapping_host_yields_no_notification(self) -> None:
        self.run_for(60)
        victim = self.compute_hosts[5]
        # A heartbeat gap of 20 s each time: suspect, never down.
        self.sim.cloud.flap_host(victim, down_s=15, up_s=5, cycles=25)
        self.run_for(600)
        self.settle()
        self.assertEqual([], self.recorder.of(payload.EVENT_HOST_DOWN))
        self.assertEqual([], self.recorder.of(payload.EVENT_HOST_RECOVERED))
        self.assertIn(r.REASON_FLAPPING, self.recorder.reasons())

    def test_revived_host_is_recovered_after_the_soak(self) -> None:
        self.run_for(60)
        victim = self.compute_hosts[1]
        self.sim.cloud.kill_host(victim)
        self.run_for(60)
        self.sim.cloud.revive_host(victim)
        self.run_for(58)
        self.assertEqual([], self.recorder.of(payload.EVENT_HOST_RECOVERED))
        self.run_for(20)
        recovered, = self.wait_heard(payload.EVENT_HOST_RECOVERED)
        self.assertEqual((victim, 1), (recovered["host"],
                                       recovered["generation"]))

    def test_nova_timing_out_is_an_alert_after_one_call(self) -> None:
        # [cloud] api_retries keeps its default (3) and back-off for the
        # engine; the monitor make_monitor wires polls without retries:
        # one call per poll, bounded by api_timeout (the next poll is the
        # retry), not api_timeout x 4 plus back-off.
        self.fx.set("api_timeout", 1.0, group="cloud")
        self.assertEqual(3, self.fx.conf.cloud.api_retries)
        self.monitor = base.manager.make_monitor(
            self.fx.conf, base.os_cloud.OpenStackCloud(
                self.cloud.conn, self.fx.conf, clock=base.clock_mod.Clock()),
            self.db, clock=self.clock, transport=self.transport,
            elect=False, probe=base.probe.CallableProbe(self.sim.cloud.probe))
        self.addCleanup(self.monitor.stop)
        self.run_for(20)
        # Nova takes longer than api_timeout to answer os-services.
        rule = self.sim.cloud.add_fault("compute.services.list", "timeout",
                                        seconds=5.0, apply=False)
        self.run_for(self.POLL)
        self.wait_heard(payload.EVENT_HOST_ALERT)
        self.assertEqual([r.REASON_NOVA_UNREACHABLE], self.recorder.reasons())
        self.run_for(2 * self.POLL)
        with self.sim.cloud.lock:
            self.assertEqual(3, rule.fired)

    def test_nova_unreachable_is_an_alert(self) -> None:
        self.fx.set("api_retries", 0, group="cloud")
        self.monitor.cloud = base.os_cloud.OpenStackCloud(
            self.cloud.conn, self.fx.conf, clock=base.clock_mod.Clock())
        self.run_for(20)
        self.sim.cloud.partition("503")
        self.run_for(20)
        self.wait_heard(payload.EVENT_HOST_ALERT)
        self.assertIn(r.REASON_NOVA_UNREACHABLE, self.recorder.reasons())
