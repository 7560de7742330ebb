"""The operator's reads of Nova's instances: a host's, every one page by
page, and the targets the planner accepts for a selection; over RPC."""

import dataclasses

from tests.unit.engine import fakes
from tests.unit.engine.test_operations import OperationsTestCase
from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import records
from vmotiond.engine.commands import reads
from vmotiond.engine.deciding import destinations


class ReadsTestCase(OperationsTestCase):

    def setUp(self):
        super().setUp()
        self.reads = reads.InstanceReads(self.mgr.operations.services)


class HostInstancesTest(ReadsTestCase):

    def test_a_host_s_instances_with_their_columns(self):
        server = dataclasses.replace(
            self.add("vm1"), flavor_name="m1.small", addresses=(
                records.Address("private", "10.0.0.5", "fixed"),
                records.Address("private", "172.16.0.9", "floating")))
        self.cloud.servers[server.id] = server
        self.add("elsewhere", host="n1")
        found = self.reads.host_instances("src")
        self.assertEqual("src", found["host"])
        [row] = found["instances"]
        self.assertEqual({
            "uuid": server.id, "name": "vm1", "project_id": "p1",
            "flavor": "m1.small", "vcpus": 1, "memory_mb": 1024,
            "disk_gb": 10, "host": "src", "availability_zone": "az1",
            "addresses": [
                {"network": "private", "address": "10.0.0.5",
                 "kind": "fixed"},
                {"network": "private", "address": "172.16.0.9",
                 "kind": "floating"}],
            "status": "ACTIVE", "task_state": None}, row)

    def test_unknown_host_is_not_found(self):
        error = self.assertRaises(exception.NotFound,
                                  self.reads.host_instances, "nowhere")
        self.assertIn("nowhere", str(error))


class InstancePagesTest(ReadsTestCase):

    def test_pages_follow_the_marker_to_the_end(self):
        servers = [self.add("vm%d" % i) for i in range(5)]
        first = self.reads.instances(2)
        self.assertEqual(["vm4", "vm3"],
                         [r["name"] for r in first["instances"]])
        second = self.reads.instances(2, first["next_marker"])
        self.assertEqual(["vm2", "vm1"],
                         [r["name"] for r in second["instances"]])
        last = self.reads.instances(2, second["next_marker"])
        self.assertEqual([servers[0].id],
                         [r["uuid"] for r in last["instances"]])
        self.assertIsNone(last["next_marker"])

    def test_bad_limit_or_marker_is_invalid_input(self):
        self.add("vm")
        for limit in (0, reads.MAX_PAGE + 1):
            self.assertRaises(exception.InvalidInput, self.reads.instances,
                              limit)
        error = self.assertRaises(exception.InvalidInput,
                                  self.reads.instances, 10, "gone")
        self.assertIn("marker gone", str(error))


class TargetsTest(ReadsTestCase):

    def test_only_hosts_the_planner_accepts_standby_first(self):
        self.cloud.add_host("other-zone", zone="az2",
                            capacity=fakes.capacity("other-zone"))
        self.cloud.add_host("full", capacity=fakes.capacity(
            "full", used_mb=65536))
        a, b = self.add("a"), self.add("b", host="n1")
        found = self.reads.targets([a.id, b.id])
        self.assertEqual([a.id, b.id], found["instances"])
        self.assertEqual(["sb1", "n2"],
                         [t["host"] for t in found["targets"]])
        self.assertEqual(constants.ROLE_STANDBY, found["targets"][0]["role"])
        self.assertEqual(65536 - 0, found["targets"][0]["memory_mb_free"])
        refused = {r["host"]: r["reason"] for r in found["refused"]}
        self.assertEqual({"src", "n1", "other-zone", "full"}, set(refused))
        self.assertIn("b: target host n1 is its source", refused["n1"])
        self.assertIn("zone az2", refused["other-zone"])
        self.assertIn("no capacity", refused["full"])
        self.assertIn("a: target host src is its source", refused["src"])

    def test_a_selection_that_fits_nowhere_together(self):
        # Each fits n2 alone; both together do not.
        self.cloud.capacities["sb1"] = fakes.capacity("sb1", memory_mb=1024)
        self.cloud.capacities["n1"] = fakes.capacity("n1", memory_mb=1024)
        self.cloud.capacities["n2"] = fakes.capacity("n2", memory_mb=3000)
        one = self.add("one", memory_mb=2048)
        two = self.add("two", memory_mb=2048)
        self.assertEqual(["n2"], [t["host"] for t in
                                  self.reads.targets([one.id])["targets"]])
        both = self.reads.targets([one.id, two.id])
        self.assertEqual([], both["targets"])

    def test_maintenance_and_unknown_instances(self):
        self.db.host_update("n2", {"maintenance": True})
        server = self.add("a")
        found = self.reads.targets([server.id])
        refused = {r["host"]: r["reason"] for r in found["refused"]}
        self.assertEqual("it is in maintenance", refused["n2"])
        self.assertRaises(exception.NotFound, self.reads.targets,
                          [server.id, "gone"])
        self.assertRaises(exception.InvalidInput, self.reads.targets, [])

    def test_the_accepted_target_is_one_a_migration_takes(self):
        server = self.add("a")
        [first, *_] = self.reads.targets([server.id])["targets"]
        note = self.api.migrate([server.id], first["host"])
        row = self.db.notification_get(note["uuid"])
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        self.assertEqual(first["host"], self.host_of(server))


    def test_server_group_refuses_a_peer_s_host(self):
        server, peer = self.add("a"), self.add("peer", host="n2")
        self.cloud.server_groups["g"] = records.ServerGroup(
            "g", "g", "anti-affinity", (server.id, peer.id))
        found = self.reads.targets([server.id])
        refused = {r["host"]: r["reason"] for r in found["refused"]}
        self.assertIn("anti-affinity", refused["n2"])
        self.assertEqual(["sb1", "n1"],
                         [t["host"] for t in found["targets"]])


class DestinationsTest(ReadsTestCase):

    def test_unusable_target_keeps_its_reason(self):
        from vmotiond.engine.deciding.records import TargetHost
        found = destinations.refusals(
            [fakes.server()], (TargetHost("h", "az1", "normal", None,
                                          "its compute service is down"),),
            self.mgr.operations.services.options)
        self.assertEqual({"h": "its compute service is down"}, found)

