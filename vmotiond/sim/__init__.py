"""A simulated OpenStack cloud (Keystone, Nova, Placement, Neutron subsets)
served over real HTTP, for the demo, the tests and the benchmarks.

Start one in a test::

    sim = SimServer(clock=FakeClock(), seed=1)
    build(sim.cloud, Scenario(hosts=4, standby=1, servers=10))
    url = sim.start()            # http://127.0.0.1:<free port>
    ...
    sim.stop()
"""

from vmotiond.sim.builder import Scenario
from vmotiond.sim.builder import build
from vmotiond.sim.cloud import SimCloud
from vmotiond.sim.server import SimServer

__all__ = ["Scenario", "SimCloud", "SimServer", "build"]
