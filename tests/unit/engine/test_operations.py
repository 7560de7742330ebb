"""The operator's workflows end to end on the fake cloud: drain, custom
migration, reset, move-back, and Nova's refusals."""

from tests.unit.engine import base
from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import records
from vmotiond.engine.running import policy


class OperationsTestCase(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.add_hosts(standby=("sb1",), normal=("n1", "n2"), failed="src")
        self.mgr = self.make_manager()
        self.api = self.mgr.operations.operator

    def add(self, name, status="ACTIVE", host="src", **kw):
        server = fakes.server(name=name, status=status, host=host, **kw)
        self.cloud.add_server(server, fip="fip-" + name)
        return server

    def host_of(self, server):
        return self.cloud.servers[server.id].host

    def ended(self, note):
        return self.db.notification_get(note["uuid"])

    def fail_recovery(self):
        """A recovery of ``src`` whose one evacuation Nova refuses."""
        self.add("a")
        self.cloud.fail["evacuate_server"] = [exception.CloudRefused(
            service="compute", call="evacuate", reason="No valid host")]
        uuid = self.notify(host="src")
        self.assertEqual(constants.NOTIFICATION_FAILED,
                         self.mgr.recovery.run(uuid))
        return uuid


class RunnersTest(OperationsTestCase):

    def test_recovery_and_operator_runners_share_slots_not_policy(self):
        recovery = self.mgr.recovery.s.batch.runner
        operator = self.mgr.operations.services.batch.runner
        self.assertIs(policy.RECOVERY, recovery.policy)
        self.assertIs(policy.OPERATOR, operator.policy)
        self.assertIs(recovery.slots, operator.slots)
        self.assertIs(type(recovery), type(operator))


class DrainTest(OperationsTestCase):

    def test_drain_empties_host_standby_first(self):
        running = self.add("running")
        stopped = self.add("stopped", "SHUTOFF")
        note = self.api.drain("src")
        row = self.ended(note)
        self.assertEqual(constants.HOST_DRAIN, row.type)
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        self.assertEqual([], self.cloud.list_servers("src"))
        moves = self.vmoves(row.uuid)
        self.assertEqual(constants.LIVE_MIGRATION, moves["running"].type)
        self.assertEqual(constants.MIGRATION, moves["stopped"].type)
        # Standby first: sb1 has room for both.
        self.assertEqual("sb1", self.host_of(running))
        self.assertEqual("sb1", self.host_of(stopped))
        self.assertEqual("ACTIVE", self.cloud.servers[running.id].status)
        self.assertEqual("SHUTOFF", self.cloud.servers[stopped.id].status)
        self.assertEqual(
            ["record_floating_ips", "migrate", "wait_moved",
             "confirm_resize", "check_floating_ips"],
            [s for s, _ in self.steps(moves["stopped"].uuid)])
        self.assertEqual(
            ["record_floating_ips", "migrate", "wait_moved",
             "confirm_resize", "check_floating_ips"],
            moves["stopped"].plan["steps"])
        # The message tells the state after the confirm, not before it.
        self.assertEqual("on host sb1; status SHUTOFF",
                         moves["stopped"].message)
        self.assertEqual(
            ["record_floating_ips", "live_migrate", "wait_moved",
             "check_floating_ips"],
            [s for s, _ in self.steps(moves["running"].uuid)])
        self.assertEqual(
            ["record_floating_ips", "live_migrate", "wait_moved",
             "check_floating_ips"],
            moves["running"].plan["steps"])
        # The drained host is kept out of scheduling, the standby opened.
        svc = self.cloud.services["src"]
        self.assertEqual("disabled", svc.status)
        self.assertTrue(svc.disabled_reason.startswith("vmotiond"))
        self.assertEqual("enabled", self.cloud.services["sb1"].status)
        self.assertEqual(constants.ROLE_NORMAL, self.db.host_get("sb1").role)

    def test_drain_respects_anti_affinity(self):
        a, b = self.add("a"), self.add("b")
        peer = self.add("peer", host="sb1")
        self.cloud.server_groups["g"] = records.ServerGroup(
            "g", "g", "anti-affinity", (a.id, b.id, peer.id))
        row = self.ended(self.api.drain("src"))
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        self.assertEqual({"n1", "n2"}, {self.host_of(a), self.host_of(b)})

    def test_drain_spills_to_normal_hosts_by_free_ram(self):
        self.cloud.capacities["sb1"] = fakes.capacity("sb1", memory_mb=2048)
        self.cloud.capacities["n2"] = fakes.capacity("n2", used_mb=30000)
        servers = [self.add("vm%d" % i) for i in range(3)]
        row = self.ended(self.api.drain("src"))
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status)
        hosts = sorted(self.host_of(s) for s in servers)
        self.assertEqual(["n1", "sb1", "sb1"], hosts)

    def test_rescued_instance_ignored_not_tried(self):
        self.add("rescued", "RESCUE")
        row = self.ended(self.api.drain("src"))
        move = self.vmoves(row.uuid)["rescued"]
        self.assertEqual(constants.IGNORED, move.status)
        self.assertIn("RESCUE", move.message)
        self.assertEqual(0, self.cloud.count("live_migrate_server"))
        self.assertEqual(0, self.cloud.count("migrate_server"))
        # Forced live: Nova's refusal of a rescued instance, said before.
        server = next(iter(self.cloud.servers.values()))
        row = self.ended(self.api.migrate([server.id], "n1", "live"))
        move = self.vmoves(row.uuid)["rescued"]
        self.assertEqual(constants.IGNORED, move.status)
        self.assertIn("Nova refuses to live-migrate a rescued", move.message)
        self.assertEqual(0, self.cloud.count("live_migrate_server"))

    def test_nova_refusal_ignored_with_reason_not_retried(self):
        server = self.add("a")
        self.cloud.fail["live_migrate_server"] = [exception.CloudConflict(
            service="compute", call="os-migrateLive",
            reason="Cannot 'os-migrateLive' instance while it is in "
                   "vm_state rescued", status=409)]
        row = self.ended(self.api.drain("src"))
        move = self.vmoves(row.uuid)["a"]
        self.assertEqual(constants.IGNORED, move.status)
        self.assertIn("Nova refused the live migration", move.message)
        self.assertIn("vm_state rescued", move.message)
        self.assertEqual(1, self.cloud.count("live_migrate_server"))
        self.assertEqual("src", self.host_of(server))
        self.assertIn(("live_migrate", "failed"), self.steps(move.uuid))
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status)

    def test_unreachable_cloud_is_retried(self):
        self.add("a")
        self.cloud.fail["live_migrate_server"] = [
            exception.CloudUnavailable(service="compute", call="x",
                                       reason="503")]
        row = self.ended(self.api.drain("src"))
        self.assertEqual(constants.SUCCEEDED,
                         self.vmoves(row.uuid)["a"].status)
        self.assertEqual(2, self.cloud.count("live_migrate_server"))

    def test_drain_refused_when_source_down_or_busy(self):
        self.cloud.force_down_service("svc-src", "src", True)
        self.assertRaises(exception.Conflict, self.api.drain, "src")
        self.cloud.force_down_service("svc-src", "src", False)
        self.notify(host="src")
        error = self.assertRaises(exception.Conflict, self.api.drain, "src")
        self.assertIn("COMPUTE_HOST", str(error))
        self.assertRaises(exception.NotFound, self.api.drain, "nowhere")
        self.assertEqual([], self.db.notification_list(
            type=constants.HOST_DRAIN))


class CustomMigrationTest(OperationsTestCase):

    def test_batch_lands_where_asked(self):
        servers = [self.add("a"), self.add("b", "SHUTOFF", host="n1")]
        row = self.ended(self.api.migrate([s.id for s in servers], "n2"))
        self.assertEqual(constants.CUSTOM_MIGRATION, row.type)
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        self.assertEqual(["n2", "n2"], [self.host_of(s) for s in servers])
        moves = self.vmoves(row.uuid)
        self.assertEqual(constants.LIVE_MIGRATION, moves["a"].type)
        self.assertEqual(constants.MIGRATION, moves["b"].type)

    def test_forced_mode_and_nova_chooses(self):
        server = self.add("a")
        row = self.ended(self.api.migrate([server.id], "*", "cold"))
        move = self.vmoves(row.uuid)["a"]
        self.assertEqual(constants.MIGRATION, move.type)
        self.assertEqual(constants.SUCCEEDED, move.status)
        self.assertIn(("migrate_server", (server.id, None)),
                      self.cloud.calls)
        self.assertEqual("ACTIVE", self.cloud.servers[server.id].status)

    def test_planner_chooses_without_destination(self):
        server = self.add("a")
        self.ended(self.api.migrate([server.id], None))
        self.assertEqual("sb1", self.host_of(server))

    def test_instance_that_does_not_fit_is_ignored(self):
        big = self.add("big", memory_mb=10 ** 6)
        small = self.add("small")
        row = self.ended(self.api.migrate([big.id, small.id], "n1"))
        moves = self.vmoves(row.uuid)
        self.assertEqual(constants.IGNORED, moves["big"].status)
        self.assertIn("no capacity", moves["big"].message)
        self.assertEqual("n1", self.host_of(small))
        self.assertEqual(constants.NOTIFICATION_FAILED, row.status)

    def test_validation_before_acting(self):
        server = self.add("a")
        self.assertRaises(exception.InvalidInput, self.api.migrate,
                          [server.id], "nowhere")
        self.assertRaises(exception.NotFound, self.api.migrate,
                          ["missing"], "n1")
        self.assertRaises(exception.InvalidInput, self.api.migrate, [],
                          "n1")
        self.assertRaises(exception.InvalidInput, self.api.migrate,
                          [server.id], "n1", "teleport")
        self.cloud.disable_service("svc-n2", "n2", "ops: broken disk")
        error = self.assertRaises(exception.Conflict, self.api.migrate,
                                  [server.id], "n2")
        self.assertIn("broken disk", str(error))
        self.cloud.force_down_service("svc-n1", "n1", True)
        self.assertRaises(exception.Conflict, self.api.migrate,
                          [server.id], "n1")
        self.assertEqual([], self.db.notification_list())
        self.assertEqual(0, self.cloud.count("live_migrate_server"))

    def test_standby_target_accepted_and_opened(self):
        server = self.add("a")
        self.ended(self.api.migrate([server.id], "sb1"))
        self.assertEqual("sb1", self.host_of(server))
        self.assertEqual("enabled", self.cloud.services["sb1"].status)


    def test_server_group_policy_holds(self):
        # peer stays on sb1 and a moves: a may not join it there, nor b
        # (moving with it) land on a's host.
        a, b = self.add("a"), self.add("b", host="n1")
        peer = self.add("peer", host="sb1")
        self.cloud.server_groups["g"] = records.ServerGroup(
            "g", "g", "anti-affinity", (a.id, b.id, peer.id))
        row = self.ended(self.api.migrate([a.id], "sb1"))
        move = self.vmoves(row.uuid)["a"]
        self.assertEqual(constants.IGNORED, move.status)
        self.assertIn("anti-affinity", move.message)
        self.assertEqual("src", self.host_of(a))
        row = self.ended(self.api.migrate([a.id, b.id], None))
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        hosts = {self.host_of(s) for s in (a, b, peer)}
        self.assertEqual(3, len(hosts))


class ResetStateTest(OperationsTestCase):

    def test_reset_batch_recorded(self):
        a = self.add("a", "ERROR")
        b = self.add("b", "ACTIVE")
        row = self.ended(self.api.reset_state([a.id, b.id], "active"))
        self.assertEqual(constants.RESET_STATE, row.type)
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status)
        moves = self.vmoves(row.uuid)
        self.assertEqual(constants.STATE_RESET, moves["a"].type)
        self.assertEqual(constants.SUCCEEDED, moves["a"].status)
        self.assertEqual("active", self.cloud.servers[a.id].vm_state)
        self.assertEqual([("reset_state:active", "succeeded")],
                         self.steps(moves["a"].uuid))
        self.assertEqual((["reset_state:active"], "ACTIVE"), (
            moves["a"].plan["steps"], moves["a"].plan["final_status"]))
        # Already active: recorded, skipped.
        self.assertEqual(1, self.cloud.count("reset_server_state"))
        steps = self.db.step_list(moves["b"].uuid)
        self.assertIn("skipped", steps[-1].result)

    def test_reset_to_error_and_validation(self):
        a = self.add("a")
        self.assertRaises(exception.InvalidInput, self.api.reset_state,
                          [a.id], "paused")
        self.ended(self.api.reset_state([a.id], "error"))
        self.assertEqual("error", self.cloud.servers[a.id].vm_state)

    def test_deleted_meanwhile_is_ignored(self):
        a = self.add("a", "ERROR")
        self.cloud.fail["reset_server_state"] = [exception.CloudNotFound(
            service="compute", call="os-resetState", reason="gone")]
        row = self.ended(self.api.reset_state([a.id], "active"))
        move = self.vmoves(row.uuid)["a"]
        self.assertEqual(constants.IGNORED, move.status)
        self.assertIn("Nova refused the state reset", move.message)
