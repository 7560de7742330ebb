"""The conformance scenarios against the simulator over loopback HTTP.

Runs in the main virtualenv. The simulator keeps time on a ``FakeClock``
that ``wait_for`` moves forward, so heartbeats and move latencies take no
wall time.
"""

from collections.abc import Callable
import datetime
import time
from typing import TypeVar

import openstack
import testtools

from tests.conformance import lock
from tests.conformance import scenarios
from tests.conformance import target
from vmotiond import clock as clock_mod
from vmotiond.sim import cloud as sim_cloud
from vmotiond.sim import server as sim_server

T = TypeVar("T")

HOSTS = ("host1", "host2", "host3")
FLAVOR = "m1.conformance"
_SIM_STATE = {None: "active", "stopped": "stopped", "rescued": "rescued",
              "paused": "paused", "suspended": "suspended",
              "shelved": "shelved_offloaded"}


class SimTarget(target.Target):
    """The levers of ``target.Target`` on a ``SimServer``."""

    hosts = HOSTS
    service_down_time = 3.0
    zone = "nova"

    def __init__(self, server: sim_server.SimServer,
                 add_cleanup: Callable[..., None]) -> None:
        self.server = server
        self.cloud = server.cloud
        self.add_cleanup = add_cleanup

    def connection(self) -> openstack.connection.Connection:
        return self._connect(self.server)

    def connection_without_network(self) -> openstack.connection.Connection:
        # The same cloud, served without Keystone.
        noauth = sim_server.SimServer(self.cloud, threads=4, noauth=True)
        noauth.start()
        self.add_cleanup(noauth.stop)
        return self._connect(noauth)

    def _connect(self, server: sim_server.SimServer
                 ) -> openstack.connection.Connection:
        return openstack.connect(load_yaml_config=False,
                                 load_envvars=False, **server.cloud_config())

    def boot(self, host: str, name: str = "conformance",
             state: str | None = None) -> str:
        return self.cloud.add_server(host, FLAVOR, name=name,
                                     vm_state=_SIM_STATE[state]).id

    def boot_special(self, host: str, extra_specs: dict[str, str],
                     volume_backed: bool) -> str:
        flavor = self.cloud.add_flavor(
            "special-%d" % len(self.cloud.state.flavors), vcpus=1, ram=512,
            disk=5, extra_specs=dict(extra_specs))
        return self.cloud.add_server(host, flavor.id,
                                     volume_backed=volume_backed).id

    def kill(self, host: str) -> None:
        self.cloud.kill_compute(host)

    def revive(self, host: str) -> None:
        self.cloud.revive_host(host)

    def fail_evacuations(self) -> None:
        self.cloud.add_fault("evacuate", "error_state")

    def now(self) -> datetime.datetime:
        return self.cloud.clock.now()

    def wait_for(self, predicate: Callable[[], T], timeout: float,
                 what: str, interval: float = 0.5) -> T:
        waited = 0.0
        real_deadline = time.monotonic() + 30
        while True:
            last = predicate()
            if last:
                return last
            if waited > timeout or time.monotonic() > real_deadline:
                raise AssertionError("timed out after %.1f s waiting for %s"
                                     % (waited, what))
            self.cloud.advance(interval)
            waited += interval


class TestSim(scenarios.Scenarios, lock.LockScenarios,
              testtools.TestCase):
    """Every scenario of ``tests.conformance.scenarios`` on the simulator."""

    def setUp(self) -> None:
        super().setUp()
        cloud = sim_cloud.SimCloud(clock=clock_mod.FakeClock(), seed=1,
                                   report_interval=1.0,
                                   service_down_time=3.0, rpc_timeout=3.0)
        cloud.add_flavor(FLAVOR, vcpus=1, ram=512, disk=1)
        for host in HOSTS:
            cloud.add_host(host, vcpus=10, memory_mb=8192, disk_gb=1028)
        server = sim_server.SimServer(cloud, threads=4)
        server.start()
        self.addCleanup(server.stop)
        self.target = SimTarget(server, self.addCleanup)


