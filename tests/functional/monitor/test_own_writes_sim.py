"""Issue 15, points 4 and 5, against the simulator over HTTP: the fence's
own writes are no heartbeat, and a failure already decided does not count
as a new one for the mass-failure guard."""

from tests.functional.monitor import base
from vmotiond import constants as c
from vmotiond.monitor import emitter
from vmotiond.monitor import manager
from vmotiond.monitor import probe
from vmotiond.monitor import records as r
from vmotiond.verdict import payload


class FencedHostTest(base.MonitorSimTestCase):

    HOSTS = 5

    def _monitor(self) -> manager.Monitor:
        """A monitor (a new leader) on the same store and bus."""
        monitor = manager.Monitor(
            self.fx.conf, self.cloud, self.store,
            emitter.make_notifier(self.fx.conf, self.transport),
            clock=self.clock, probe=probe.NoProbe())
        self.addCleanup(monitor.stop)
        return monitor

    def test_fenced_dead_host_is_never_recovering(self) -> None:
        # No probe and a soak shorter than the heartbeat threshold: read as
        # heartbeats, the fence's own writes would declare it recovered.
        self.fx.set("probe_driver", "none", group="monitor")
        self.fx.set("recovery_soak", 2.0, group="monitor")
        self.monitor = self._monitor()
        self.assertEqual(2.0, self.monitor.thresholds.recovery_soak)
        self.run_for(60)
        victim = self.compute_hosts[1]
        self.sim.cloud.kill_host(victim)
        self.run_for(60)
        self.wait_heard(payload.EVENT_HOST_DOWN)
        seen = []

        def watch(seconds: float) -> None:
            for _ in range(int(round(seconds / self.POLL))):
                self.sim.advance(self.POLL)
                self.monitor.tick()
                seen.append(self.monitor.state.hosts[victim].state)

        self.fence(victim)
        watch(5)
        # An operator notes something; the monitor's leader changes.
        self.fence(victim, reason="vmotiond: looked at")
        self.monitor.stop()
        self.monitor = self._monitor()
        watch(120)
        self.assertNotIn(c.HOST_RECOVERING, seen)
        self.assertNotIn(c.HOST_RECOVERED, seen)
        self.assertEqual(c.HOST_FENCED, seen[-1])
        self.assertEqual(c.HOST_FENCED, self.db.host_get(victim).monitor_state)
        self.settle()
        self.assertEqual([], self.recorder.of(payload.EVENT_HOST_RECOVERED))
        self.assertEqual(1, len(self.recorder.of(payload.EVENT_HOST_DOWN)))
        # Its heartbeats, when they come back, still recover it.
        self.sim.cloud.revive_host(victim)
        watch(30)
        self.assertEqual(c.HOST_RECOVERED, seen[-1])
        self.assertEqual(c.HOST_RECOVERING, seen[seen.index(
            c.HOST_RECOVERED) - 1])


class SecondFailureTest(base.MonitorSimTestCase):
    """Three compute hosts, no standby (a standby host is watched too)."""

    HOSTS = 3
    STANDBY = 0

    def test_two_of_three_minutes_apart_are_both_down(self) -> None:
        first, second = self.compute_hosts[:2]
        self.run_for(60)
        self.sim.cloud.kill_host(first)
        self.run_for(60)
        self.wait_heard(payload.EVENT_HOST_DOWN)
        self.fence(first)
        self.run_for(180)
        self.sim.cloud.kill_host(second)
        self.run_for(60)
        downs = self.wait_heard(payload.EVENT_HOST_DOWN, 2)
        self.assertEqual([first, second], [d["host"] for d in downs])
        self.assertNotIn(r.REASON_MASS_FAILURE, self.recorder.reasons())

    def test_two_of_three_at_once_are_blocked(self) -> None:
        hosts = self.compute_hosts[:2]
        self.run_for(60)
        for host in hosts:
            self.sim.cloud.kill_host(host)
        self.run_for(300)
        alert, = [a for a in self.wait_heard(payload.EVENT_HOST_ALERT)
                  if a["reason"] == r.REASON_MASS_FAILURE]
        self.assertEqual(hosts, alert["evidence"]["failing"])
        self.settle()
        self.assertEqual([], self.recorder.of(payload.EVENT_HOST_DOWN))
