"""2,000 hosts and 40,000 servers read through the adapter over HTTP.

What is proven is the number of HTTP requests: one paginated list per
resource kind, never one call per host.
"""

import collections
import math
from urllib import parse

import testtools

from tests.fixtures import sim as sim_fixture
from vmotiond.cloud import inventory
from vmotiond.cloud import openstack as cloud_openstack
from vmotiond.sim import builder

HOSTS = 1980
STANDBY = 20
SERVERS = 40000
PAGE = 1000


class AdapterScaleTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.sim = self.useFixture(sim_fixture.SimFixture(builder.Scenario(
            hosts=HOSTS, standby=STANDBY, servers=SERVERS)))
        conn = self.sim.connect()
        self.addCleanup(conn.close)
        self.requests: collections.Counter[str] = collections.Counter()
        conn.session.session.hooks["response"].append(self._count)
        self.cloud = cloud_openstack.OpenStackCloud(conn)

    def _count(self, response, *args, **kwargs):  # noqa: ANN001,ANN201
        path = parse.urlparse(response.request.url).path
        if not path.startswith("/identity"):
            self.requests[path.rstrip("/")] += 1
        return response

    def test_one_list_per_resource_kind(self) -> None:
        total = HOSTS + STANDBY
        services = self.cloud.list_compute_services()
        capacities = self.cloud.list_host_capacities()
        servers = self.cloud.list_servers()

        self.assertEqual(total, len(services))
        self.assertEqual(total, len({s.host for s in services}))
        self.assertEqual(total, len(capacities))
        self.assertEqual(SERVERS, len(servers))
        self.assertEqual(SERVERS, len({s.id for s in servers}))

        by_kind = {path.rsplit("/", 1)[-1]: count
                   for path, count in self.requests.items()}
        self.assertEqual(1, by_kind.pop("os-services"))
        # Pages of PAGE items, plus the empty page that ends the list at
        # most once.
        self.assertLessEqual(by_kind.pop("detail"),
                             math.ceil(SERVERS / PAGE) + 1
                             + math.ceil(total / PAGE) + 1)
        # Capacity: a bounded number of Placement reads whatever the
        # number of hosts (full hosts are read one by one; none is full).
        self.assertLessEqual(sum(by_kind.values()), 6, self.requests)
        for path in self.requests:
            self.assertNotIn("compute-", path, "a per-host call: %s" % path)

        # The inventory sync: these reads again, and Neutron's agents once.
        self.requests.clear()
        written: list[dict[str, object]] = []
        inventory.sync(self.cloud, lambda items: written.extend(items) or {
            "created": len(items), "updated": 0, "deleted": 0})
        self.assertEqual(1, self.requests["/network/v2.0/agents"])
        # Every server on a host (shelved offloaded ones are on none);
        # ACTIVE ones running.
        placed = [s for s in servers if s.host]
        self.assertLess(len(placed), SERVERS)
        self.assertEqual(
            (len(placed), sum(s.status == "ACTIVE" for s in placed)),
            (sum(int(item["instances_total"]) for item in written),
             sum(int(item["instances_running"]) for item in written)))
        self.assertEqual(total, sum(1 for item in written
                                    if item["networks"]))

    def test_one_hosts_servers_come_in_one_request(self) -> None:
        host = self.cloud.list_compute_services()[0].host
        self.requests.clear()
        servers = self.cloud.list_servers(host=host)
        self.assertEqual(self.sim.cloud.host_view(host)["servers"],
                         sorted(s.id for s in servers))
        self.assertEqual({host}, {s.host for s in servers})
        self.assertNotEqual([], servers)
        self.assertEqual({"/compute/v2.1/servers/detail": 1},
                         dict(self.requests))
