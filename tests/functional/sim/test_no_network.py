"""The simulator without a network service, in both shapes real clouds
have, read through vmotiond's cloud adapter and openstacksdk."""

import fixtures
import testtools

from tests.conformance import scenarios
from tests.fixtures import sim as sim_fixture
from vmotiond import exception
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
