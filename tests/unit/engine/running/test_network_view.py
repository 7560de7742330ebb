"""The floating IPs of a notification's instances, read a chunk at a time."""

import testtools

from tests.unit.engine import fake_cloud
from tests.unit.engine import fakes
from vmotiond import exception
from vmotiond.engine.running import network_view


class NetworkViewTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.cloud = fake_cloud.FakeCloud()
        self.servers = [fakes.server() for _ in range(
            network_view.CHUNK + 2)]
        for i, server in enumerate(self.servers):
            self.cloud.add_server(server, fip="fip-%d" % i if i % 2 else None)
        self.view = network_view.NetworkView(
            self.cloud, [s.id for s in self.servers])

    def test_a_chunk_is_read_with_two_calls_when_first_asked(self):
        first = self.servers[0]
        self.assertEqual(
            ({"port-" + first.id: list(self.cloud.ports[first.id].fixed_ips)},
             {}), self.view.take(first.id))
        second = self.servers[1]
        ports, fips = self.view.take(second.id)
        self.assertEqual(["port-" + second.id], list(ports))
        self.assertEqual({"fip-1": {
            "id": "fip-1", "address": "fip-1",
            "port_id": "port-" + second.id,
            "fixed_ip": self.cloud.ports[second.id].fixed_ips[0]}}, fips)
        self.assertEqual(1, self.cloud.count("list_ports_of"))
        self.assertEqual(1, self.cloud.count("list_floating_ips"))
        self.assertEqual(network_view.CHUNK, len(self.cloud.calls[0][1][0]))
        # The next chunk is read when one of its instances asks.
        self.view.take(self.servers[-1].id)
        self.assertEqual(2, self.cloud.count("list_ports_of"))

    def test_each_instance_is_given_once_and_only_if_known(self):
        server = self.servers[3]
        self.assertIsNotNone(self.view.take(server.id))
        self.assertIsNone(self.view.take(server.id))
        self.assertIsNone(self.view.take("unknown"))

    def test_a_failed_read_leaves_each_step_to_read_its_own(self):
        self.cloud.fail["list_ports"] = [exception.CloudUnavailable(
            service="network", call="list ports", reason="HTTP 503")]
        self.assertIsNone(self.view.take(self.servers[0].id))
        self.assertIsNone(self.view.take(self.servers[1].id))
        # Not asked again for the same chunk.
        self.assertEqual(1, self.cloud.count("list_ports_of"))
