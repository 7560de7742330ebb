"""Issue 15, point 6: every host reports one host_ip, as real Nova's fake
driver does, and the monitor probes over TCP. Something at that address
refuses the connection (alive, for a TCP probe): that must not keep a dead
host from being declared down."""

import logging

import fixtures

from tests.fixtures import ports
from tests.functional.monitor import base
from vmotiond.monitor import emitter
from vmotiond.monitor import manager
from vmotiond.monitor import probe
from vmotiond.monitor import records as r
from vmotiond.verdict import payload

SHARED = "127.128.0.1"      # loopback: the probe never leaves this machine


class SharedAddressTest(base.MonitorSimTestCase):

    HOSTS = 5
    SIM_KW = {"shared_host_ip": SHARED}

    def test_dead_host_at_a_shared_address_is_down(self) -> None:
        logger = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        tcp = probe.TcpProbe([ports.free_port()], 1.0)
        self.assertEqual(r.PROBE_ALIVE, tcp.check("any", SHARED))  # refused
        self.monitor = manager.Monitor(
            self.fx.conf, self.cloud, self.store,
            emitter.make_notifier(self.fx.conf, self.transport),
            clock=self.clock, probe=tcp)
        self.addCleanup(self.monitor.stop)
        self.run_for(60)
        self.assertEqual({SHARED}, {row.management_ip
                                    for row in self.db.host_list()})
        victim = self.compute_hosts[2]
        self.sim.cloud.kill_host(victim)
        self.run_for(60)
        down, = self.wait_heard(payload.EVENT_HOST_DOWN)
        self.assertEqual(victim, down["host"])
        self.assertEqual(r.PROBE_UNTRUSTED, down["evidence"]["probe"])
        warned = [line for line in logger.output.splitlines()
                  if "Management address %s is shared by 6 hosts" % SHARED
                  in line]
        self.assertEqual(1, len(warned), logger.output)
        self.settle()
        self.assertEqual([], self.recorder.reasons())
