"""A ``fixtures.Fixture`` that serves a simulated cloud for one test.

    sim = self.useFixture(SimFixture(Scenario(hosts=4, standby=1,
                                              servers=8)))
    conn = sim.connect()                 # openstacksdk Connection (admin)
    sim.cloud.kill_host("compute-0001")  # the Python API
    sim.advance(61)                      # FakeClock: time passes at once

Imported by tests only (it needs ``fixtures`` and ``openstacksdk``).
"""

import os
from typing import Any

import fixtures

from vmotiond import clock as clock_mod
from vmotiond.sim import builder
from vmotiond.sim import cloud as cloud_mod
from vmotiond.sim import server as server_mod


class SimFixture(fixtures.Fixture):
    """Build a cloud, serve it on a free loopback port, stop it after.

    ``clock`` defaults to a ``FakeClock`` (time moves with ``advance``);
    ``cloud_kw`` goes to :class:`SimCloud` (``report_interval``,
    ``service_down_time``, ``rpc_timeout``, ``max_limit``).
    """

    def __init__(self, scenario: builder.Scenario | None = None,
                 clock: clock_mod.Clock | None = None, seed: int = 1,
                 instance_ha_url: str | None = None, **cloud_kw: Any) -> None:
        super().__init__()
        self.scenario = scenario or builder.Scenario(hosts=4, standby=1,
                                                     servers=8)
        self.clock = clock or clock_mod.FakeClock()
        self.seed = seed
        self.instance_ha_url = instance_ha_url
        self.cloud_kw = cloud_kw

    def _setUp(self) -> None:
        self.cloud = cloud_mod.SimCloud(clock=self.clock, seed=self.seed,
                                        **self.cloud_kw)
        self.summary = builder.build(self.cloud, self.scenario)
        self.server = server_mod.SimServer(
            self.cloud, instance_ha_url=self.instance_ha_url)
        self.url = self.server.start()
        self.addCleanup(self.server.stop)
        self.auth_url = self.server.auth_url

    def advance(self, seconds: float) -> None:
        """Move the FakeClock and let the cloud catch up."""
        self.cloud.advance(seconds)

    def connect(self, user: str = "admin", **kw: Any) -> Any:
        """An openstacksdk ``Connection`` to the simulator."""
        import openstack
        config = self.server.cloud_config(user)
        config.update(kw)
        return openstack.connect(**config)

    def write_clouds_yaml(self, directory: str, user: str = "admin",
                          name: str = server_mod.CLOUD_NAME) -> str:
        return self.server.write_clouds_yaml(
            os.path.join(directory, "clouds.yaml"), name, user)
