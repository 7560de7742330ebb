"""The inventory's instance counts and networks (pure), and its reads."""

import itertools

import fixtures
import testtools

from tests.unit.engine import fakes
from vmotiond import exception
from vmotiond.cloud import inventory
from vmotiond.cloud import records

STATUSES = ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "ERROR", "BUILD",
            "REBUILD", "MIGRATING", "VERIFY_RESIZE", "SHELVED", "RESCUE",
            "HARD_REBOOT", "UNKNOWN")

OVS = records.NetworkAgent("a", "Open vSwitch agent", {
    "tunneling_ip": "10.1.0.1", "tunnel_types": ["vxlan"],
    "bridge_mappings": {"physnet1": "br-ex"}, "integration_bridge": "br-int"})
SRIOV = records.NetworkAgent("a", "NIC Switch agent", {
    "device_mappings": {"physnet2": ["ens5"]},
    "interface_mappings": {"physnet2": "ens5"}})
DHCP = records.NetworkAgent("a", "DHCP agent", {"networks": 2, "ports": 3})


class CloudAgents:
    """A cloud of one host whose agents read answers ``agents`` or raises
    it."""

    def __init__(self, agents):
        self.agents = agents

    def list_network_agents(self):
        if isinstance(self.agents, Exception):
            raise self.agents
        return self.agents


class TestInstanceCounts(testtools.TestCase):

    def test_every_status_counts_in_total_active_ones_as_running(self):
        for status in STATUSES:
            counts = inventory.instance_counts([fakes.server(
                status=status, host="a")])
            self.assertEqual({"a": (1, int(status == "ACTIVE"))}, counts,
                             status)

    def test_per_host_and_no_host(self):
        servers = [fakes.server(status=s, host=h) for s, h in (
            ("ACTIVE", "a"), ("SHUTOFF", "a"), ("ACTIVE", "a"),
            ("ERROR", "b"), ("ERROR", None), ("SHELVED_OFFLOADED", None),
            ("ACTIVE", ""))]
        for order in itertools.permutations(servers, len(servers)):
            self.assertEqual({"a": (3, 2), "b": (1, 0)},
                             inventory.instance_counts(order))
        self.assertEqual({}, inventory.instance_counts([]))


class TestHostNetworks(testtools.TestCase):

    def test_agents_with_networks_only_sorted_by_type(self):
        other = records.NetworkAgent("b", "Linux bridge agent", {
            "interface_mappings": {"physnet1": "eth1"}, "devices": 0})
        self.assertEqual({
            "a": [{"agent_type": "NIC Switch agent",
                   "interface_mappings": {"physnet2": "ens5"}},
                  {"agent_type": "Open vSwitch agent",
                   "tunneling_ip": "10.1.0.1",
                   "bridge_mappings": {"physnet1": "br-ex"}}],
            "b": [{"agent_type": "Linux bridge agent",
                   "interface_mappings": {"physnet1": "eth1"}}],
        }, inventory.host_networks([OVS, DHCP, other, SRIOV]))

    def test_empty_values_and_hostless_agents_say_nothing(self):
        self.assertEqual({}, inventory.host_networks([
            records.NetworkAgent("a", "Open vSwitch agent", {
                "tunneling_ip": "", "bridge_mappings": {}}),
            records.NetworkAgent("", "Open vSwitch agent", {
                "tunneling_ip": "10.1.0.9"})]))

    def test_read_networks(self):
        self.assertEqual({"a": [{"agent_type": "Open vSwitch agent",
                                 "tunneling_ip": "10.1.0.1",
                                 "bridge_mappings": {"physnet1": "br-ex"}}]},
                         inventory.read_networks(CloudAgents([OVS])))
        # No network service, no agents extension: no networks.
        for missing in (exception.CloudServiceMissing,
                        exception.CloudNotFound):
            error = missing(service="network", call="list", reason="none")
            self.assertEqual({}, inventory.read_networks(CloudAgents(error)))
        # Not now: keep what is stored, and say so.
        logger = self.useFixture(fixtures.FakeLogger())
        for error in (exception.CloudUnavailable, exception.CloudRefused):
            self.assertIsNone(inventory.read_networks(CloudAgents(error(
                service="network", call="list", reason="later"))))
        self.assertEqual(2, logger.output.count("networks not read"))


class TestInventoryItems(testtools.TestCase):

    def test_counts_and_networks_per_host(self):
        services = [fakes.service("a"), fakes.service("b")]
        items = inventory.inventory_items(
            services, [fakes.capacity("a")], {"a": (3, 2)},
            {"a": [{"agent_type": "Open vSwitch agent"}]})
        self.assertEqual(
            [("a", 3, 2, [{"agent_type": "Open vSwitch agent"}]),
             ("b", 0, 0, [])],
            [(i["name"], i["instances_total"], i["instances_running"],
              i["networks"]) for i in items])

    def test_counts_and_networks_unknown_are_not_written(self):
        [item] = inventory.inventory_items([fakes.service("a")], [])
        for key in ("networks", "instances_total", "instances_running"):
            self.assertNotIn(key, item)

    def test_sync_reads_servers_and_agents_once(self):
        class Cloud(CloudAgents):
            calls: list[str] = []

            def list_compute_services(self):
                return [fakes.service("a")]

            def list_host_capacities(self):
                return []

            def list_servers(self, host=None):
                self.calls.append(host)
                return [fakes.server(host="a"),
                        fakes.server(host="a", status="SHUTOFF")]

        written = []
        counts = inventory.sync(
            Cloud([OVS]), lambda items: written.extend(items) or {
                "created": 1, "updated": 0, "deleted": 0})
        self.assertEqual({"created": 1, "updated": 0, "deleted": 0}, counts)
        self.assertEqual([None], Cloud.calls)
        [item] = written
        self.assertEqual((2, 1, "Open vSwitch agent"),
                         (item["instances_total"], item["instances_running"],
                          item["networks"][0]["agent_type"]))


class CountingCloud(CloudAgents):
    """Services of hosts a and b; servers listed, or refused."""

    def __init__(self, fail=False):
        super().__init__([OVS])
        self.fail = fail
        self.listed = 0

    def list_compute_services(self):
        return [fakes.service("a"), fakes.service("b")]

    def list_host_capacities(self):
        return []

    def list_servers(self, host=None):
        self.listed += 1
        if self.fail:
            raise exception.CloudUnavailable(service="compute",
                                             call="list servers",
                                             reason="HTTP 503")
        return [fakes.server(host="a"), fakes.server(host="a",
                                                      status="SHUTOFF")]


class TestCountApart(testtools.TestCase):

    def _sync(self, cloud, **kwargs):
        written = []
        inventory.sync(cloud, lambda items: written.extend(items) or {
            "created": 0, "updated": 2, "deleted": 0}, **kwargs)
        return written

    def test_sync_without_counting_lists_no_server(self):
        cloud = CountingCloud()
        items = self._sync(cloud, count=False)
        self.assertEqual(0, cloud.listed)
        self.assertEqual(["a", "b"], [i["name"] for i in items])
        self.assertNotIn("instances_total", items[0])

    def test_servers_not_listed_keep_the_counts_and_sync_goes_on(self):
        with self.assertLogs("vmotiond.cloud.inventory", "WARNING") as logs:
            items = self._sync(CountingCloud(fail=True))
        self.assertEqual(["a", "b"], [i["name"] for i in items])
        self.assertNotIn("instances_total", items[0])
        self.assertIn("not counted, kept as they were", logs.output[0])

    def test_count_writes_every_host_or_nothing(self):
        written = []
        self.assertEqual(7, inventory.count(
            CountingCloud(), lambda counts: written.append(counts) or 7))
        self.assertEqual([{"a": (2, 1)}], written)
        self.assertIsNone(inventory.count(
            CountingCloud(fail=True), written.append))
        self.assertEqual(1, len(written))
