import dataclasses
import logging
import os

import fixtures

from tests.unit.engine import base
from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import records
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.running import vmove_store
from vmotiond.engine.workflows import recovery


class RecoveryTest(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.add_hosts()

    def add(self, name, status="ACTIVE", **kw):
        server = fakes.server(name=name, status=status, host="failed", **kw)
        self.cloud.add_server(server, fip="fip-" + name)
        return server

    def test_mixed_states_end_to_end(self):
        for status in ("ACTIVE", "SHUTOFF", "PAUSED", "SHELVED", "ERROR"):
            self.add(status.lower(), status)
        uuid = self.notify()
        status = self.make_manager().recovery.run(uuid)
        self.assertEqual(constants.NOTIFICATION_FINISHED, status)
        note = self.db.notification_get(uuid)
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status)
        self.assertEqual("3 succeeded, 0 failed, 2 ignored", note.message)
        moves = self.vmoves(uuid)
        # The fencing time is recorded, before the first move starts.
        self.assertIsNotNone(note.fenced_at)
        self.assertLessEqual(note.fenced_at, min(
            m.start_time for m in moves.values() if m.start_time))
        for name in ("active", "shutoff", "paused"):
            self.assertEqual(constants.SUCCEEDED, moves[name].status, name)
            self.assertEqual("sb1", moves[name].dest_host)
            self.assertEqual(constants.EVACUATION, moves[name].type)
            self.assertIsNotNone(moves[name].end_time)
            self.assertEqual(1, moves[name].attempts)
        self.assertEqual(constants.IGNORED, moves["shelved"].status)
        self.assertIn("evacuate_error_instances",
                      moves["error"].message)
        servers = {s.name: s for s in self.cloud.servers.values()}
        self.assertEqual("ACTIVE", servers["active"].status)
        self.assertEqual("SHUTOFF", servers["shutoff"].status)
        self.assertEqual("PAUSED", servers["paused"].status)
        self.assertEqual(
            [("record_floating_ips", "succeeded"),
             ("evacuate", "succeeded"), ("wait_moved", "succeeded"),
             ("start", "succeeded"), ("rebind_floating_ips", "succeeded"),
             ("check_floating_ips", "succeeded")],
            self.steps(moves["active"].uuid))
        # The plan is the vmove's column: the steps it ran, in order.
        plan = vmove_store.plan_of(moves["active"])
        self.assertEqual(("record_floating_ips", "evacuate", "wait_moved",
                          "start", "rebind_floating_ips",
                          "check_floating_ips"), plan.steps)
        self.assertEqual(("ACTIVE", "ACTIVE"),
                         (plan.final_status, plan.original_status))
        self.assertEqual(
            [0, 1, 2], sorted(vmove_store.plan_of(moves[name]).order
                              for name in ("active", "shutoff", "paused")))
        self.assertIsNone(moves["shelved"].plan)
        # The local-disk note of the plan ends the message.
        self.assertEqual("on host sb1; status ACTIVE; its disk was local to "
                         "failed (booted from an image, host not in [engine] "
                         "shared_instance_storage): an evacuation rebuilds "
                         "it from its image and its local data is lost; "
                         "[engine] local_disk_policy is evacuate",
                         moves["active"].message)
        # Every vmove, ignored ones too, names its instance's project (the
        # API's project readers see it by that).
        self.assertEqual(
            5, len(self.db.vmove_list(rows=True, project_id="p1")))
        # Fenced first: force-down before disable, before any evacuation.
        names = [c[0] for c in self.cloud.calls
                 if c[0] in ("force_down_service", "disable_service",
                             "evacuate_server")]
        self.assertEqual(["force_down_service", "disable_service"],
                         names[:2])
        self.assertEqual(3, self.cloud.count("evacuate_server"))

    def test_every_vmove_is_its_instances_projects(self):
        self.add("moving")
        self.add("shelved", "SHELVED")
        self.add("opted-out", metadata={"vmotion:evacuate": "false"})
        other = dataclasses.replace(fakes.server(name="other", host="failed"),
                                    project_id="p2")
        self.cloud.add_server(other, fip="fip-other")
        uuid = self.notify()
        self.make_manager().recovery.run(uuid)
        self.assertEqual(
            {"moving": constants.SUCCEEDED, "shelved": constants.IGNORED,
             "opted-out": constants.IGNORED},
            {r["instance_name"]: r["status"]
             for r in self.db.vmove_list(rows=True, project_id="p1")})
        self.assertEqual(["other"], [
            r["instance_name"]
            for r in self.db.vmove_list(rows=True, project_id="p2")])

    def test_vmoves_written_before_first_nova_call(self):
        self.add("a")
        self.add("b")
        uuid = self.notify()
        seen = []
        real = self.cloud.evacuate_server

        def evacuate(server_id, host=None, microversion="2.94"):
            seen.append({v.instance_name: v.plan["steps"]
                         for v in self.db.vmove_list(notification_uuid=uuid)})
            return real(server_id, host, microversion)

        self.cloud.evacuate_server = evacuate
        self.make_manager().recovery.run(uuid)
        # Both vmoves and both plans, before the first evacuation.
        self.assertEqual({"a", "b"}, set(seen[0]))
        self.assertEqual(2 * ["evacuate"], [
            steps[1] for steps in seen[0].values()])
        # No step is written that the runner did not run.
        self.assertNotIn("plan", [
            s.name for v in self.vmoves(uuid).values()
            for s in self.db.step_list(v.uuid)])

    def test_no_capacity_ends_failed(self):
        self.cloud.capacities["sb1"] = fakes.capacity("sb1", memory_mb=1024)
        self.cloud.capacities["n1"] = fakes.capacity("n1", memory_mb=1024)
        for i in range(3):
            self.add("vm%d" % i)
        uuid = self.notify()
        status = self.make_manager().recovery.run(uuid)
        self.assertEqual(constants.NOTIFICATION_FAILED, status)
        note = self.db.notification_get(uuid)
        self.assertIn("1 instance(s) found no capacity", note.message)
        ignored = [v for v in self.vmoves(uuid).values()
                   if v.status == constants.IGNORED]
        self.assertEqual(1, len(ignored))
        self.assertIn("no capacity", ignored[0].message)
        self.assertEqual(((), "no_capacity"), (
            vmove_store.plan_of(ignored[0]).steps,
            vmove_store.plan_of(ignored[0]).ignored_reason))
        self.assertEqual([], self.db.step_list(ignored[0].uuid))

    def test_step_failure_fails_vmove_and_notification(self):
        self.add("a")
        self.cloud.fail["evacuate_server"] = [exception.CloudRefused(
            service="compute", call="evacuate", reason="No valid host")]
        uuid = self.notify()
        status = self.make_manager().recovery.run(uuid)
        self.assertEqual(constants.NOTIFICATION_FAILED, status)
        move = self.vmoves(uuid)["a"]
        self.assertEqual(constants.FAILED, move.status)
        self.assertIn("step evacuate failed", move.message)
        self.assertIn("No valid host", move.message)
        self.assertIsNotNone(move.end_time)

    def test_retry_with_backoff_counts_attempts(self):
        self.add("a")
        unavailable = exception.CloudUnavailable(
            service="compute", call="evacuate", reason="503")
        self.cloud.fail["evacuate_server"] = [unavailable, unavailable]
        uuid = self.notify()
        before = self.clock.monotonic()
        status = self.make_manager().recovery.run(uuid)
        self.assertEqual(constants.NOTIFICATION_FINISHED, status)
        steps = [s for s in self.db.step_list(self.vmoves(uuid)["a"].uuid)
                 if s.name == "evacuate"]
        self.assertEqual([1, 2, 3], [s.attempt for s in steps])
        self.assertEqual(["failed", "failed", "succeeded"],
                         [s.status for s in steps])
        self.assertIn("retrying in 1.0 s", steps[0].result)
        self.assertIn("retrying in 2.0 s", steps[1].result)
        self.assertGreaterEqual(self.clock.monotonic() - before, 3.0)

    def test_retries_are_bounded(self):
        self.add("a")
        self.conf.set_override("step_retries", 1, "engine")
        self.cloud.fail["evacuate_server"] = [exception.CloudConflict(
            service="compute", call="evacuate", reason="busy")] * 5
        uuid = self.notify()
        self.make_manager().recovery.run(uuid)
        move = self.vmoves(uuid)["a"]
        self.assertEqual(constants.FAILED, move.status)
        self.assertIn("after 2 attempts", move.message)

    def test_auto_evacuate_off_ignores(self):
        self.add("a")
        self.db.host_update("failed", {"auto_evacuate": False})
        uuid = self.notify()
        status = self.make_manager().recovery.run(uuid)
        self.assertEqual(constants.NOTIFICATION_IGNORED, status)
        self.assertEqual([], self.cloud.calls)

    def test_disabled_standby_host_is_still_the_first_target(self):
        # vmotiond keeps sb1's service disabled; the monitor gives
        # "disabled" only to a service an operator disabled, so it has sb1
        # up, and eligibility's standby case lets sb1 receive first.
        service = self.cloud.services["sb1"]
        self.assertEqual("disabled", service.status)
        self.assertTrue(service.disabled_reason.startswith(
            constants.FENCE_REASON_PREFIX))
        self.assertEqual(constants.HOST_UP,
                         self.db.host_get("sb1").monitor_state)
        self.add("a")
        uuid = self.notify()
        self.make_manager().recovery.run(uuid)
        self.assertEqual("sb1", self.vmoves(uuid)["a"].dest_host)

    def test_standby_host_the_monitor_has_disabled_receives_nothing(self):
        # As in a drain and a custom migration: the monitor's "disabled"
        # rules a host out whatever its role (a vmotiond reason here: the
        # monitor has not polled since the operator's disable was undone).
        self.db.host_update("sb1", {"monitor_state": constants.HOST_DISABLED})
        self.add("a")
        plan = recovery.plan_host(self.db, self.cloud,
                                  PlanOptions.from_conf(self.conf), "failed")
        self.assertEqual(["n1"], [m.dest_host for m in plan.moves])
        uuid = self.notify()
        self.make_manager().recovery.run(uuid)
        self.assertEqual("n1", self.vmoves(uuid)["a"].dest_host)

    def test_hosts_in_maintenance_or_disabled_receive_nothing(self):
        self.db.host_update("sb1", {"maintenance": True})
        self.db.host_update("n1", {"monitor_state": constants.HOST_DISABLED})
        self.add("a")
        uuid = self.notify()
        self.make_manager().recovery.run(uuid)
        move = self.vmoves(uuid)["a"]
        self.assertEqual(constants.IGNORED, move.status)
        self.assertIsNone(move.dest_host)

    def test_anti_affinity_groups_are_respected(self):
        # sb1 holds a member of the group already: a and b, its other
        # members on the failed host, must go elsewhere, and not together.
        self.add_hosts(standby=("sb1",), normal=("n1", "n2"))
        a, b = self.add("a"), self.add("b")
        peer = fakes.server(name="peer", host="sb1")
        self.cloud.add_server(peer)
        self.cloud.server_groups["g"] = records.ServerGroup(
            "g", "g", "anti-affinity", (a.id, b.id, peer.id))
        uuid = self.notify()
        self.make_manager().recovery.run(uuid)
        moves = self.vmoves(uuid)
        self.assertEqual({"n1", "n2"},
                         {moves["a"].dest_host, moves["b"].dest_host})

    def test_maintenance_ignores(self):
        self.add("a")
        self.db.host_update("failed", {"maintenance": True})
        uuid = self.notify()
        status = self.make_manager().recovery.run(uuid)
        self.assertEqual(constants.NOTIFICATION_IGNORED, status)
        self.assertIn("maintenance", self.db.notification_get(uuid).message)
        self.assertEqual([], self.cloud.calls)

    def test_power_fencing_gets_the_hosts_address(self):
        self.add("a")
        marker = os.path.join(self.useFixture(fixtures.TempDir()).path, "f")
        self.conf.set_override("fence_driver", "command", "engine")
        self.conf.set_override(
            "fence_command", "sh -c 'echo %(host)s %(address)s >> " + marker
            + "'", "engine")
        self.db.host_update("failed", {"management_ip": "127.0.0.9"})
        self.make_manager().recovery.run(self.notify())
        self.conf.set_override("ipmi_addresses", {"failed": "127.0.0.10"},
                               "engine")
        self.make_manager().recovery.run(self.notify(generation=2))
        with open(marker) as f:
            self.assertEqual(["failed 127.0.0.9", "failed 127.0.0.10"],
                             f.read().split("\n")[:2])

    def _command_fencing(self):
        marker = os.path.join(self.useFixture(fixtures.TempDir()).path, "f")
        self.conf.set_override("fence_driver", "command", "engine")
        self.conf.set_override(
            "fence_command", "sh -c 'echo %(host)s %(address)s >> " + marker
            + "'", "engine")
        return marker

    def run_blocked(self, uuid):
        """Run a recovery whose power fencing fails, up to its wait for
        the operator's confirmation (the engine then stops)."""
        mgr = self.make_manager()
        real = self.clock.wait

        def wait(event, seconds):
            mgr.stop_event.set()
            return real(event, seconds)

        self.clock.wait = wait
        self.addCleanup(setattr, self.clock, "wait", real)
        self.assertIsNone(mgr.recovery.run(uuid))
        self.assertEqual(constants.NOTIFICATION_RUNNING,
                         self.db.notification_get(uuid).status)

    def test_power_fencing_refuses_a_shared_management_ip(self):
        # Issue 15: a management IP several hosts report could power off
        # another machine; nothing is powered off and nothing moves.
        self.add("a")
        marker = self._command_fencing()
        for host in ("failed", "sb1", "n1"):
            self.db.host_update(host, {"management_ip": "10.0.0.9"})
        uuid = self.notify()
        self.run_blocked(uuid)
        message = self.db.notification_get(uuid).message
        self.assertIn("confirm-fenced failed", message)
        self.assertIn("management IP 10.0.0.9 is shared by 3 hosts "
                      "(failed, n1, sb1)", message)
        self.assertIn("[engine] ipmi_addresses", message)
        self.assertFalse(os.path.exists(marker))
        self.assertEqual([], self.cloud.calls)
        self.assertEqual([], self.db.vmove_list(notification_uuid=uuid))

    def test_power_fencing_refuses_an_address_of_no_host(self):
        self.add("a")
        self.conf.set_override("fence_driver", "ipmi", "engine")
        self.db.host_update("failed", {"management_ip": "127.0.0.1"})
        uuid = self.notify()
        self.run_blocked(uuid)
        self.assertIn("no BMC address: the management IP 127.0.0.1 is the "
                      "loopback address",
                      self.db.notification_get(uuid).message)
        self.assertEqual([], self.cloud.calls)

    def test_configured_bmc_address_used_when_management_ip_shared(self):
        self.add("a")
        marker = self._command_fencing()
        for host in ("failed", "n1"):
            self.db.host_update(host, {"management_ip": "10.0.0.9"})
        self.conf.set_override("ipmi_addresses", {"failed": "10.9.0.1"},
                               "engine")
        uuid = self.notify()
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.make_manager().recovery.run(uuid))
        with open(marker) as f:
            self.assertEqual("failed 10.9.0.1", f.read().strip())

    def test_shared_management_ip_is_no_matter_without_power_fencing(self):
        self.add("a")
        for host in ("failed", "n1"):
            self.db.host_update(host, {"management_ip": "10.0.0.9"})
        uuid = self.notify()
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.make_manager().recovery.run(uuid))

    def test_fencing_failure_stops_recovery(self):
        self.add("a")
        self.conf.set_override("fence_driver", "command", "engine")
        self.conf.set_override("fence_command", "false", "engine")
        uuid = self.notify()
        self.run_blocked(uuid)
        self.assertIn("attempt 3/3 failed: false exited 1",
                      self.db.notification_get(uuid).message)
        self.assertEqual(0, self.cloud.count("evacuate_server"))
        self.assertEqual([], self.db.vmove_list(notification_uuid=uuid))
        self.assertIsNone(self.db.notification_get(uuid).fenced_at)

    def test_locked_host_left_alone(self):
        self.add("a")
        uuid = self.notify()
        lock = self.locks.get("vmotiond-recover-failed")
        lock.acquire()
        self.assertIsNone(self.make_manager().recovery.run(uuid))
        self.assertEqual(constants.NOTIFICATION_NEW,
                         self.db.notification_get(uuid).status)
        lock.release()

    def test_finished_notification_not_rerun(self):
        self.add("a")
        uuid = self.notify()
        mgr = self.make_manager()
        mgr.recovery.run(uuid)
        mgr.recovery.run(uuid)
        self.assertEqual(1, self.cloud.count("evacuate_server"))

    def test_abort_ignores_the_rest(self):
        for i in range(4):
            self.add("vm%d" % i)
        uuid = self.notify()
        mgr = self.make_manager()
        real = self.cloud.evacuate_server

        def evacuate(*args, **kw):
            self.db.notification_set_status(
                uuid, constants.NOTIFICATION_ABORTED)
            return real(*args, **kw)

        self.cloud.evacuate_server = evacuate
        status = mgr.recovery.run(uuid)
        self.assertEqual(constants.NOTIFICATION_ABORTED, status)
        moves = self.vmoves(uuid)
        self.assertEqual(1, sum(v.status == constants.SUCCEEDED
                                for v in moves.values()))
        aborted = [v for v in moves.values()
                   if v.status == constants.IGNORED]
        self.assertEqual(3, len(aborted))
        self.assertTrue(all(v.message == "aborted by operator"
                            for v in aborted))

    def test_priority_tiers_dispatched_in_order(self):
        self.add("low")
        self.add("high", metadata={"vmotion:priority": "9"})
        self.add("mid", metadata={"vmotion:priority": "5"})
        self.make_manager().recovery.run(self.notify())
        order = [self.cloud.servers[c[1][0]].name for c in self.cloud.calls
                 if c[0] == "evacuate_server"]
        self.assertEqual(["high", "mid", "low"], order)

    def test_failure_in_a_tier_stops_no_other_vmove(self):
        # The failing instance is alone in the first tier: its failure
        # ends its tier, and the next tier moves.
        self.add("first", metadata={"vmotion:priority": "9"})
        self.add("a")
        self.add("b")
        self.cloud.fail["evacuate_server"] = [exception.CloudRefused(
            service="compute", call="evacuate", reason="No valid host")]
        uuid = self.notify()
        status = self.make_manager().recovery.run(uuid)
        moves = self.vmoves(uuid)
        self.assertEqual(constants.FAILED, moves["first"].status)
        for name in ("a", "b"):
            self.assertEqual(constants.SUCCEEDED, moves[name].status,
                             moves[name].message)
            self.assertLessEqual(moves["first"].end_time,
                                 moves[name].start_time)
        self.assertEqual(constants.NOTIFICATION_FAILED, status)
        self.assertEqual("2 succeeded, 1 failed, 0 ignored",
                         self.db.notification_get(uuid).message)

    def test_dest_host_follows_nova(self):
        self.add("a")
        real = self.cloud._move

        def move(kind, server_id, host, status):
            return real(kind, server_id, "n1", status)

        self.cloud._move = move
        uuid = self.notify()
        self.make_manager().recovery.run(uuid)
        self.assertEqual("n1", self.vmoves(uuid)["a"].dest_host)

    def test_monitor_excluded_hosts_not_targets(self):
        self.add("a")
        self.db.host_update("sb1", {"monitor_state": constants.HOST_DOWN})
        uuid = self.notify()
        self.make_manager().recovery.run(uuid)
        self.assertEqual("n1", self.vmoves(uuid)["a"].dest_host)


class ResumeTest(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.add_hosts()
        for i in range(3):
            self.cloud.add_server(fakes.server(name="vm%d" % i,
                                               host="failed"))

    def crash_after_evacuate_calls(self, count):
        """Run until ``count`` evacuate calls were made, then 'crash'."""
        uuid = self.notify()
        mgr = self.make_manager()
        real = self.cloud.evacuate_server
        calls = []

        def evacuate(*args, **kw):
            real(*args, **kw)
            calls.append(args)
            if len(calls) >= count:
                mgr.stop_event.set()
                raise _Crash()

        self.cloud.evacuate_server = evacuate
        self.assertRaises(_Crash, mgr.recovery.run, uuid)
        self.cloud.evacuate_server = real
        return uuid

    def test_resume_never_evacuates_twice(self):
        uuid = self.crash_after_evacuate_calls(2)
        self.assertEqual(constants.NOTIFICATION_RUNNING,
                         self.db.notification_get(uuid).status)
        # The interrupted vmove was left ongoing with its step ongoing.
        ongoing = [v for v in self.vmoves(uuid).values()
                   if v.status == constants.ONGOING]
        self.assertEqual(1, len(ongoing))
        fenced_at = self.db.notification_get(uuid).fenced_at
        self.assertIsNotNone(fenced_at)
        self.clock.advance(60)
        mgr = self.make_manager()
        self.assertEqual([uuid], mgr.resume())
        # Fenced again on resume; the first fencing time is kept.
        self.assertEqual(fenced_at, self.db.notification_get(uuid).fenced_at)
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.db.notification_get(uuid).status)
        for server in self.cloud.servers.values():
            self.assertEqual(1, self.cloud.count("evacuate_server",
                                                 server.id), server.name)
        moves = self.vmoves(uuid)
        self.assertTrue(all(v.status == constants.SUCCEEDED
                            for v in moves.values()))
        resumed = ongoing[0].uuid
        evac = [s for s in self.db.step_list(resumed)
                if s.name == "evacuate"]
        self.assertIn("already", evac[-1].result)
        self.assertEqual(2, moves[ongoing[0].instance_name].attempts)

    def test_resume_after_graceful_stop(self):
        uuid = self.notify()
        mgr = self.make_manager()
        real = self.cloud.evacuate_server

        def evacuate(*args, **kw):
            real(*args, **kw)
            mgr.stop_event.set()

        self.cloud.evacuate_server = evacuate
        self.assertIsNone(mgr.recovery.run(uuid))
        self.cloud.evacuate_server = real
        steps = self.db.step_list(
            [v for v in self.vmoves(uuid).values()
             if v.status == constants.ONGOING][0].uuid)
        self.assertIn("interrupted", steps[-1].result)
        self.make_manager().resume()
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.db.notification_get(uuid).status)
        self.assertEqual(3, self.cloud.count("evacuate_server"))

    def test_resume_without_stored_plan_fails_the_vmove(self):
        # Only a database upgraded to schema 0005 mid-recovery has such a
        # vmove: it is not planned again, the operator moves it.
        uuid = self.notify()
        self.db.notification_set_status(uuid, constants.NOTIFICATION_RUNNING)
        server = list(self.cloud.servers.values())[0]
        self.db.vmoves_create(uuid, [{
            "instance_uuid": server.id, "instance_name": server.name,
            "source_host": "failed", "dest_host": "sb1",
            "type": constants.EVACUATION}])
        self.make_manager().resume()
        move = self.vmoves(uuid)[server.name]
        self.assertEqual(constants.FAILED, move.status)
        self.assertIsNotNone(move.end_time)
        self.assertIn("no stored plan", move.message)
        self.assertIn("before schema migration 0005", move.message)
        self.assertIn("vmotiond-manage instance migrate %s" % server.id,
                      move.message)
        self.assertEqual([], self.db.step_list(move.uuid))
        self.assertEqual(0, self.cloud.count("evacuate_server"))
        self.assertEqual(constants.NOTIFICATION_FAILED,
                         self.db.notification_get(uuid).status)

    def test_stopped_once_written_resumes_the_stored_plans(self):
        uuid = self.notify()
        mgr = self.make_manager()
        real = vmove_store.write_plan

        def write_plan(*args, **kw):
            # The engine stops once the vmoves are written, before any
            # moves: on resume, each runs the plan stored with it.
            specs = real(*args, **kw)
            mgr.stop_event.set()
            return specs

        self.useFixture(fixtures.MockPatchObject(
            vmove_store, "write_plan", write_plan))
        self.assertIsNone(mgr.recovery.run(uuid))
        self.assertEqual({(constants.PENDING, ())}, {
            (v.status, tuple(self.steps(v.uuid)))
            for v in self.vmoves(uuid).values()})
        plans = {v.uuid: v.plan["steps"] for v in self.vmoves(uuid).values()}
        self.make_manager().resume()
        self.assertEqual(3 * [constants.SUCCEEDED], [
            r["status"]
            for r in self.db.vmove_list(rows=True, project_id="p1")])
        self.assertEqual(plans, {
            v.uuid: [name for name, _ in self.steps(v.uuid)]
            for v in self.vmoves(uuid).values()})

    def test_resume_moved_by_someone_else(self):
        uuid = self.crash_after_evacuate_calls(1)
        for sid, server in list(self.cloud.servers.items()):
            self.cloud.servers[sid] = dataclasses.replace(
                server, host="n1", status="ACTIVE", task_state=None)
        self.cloud.landing.clear()
        self.make_manager().resume()
        self.assertEqual(1, self.cloud.count("evacuate_server"))
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.db.notification_get(uuid).status)


class _Crash(BaseException):
    """Stands for the process dying: nothing after it runs."""


class StandbyTest(base.EngineTestCase):

    def test_standby_target_enabled_and_becomes_normal(self):
        self.add_hosts(standby=("sb1", "sb2"))
        self.cloud.add_server(fakes.server(name="a", host="failed"))
        self.make_manager().recovery.run(self.notify())
        self.assertEqual("enabled", self.cloud.services["sb1"].status)
        self.assertEqual(constants.ROLE_NORMAL,
                         self.db.host_get("sb1").role)
        # The unused standby host is left alone.
        self.assertEqual("disabled", self.cloud.services["sb2"].status)
        self.assertEqual(constants.ROLE_STANDBY,
                         self.db.host_get("sb2").role)
        calls = [c[0] for c in self.cloud.calls]
        self.assertLess(calls.index("enable_service"),
                        calls.index("evacuate_server"))

    def test_what_if_plan_changes_nothing(self):
        self.add_hosts()
        self.cloud.add_server(fakes.server(name="a", host="failed"))
        plan = recovery.plan_host(self.db, self.cloud,
                                  PlanOptions.from_conf(self.conf), "failed")
        self.assertEqual(["sb1"], [m.dest_host for m in plan.moves])
        self.assertEqual(0, sum(1 for c in self.cloud.calls
                                if not c[0].startswith("list")))


class AggregateProtectionTest(base.EngineTestCase):
    """The failed host's aggregates: read once, and a Nova error reading
    them does not stop the recovery."""

    def setUp(self):
        super().setUp()
        self.add_hosts()
        self.cloud.aggregates = [records.Aggregate(
            "1", "noha", ("failed",), {"HA_Enabled": "false"})]
        self.cloud.add_server(fakes.server(name="a", host="failed"))

    def test_aggregate_opts_out_read_once(self):
        uuid = self.notify()
        self.make_manager().recovery.run(uuid)
        move = self.vmoves(uuid)["a"]
        self.assertEqual(constants.IGNORED, move.status)
        self.assertEqual("not protected: host aggregate metadata "
                         "HA_Enabled=false (aggregate noha)", move.message)
        self.assertEqual(1, self.cloud.count("list_aggregates"))

    def test_nova_error_is_unknown_and_logged(self):
        self.cloud.fail["list_aggregates"] = [exception.CloudUnavailable(
            service="compute", call="list aggregates", reason="503")]
        log = self.useFixture(fixtures.FakeLogger(
            name="vmotiond", level=logging.WARNING))
        uuid = self.notify()
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.make_manager().recovery.run(uuid))
        self.assertEqual(constants.SUCCEEDED, self.vmoves(uuid)["a"].status)
        self.assertIn("Host aggregates unknown while planning the recovery "
                      "of failed", log.output)
        self.assertIn("503", log.output)


class NoImageServiceTest(base.EngineTestCase):
    """A cloud without an image service: said once, in the notification's
    message and the log, not in each vmove's message."""

    def test_said_once(self):
        self.add_hosts()
        for name in ("a", "b"):
            self.cloud.add_server(dataclasses.replace(
                fakes.server(name=name, host="failed"), image_id="i-" + name))
        self.cloud.fail["get_image"] = [exception.CloudServiceMissing(
            service="image", call="get image", reason="no endpoint")]
        log = self.useFixture(fixtures.FakeLogger(
            name="vmotiond", level=logging.WARNING))
        uuid = self.notify()
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.make_manager().recovery.run(uuid))
        self.assertEqual(
            "2 succeeded, 0 failed, 0 ignored; images unread (no image "
            "service in the cloud): their property HA_Enabled and tags are "
            "not considered", self.db.notification_get(uuid).message)
        for move in self.vmoves(uuid).values():
            self.assertEqual(constants.SUCCEEDED, move.status)
            self.assertNotIn("image service", move.message)
            self.assertNotIn("unknown", move.message)
        self.assertEqual(1, log.output.count("no image service"))
        self.assertEqual(1, self.cloud.count("get_image"))


class VisibilityTest(base.EngineTestCase):
    """What an operator sees of a recovery: the log and the hosts table."""

    def test_failed_step_logged_with_host_instance_and_reason(self):
        self.add_hosts()
        server = fakes.server(name="web-1", host="failed")
        self.cloud.add_server(server)
        self.cloud.fail["evacuate_server"] = [exception.CloudRefused(
            service="compute", call="evacuate", reason="No valid host")]
        log = self.useFixture(fixtures.FakeLogger(
            name="vmotiond", level=logging.WARNING))
        self.make_manager().recovery.run(self.notify())
        failed = [line for line in log.output.splitlines()
                  if server.id in line]
        self.assertTrue(failed, log.output)
        line = failed[-1]
        for part in ("web-1", "failed", "sb1", "evacuate",
                     "No valid host"):
            self.assertIn(part, line)

    def test_fence_state_written_when_fenced(self):
        self.add_hosts()
        self.db.hosts_sync([{"name": "failed", "service_state": "up",
                             "service_status": "enabled",
                             "forced_down": False}])
        self.cloud.add_server(fakes.server(name="a", host="failed"))
        uuid = self.notify()
        self.make_manager().recovery.run(uuid)
        row = self.db.host_get("failed")
        self.assertEqual(("down", "disabled", True,
                          "vmotiond:recovering:" + uuid),
                         (row.service_state, row.service_status,
                          row.forced_down, row.disabled_reason))


class StandbyReturnTest(base.EngineTestCase):
    """A failed evacuation does not use up a standby host."""

    def test_standby_that_received_nothing_goes_back_to_standby(self):
        self.add_hosts(standby=("sb1",), normal=())
        self.cloud.add_server(fakes.server(name="a", host="failed"))
        self.cloud.fail["evacuate_server"] = [exception.CloudRefused(
            service="compute", call="evacuate", reason="No valid host")]
        status = self.make_manager().recovery.run(self.notify())
        self.assertEqual(constants.NOTIFICATION_FAILED, status)
        self.assertEqual(1, self.cloud.count("enable_service"))
        service = self.cloud.services["sb1"]
        self.assertEqual("disabled", service.status)
        self.assertTrue(service.disabled_reason.startswith("vmotiond"))
        self.assertEqual(constants.ROLE_STANDBY,
                         self.db.host_get("sb1").role)

    def test_standby_that_received_an_instance_stays_normal(self):
        self.add_hosts(standby=("sb1",), normal=())
        self.cloud.add_server(fakes.server(name="a", host="failed"))
        self.cloud.add_server(fakes.server(name="b", host="failed"))
        self.cloud.fail["evacuate_server"] = [exception.CloudRefused(
            service="compute", call="evacuate", reason="No valid host")]
        status = self.make_manager().recovery.run(self.notify())
        self.assertEqual(constants.NOTIFICATION_FAILED, status)
        self.assertEqual("enabled", self.cloud.services["sb1"].status)
        self.assertEqual(constants.ROLE_NORMAL,
                         self.db.host_get("sb1").role)

    def test_standby_another_notification_moves_to_stays_open(self):
        self.add_hosts(standby=("sb1",), normal=())
        self.cloud.add_server(fakes.server(name="a", host="failed"))
        self.cloud.fail["evacuate_server"] = [exception.CloudRefused(
            service="compute", call="evacuate", reason="No valid host")]
        other = self.db.notification_create(
            constants.CUSTOM_MIGRATION, None, "custom:1",
            {"instances": ["x"]})
        self.db.vmoves_create(other.uuid, [{
            "instance_uuid": "x", "source_host": "n9", "dest_host": "sb1",
            "type": constants.MIGRATION, "status": constants.ONGOING}])
        self.make_manager().recovery.run(self.notify())
        self.assertEqual("enabled", self.cloud.services["sb1"].status)
        self.assertEqual(constants.ROLE_STANDBY,
                         self.db.host_get("sb1").role)

    def test_standby_opened_by_another_batch_meanwhile_stays_open(self):
        self.add_hosts(standby=("sb1",), normal=())
        self.cloud.add_server(fakes.server(name="a", host="failed"))
        self.cloud.fail["evacuate_server"] = [exception.CloudRefused(
            service="compute", call="evacuate", reason="No valid host")]
        real = self.cloud.disable_service

        def disable(service_id, host, reason):
            real(service_id, host, reason)
            if host == "sb1":       # another recovery plans onto it now
                other = self.db.notification_create(
                    constants.CUSTOM_MIGRATION, None, "custom:2",
                    {"instances": ["y"]})
                self.db.vmoves_create(other.uuid, [{
                    "instance_uuid": "y", "source_host": "n9",
                    "dest_host": "sb1", "type": constants.MIGRATION,
                    "status": constants.PENDING}])

        self.cloud.disable_service = disable
        self.make_manager().recovery.run(self.notify())
        self.assertEqual("enabled", self.cloud.services["sb1"].status)
