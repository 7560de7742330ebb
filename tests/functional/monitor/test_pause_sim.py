"""Storms and pauses against the simulator over HTTP: a planned power-off
under ``ha pause`` (the whole cloud, one aggregate) ends with no
evacuation and no host fenced or disabled by vmotiond; a storm in one
aggregate moves nothing. Time is the simulator's FakeClock."""

from tests.functional.monitor import base
from vmotiond import constants as c
from vmotiond.monitor import records as r
from vmotiond.verdict import payload


class PauseSimTest(base.MonitorSimTestCase):

    def setUp(self) -> None:
        super().setUp()
        self.rack = self.compute_hosts[:3]
        self.sim.cloud.add_aggregate("rack-a", self.rack)
        self.switches = self.service_switches()

    def service_switches(self) -> dict:
        return {h.name: (h.forced_down, h.disabled, h.disabled_reason)
                for h in self.sim.cloud.state.hosts.values()}

    def assert_nothing_moved_or_fenced(self) -> None:
        """No evacuation, no service forced down or disabled (the
        standby host stays as it was), no notification the engine would
        act on."""
        self.assertEqual([], self.sim.cloud.state.migrations)
        self.assertEqual(self.switches, self.service_switches())
        self.assertEqual(
            set(), {n.status for n in self.db.notification_list()}
            - {c.NOTIFICATION_IGNORED})
        self.assertEqual([], self.recorder.of(payload.EVENT_HOST_DOWN))

    def test_whole_cloud_powered_off_under_pause(self) -> None:
        self.run_for(60)
        self.db.ha_pause("*", "planned power-off")
        # Host after host, as a power-off goes: the first ones would be
        # declared down long before the mass-failure guard trips.
        for host in sorted(self.sim.cloud.state.hosts):
            self.sim.cloud.kill_host(host)
            self.run_for(30)
        self.run_for(600)
        self.assertIn(r.REASON_HA_PAUSED, self.recorder.reasons())
        for host in self.sim.cloud.state.hosts:
            self.sim.cloud.revive_host(host)
        self.run_for(300)
        self.db.ha_resume("*")
        self.run_for(300)
        self.wait_heard(payload.EVENT_HOST_ALERT)
        self.settle()
        self.assert_nothing_moved_or_fenced()
        states = {row.name: row.monitor_state for row in self.db.host_list()}
        self.assertEqual({c.HOST_UP}, set(states.values()))
        self.assertIn(r.REASON_ALL_STALE, self.recorder.reasons())

    def test_aggregate_powered_off_under_pause_one_stays_down(self) -> None:
        self.run_for(60)
        self.db.ha_pause("rack-a")
        for host in self.rack:
            self.sim.cloud.kill_host(host)
        self.run_for(600)
        # Detected, recorded and alerted; held, not declared.
        held = [b["host"] for b in self.wait_heard(
            payload.EVENT_HOST_ALERT, 3) if b.get("reason") ==
            r.REASON_HA_PAUSED]
        self.assertEqual(sorted(self.rack), sorted(held))
        notes = self.db.notification_list()
        self.assertEqual(sorted(self.rack), sorted(n.host for n in notes))
        self.assertTrue(all(n.status == c.NOTIFICATION_IGNORED
                            and n.message.startswith("held")
                            for n in notes))
        self.assertEqual(
            3, sum(1 for a in self.db.alert_list()
                   if a.type == r.REASON_HA_PAUSED))
        # Other hosts are still recovered while rack-a is paused.
        self.assertEqual(c.HOST_UP,
                         self.db.host_get(self.compute_hosts[5]).monitor_state)
        # Two come back; on resume only the one still down is recovered.
        for host in self.rack[:2]:
            self.sim.cloud.revive_host(host)
        self.run_for(120)
        self.settle()
        self.assert_nothing_moved_or_fenced()
        self.db.ha_resume("rack-a")
        self.run_for(60)
        down, = self.wait_heard(payload.EVENT_HOST_DOWN)
        self.assertEqual((self.rack[2], 1), (down["host"],
                                             down["generation"]))
        self.settle()
        self.assertEqual(1, len(self.recorder.of(payload.EVENT_HOST_DOWN)))
        for host in self.rack[:2]:
            self.assertEqual(c.HOST_UP, self.db.host_get(host).monitor_state)
        self.assertEqual(c.HOST_DOWN,
                         self.db.host_get(self.rack[2]).monitor_state)


class AggregateStormSimTest(base.MonitorSimTestCase):

    def setUp(self) -> None:
        super().setUp()
        self.fx.set("max_failing_hosts_per_aggregate", 1, group="monitor")
        self.fx.set("max_verdicts_per_cycle", 1, group="monitor")
        self.monitor.thresholds = type(self.monitor.thresholds).from_conf(
            self.fx.conf)
        self.rack = self.compute_hosts[:3]
        self.sim.cloud.add_aggregate("rack-a", self.rack)

    def test_storm_in_an_aggregate_moves_nothing_there(self) -> None:
        self.run_for(60)
        for host in self.rack:
            self.sim.cloud.kill_host(host)
        outside = self.compute_hosts[6:8]
        for host in outside:
            self.sim.cloud.kill_host(host)
        self.run_for(300)
        downs = self.wait_heard(payload.EVENT_HOST_DOWN, 2)
        self.settle()
        # The two hosts outside the aggregate, one per cycle.
        downs = self.recorder.of(payload.EVENT_HOST_DOWN)
        self.assertEqual(sorted(outside), sorted(d["host"] for d in downs))
        detected = sorted(payload.parse(d)["detected_at"] for d in downs)
        self.assertLess(detected[0], detected[1])
        self.assertIn(r.REASON_DOMAIN_STORM, self.recorder.reasons())
        storm, = [a for a in self.db.alert_list()
                  if a.type == r.REASON_DOMAIN_STORM]
        self.assertLessEqual(2, len(storm.hosts))
        self.assertLessEqual(set(storm.hosts), set(self.rack))
        for host in self.rack:
            self.assertEqual(c.HOST_SUSPECT,
                             self.db.host_get(host).monitor_state)
