"""The simulator without a network service, in both shapes real clouds
have, read through vmotiond's cloud adapter and openstacksdk."""

import fixtures
import testtools

from tests.conformance import scenarios
from tests.fixtures import sim as sim_fixture
from vmotiond import exception
from vmotiond.cloud import inventory
from vmotiond.cloud import openstack as os_cloud
from vmotiond.sim import builder

SCENARIO = builder.Scenario(hosts=2, standby=0, servers=2,
                            anti_affinity_groups=0)


class NoNetworkTest(testtools.TestCase):

    def cloud(self, **server_kw):
        sim = self.useFixture(sim_fixture.SimFixture(SCENARIO, **server_kw))
        conn = sim.connect()
        self.addCleanup(conn.close)
        return os_cloud.OpenStackCloud(conn, scenarios.make_conf())

    def assert_no_network(self, cloud, because):
        logger = self.useFixture(fixtures.FakeLogger())
        [server, _] = cloud.list_servers()
        for _ in range(2):
            error = self.assertRaises(exception.CloudServiceMissing,
                                      cloud.list_ports, server.id)
            self.assertIn("the cloud has no network service", str(error))
            self.assertIn(because, str(error))
            self.assertNotIn("<", str(error))
        self.assertEqual(1, logger.output.count("has no network service"))
        self.assertEqual(server.id, cloud.get_server(server.id).id)
        # The inventory sync goes on: every host without networks (its
        # management IP is all there is), its instances counted.
        written = []
        inventory.sync(cloud, lambda items: written.extend(items) or {
            "created": len(items), "updated": 0, "deleted": 0})
        self.assertEqual([[], []], [item["networks"] for item in written])
        self.assertEqual(2, sum(item["instances_total"] for item in written))
        self.assertTrue(all(item["management_ip"] for item in written))

    def test_keystone_catalog_without_network(self):
        cloud = self.cloud(network=False)
        self.assert_no_network(cloud, "The service is not present in the "
                                      "service catalog")

    def test_no_keystone_network_resolves_to_nova(self):
        cloud = self.cloud(noauth=True)
        self.assert_no_network(cloud, "/compute/v2.1/ports answered 404 "
                                      "with a page that is not an "
                                      "OpenStack API error (404 Not Found: "
                                      "The resource could not be found.)")


class AgentsTest(testtools.TestCase):
    """Neutron's agents, as the inventory sync reads them."""

    def test_one_ovs_agent_per_host_with_the_fields_asked(self):
        sim = self.useFixture(sim_fixture.SimFixture(SCENARIO))
        conn = sim.connect()
        self.addCleanup(conn.close)
        cloud = os_cloud.OpenStackCloud(conn, scenarios.make_conf())
        capacities = {c.host: c for c in cloud.list_host_capacities()}
        agents = cloud.list_network_agents()
        self.assertEqual(sorted(capacities), sorted(a.host for a in agents))
        for agent in agents:
            self.assertEqual("Open vSwitch agent", agent.agent_type)
            self.assertEqual(capacities[agent.host].host_ip,
                             agent.configurations["tunneling_ip"])
        networks = inventory.read_networks(cloud)
        self.assertEqual({"physnet1": "br-ex"},
                         networks[agents[0].host][0]["bridge_mappings"])
        # openstacksdk reads them too, every field.
        [first, *_] = sorted(conn.network.agents(), key=lambda a: a.host)
        self.assertEqual("neutron-openvswitch-agent", first.binary)
