"""A storm's cool-down outlives its monitor: against the simulator over
HTTP, with MariaDB and RabbitMQ, a monitor that starts after its
predecessor saw a storm in an aggregate declares no host of it down
before the cool-down its predecessor started is over."""

from tests.functional.monitor import base
from vmotiond.monitor import emitter
from vmotiond.monitor import manager
from vmotiond.monitor import probe
from vmotiond.monitor import records as r
from vmotiond.monitor import store as store_mod
from vmotiond.verdict import payload

HOLD_DOWN = 600.0


class StormRestartSimTest(base.MonitorSimTestCase):

    BACKEND = "mysql"

    def setUp(self) -> None:
        super().setUp()
        self.fx.set("max_failing_hosts_per_aggregate", 1, group="monitor")
        self.fx.set("guard_hold_down", HOLD_DOWN, group="monitor")
        self.monitor.thresholds = type(self.monitor.thresholds).from_conf(
            self.fx.conf)
        self.rack = self.compute_hosts[:3]
        self.sim.cloud.add_aggregate("rack-a", self.rack)

    def successor(self) -> manager.Monitor:
        """A new monitor: nothing in memory, the same database."""
        self.monitor.stop()
        monitor = manager.Monitor(
            self.fx.conf, self.cloud, store_mod.DbStore(self.db),
            emitter.make_notifier(self.fx.conf, self.transport),
            clock=self.clock, probe=probe.CallableProbe(self.sim.cloud.probe))
        self.addCleanup(monitor.stop)
        return monitor

    def test_successor_honours_the_cooldown(self) -> None:
        self.run_for(60)
        for host in self.rack[:2]:
            self.sim.cloud.kill_host(host)
        self.run_for(120)
        self.assertIn(r.REASON_DOMAIN_STORM, self.recorder.reasons())
        for host in self.rack[:2]:
            self.sim.cloud.revive_host(host)
        self.run_for(120)
        until = self.db.monitor_holds()["aggregate:rack-a"]
        self.monitor = self.successor()
        self.sim.cloud.kill_host(self.rack[2])
        self.run_for(300)
        self.assertLess(self.clock.now(), until)
        self.settle()
        self.assertEqual([], self.recorder.of(payload.EVENT_HOST_DOWN))
        self.assertEqual(until, self.db.monitor_holds()["aggregate:rack-a"])
        # Once it is over, the host is declared down, the hold dropped.
        self.run_for(HOLD_DOWN)
        down, = self.wait_heard(payload.EVENT_HOST_DOWN)
        self.assertEqual(self.rack[2], down["host"])
        self.assertEqual({}, self.db.monitor_holds())


