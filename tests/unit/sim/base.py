"""A small simulated cloud on a FakeClock for the unit tests."""

import testtools

from vmotiond import clock
from vmotiond.sim import cloud


class CloudTestCase(testtools.TestCase):
    """Three hosts (two in az1, one in az2), one standby, one flavor."""

    def setUp(self) -> None:
        super().setUp()
        self.clock = clock.FakeClock()
        self.cloud = cloud.SimCloud(clock=self.clock, seed=3,
                                    report_interval=10,
                                    service_down_time=60)
        c = self.cloud
        c.add_flavor("small", 2, 4096, 20, flavor_id="1")
        for name, zone in (("h1", "az1"), ("h2", "az1"), ("h3", "az2")):
            c.add_host(name, zone=zone, vcpus=4, memory_mb=16896,
                       disk_gb=100)
        c.add_host("sb1", zone="az1", role="standby", vcpus=4,
                   memory_mb=16896, disk_gb=100)

    def boot(self, host: str = "h1", vm_state: str = "active", **kw):
        return self.cloud.add_server(host, "1", vm_state=vm_state, **kw)

    def kill(self, host: str = "h1") -> None:
        self.cloud.kill_host(host)
        self.cloud.advance(61)

    def is_up(self, host: str) -> bool:
        with self.cloud.lock:
            return self.cloud.is_up(self.cloud.state.hosts[host])
