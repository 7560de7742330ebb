"""Move-back: the pure plan, and the workflow on the fake cloud."""

import dataclasses

import testtools

from tests.unit.engine import fakes
from tests.unit.engine import test_operations
from vmotiond import constants
from vmotiond import exception
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.workflows import move_back

OPTIONS = PlanOptions(floating_ips=False)


class PlanMoveBackTest(testtools.TestCase):

    def item(self, server, dest="sb1", landed="ACTIVE", priority=0):
        return move_back.Evacuated(server.id, server.name, dest, landed,
                                   priority)

    def test_reverse_of_the_evacuation(self):
        running = fakes.server(name="running", host="sb1")
        stopped = fakes.server(name="stopped", host="n1", status="SHUTOFF")
        vip = fakes.server(name="vip", host="sb1",
                           metadata={"vmotion:priority": "5"})
        items = [self.item(running), self.item(stopped, "n1", "SHUTOFF"),
                 self.item(vip, priority=5)]
        plan = move_back.plan_move_back(
            "h", items, {s.id: s for s in (running, stopped, vip)}, OPTIONS)
        self.assertEqual(["vip", "running", "stopped"],
                         [m.server.name for m in plan.moves])
        self.assertEqual({"h"}, {m.dest_host for m in plan.moves})
        kinds = {m.server.name: m.move_type for m in plan.moves}
        self.assertEqual(constants.LIVE_MIGRATION, kinds["running"])
        self.assertEqual(constants.MIGRATION, kinds["stopped"])
        self.assertEqual((), plan.ignored)
        self.assertEqual("sb1", plan.moves[0].source_host)

    def test_others_ignored_with_reasons(self):
        moved = fakes.server(name="moved", host="n2")
        back = fakes.server(name="back", host="h")
        changed = fakes.server(name="changed", host="sb1", status="SHUTOFF")
        busy = fakes.server(name="busy", host="sb1", task_state="migrating")
        gone = fakes.server(name="gone", host="sb1")
        servers = {s.id: s for s in (moved, back, changed, busy)}
        servers[gone.id] = None
        items = [self.item(s) for s in (moved, back, changed, busy, gone)]
        plan = move_back.plan_move_back("h", items, servers, OPTIONS)
        self.assertEqual((), plan.moves)
        why = {i.server.id: i.message for i in plan.ignored}
        self.assertIn("moved since the evacuation: on host n2",
                      why[moved.id])
        self.assertIn("already back on host h", why[back.id])
        self.assertIn("changed state since the evacuation: ACTIVE then, "
                      "SHUTOFF now", why[changed.id])
        self.assertIn("busy", why[busy.id])
        self.assertIn("deleted", why[gone.id])
        self.assertTrue(plan.complete)


class MoveBackTest(test_operations.OperationsTestCase):

    def evacuate(self):
        self.servers = {
            "running": self.add("running"),
            "stopped": self.add("stopped", "SHUTOFF"),
            "moved": self.add("moved"), "gone": self.add("gone"),
            "changed": self.add("changed")}
        uuid = self.notify(host="src")
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.mgr.recovery.run(uuid))
        self.evacuation = uuid
        # Since then: one moved on, one deleted, one stopped.
        cloud = self.cloud
        cloud._set(self.servers["moved"].id, host="n2")
        del cloud.servers[self.servers["gone"].id]
        cloud._set(self.servers["changed"].id, status="SHUTOFF")
        self.db.host_update("src", {"monitor_state":
                                    constants.HOST_RECOVERED})

    def test_moves_back_exactly_the_ones_still_there(self):
        self.evacuate()
        svc = self.cloud.services["src"]
        self.assertTrue(svc.forced_down)
        note = self.api.move_back("src")
        self.assertEqual(self.evacuation, note["payload"]["evacuation"])
        row = self.ended(note)
        self.assertEqual(constants.MOVE_BACK, row.type)
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        moves = self.vmoves(row.uuid)
        self.assertEqual(constants.LIVE_MIGRATION, moves["running"].type)
        self.assertEqual(constants.MIGRATION, moves["stopped"].type)
        for name in ("running", "stopped"):
            self.assertEqual(constants.SUCCEEDED, moves[name].status)
            self.assertEqual("src", self.host_of(self.servers[name]))
            self.assertEqual("src", moves[name].dest_host)
        self.assertEqual("SHUTOFF", self.cloud.servers[
            self.servers["stopped"].id].status)
        for name, text in (("moved", "moved since"), ("gone", "deleted"),
                           ("changed", "changed state")):
            self.assertEqual(constants.IGNORED, moves[name].status, name)
            self.assertIn(text, moves[name].message)
        self.assertEqual("n2", self.host_of(self.servers["moved"]))
        # Fence cleared first: un-forced down, then enabled, then moves.
        svc = self.cloud.services["src"]
        self.assertFalse(svc.forced_down)
        self.assertEqual("enabled", svc.status)
        host = self.db.host_get("src")
        self.assertEqual((False, "enabled"),
                         (host.forced_down, host.service_status))
        names = [c[0] for c in self.cloud.calls]
        last_fence = max(i for i, n in enumerate(names)
                         if n in ("force_down_service", "enable_service"))
        unforce = names.index("force_down_service", names.index(
            "disable_service"))
        # Up first, so that Nova clears the disabled trait on enabling.
        enable = names.index("enable_service", unforce)
        self.assertEqual(enable, last_fence)
        self.assertLess(last_fence, max(i for i, n in enumerate(names)
                                        if n == "live_migrate_server"))

    def test_refused_while_not_healthy_or_disabled_by_operator(self):
        self.evacuate()
        self.db.host_update("src", {"monitor_state": constants.HOST_DOWN})
        error = self.assertRaises(exception.Conflict, self.api.move_back,
                                  "src")
        self.assertIn("not healthy", str(error))
        self.db.host_update("src", {"monitor_state": constants.HOST_UP})
        svc = self.cloud.services["src"]
        self.cloud.services["src"] = dataclasses.replace(
            svc, disabled_reason="ops: firmware upgrade")
        error = self.assertRaises(exception.Conflict, self.api.move_back,
                                  "src")
        self.assertIn("firmware", str(error))
        self.assertEqual([], self.db.notification_list(
            type=constants.MOVE_BACK))
        self.assertTrue(self.cloud.services["src"].forced_down)

    def test_nothing_to_move_back(self):
        error = self.assertRaises(exception.InvalidInput,
                                  self.api.move_back, "src")
        self.assertIn("no ended evacuation", str(error))

    def test_service_not_up_after_unfence_fails_without_moves(self):
        self.evacuate()
        real = self.cloud.force_down_service

        def stays_down(service_id, host, forced_down=True):
            real(service_id, host, forced_down)
            self.cloud.services[host] = dataclasses.replace(
                self.cloud.services[host], state="down")

        self.cloud.force_down_service = stays_down
        row = self.ended(self.api.move_back("src"))
        self.assertEqual(constants.NOTIFICATION_FAILED, row.status)
        self.assertIn("was not up", row.message)
        self.assertEqual([], self.db.vmove_list(notification_uuid=row.uuid))
        self.assertEqual(0, self.cloud.count("live_migrate_server"))

    def test_auto_move_back_endpoint(self):
        from vmotiond.engine import operations
        self.evacuate()
        endpoint = operations.RecoveredEndpoint(self.api)
        endpoint.info({}, "vmotiond-monitor", "vmotiond.host.recovered",
                      {"host": "src", "generation": 1}, {})
        rows = self.db.notification_list(type=constants.MOVE_BACK)
        self.assertEqual(1, len(rows))
        self.assertEqual("auto", rows[0].payload["trigger"])
        # A second report while it runs (or with nothing left) is harmless.
        endpoint.info({}, "vmotiond-monitor", "vmotiond.host.recovered",
                      {"host": "src", "generation": 1}, {})
        self.assertEqual("src", self.host_of(self.servers["running"]))

    def test_auto_move_back_needs_the_monitors_signature_with_a_key(self):
        from vmotiond.engine import operations
        from vmotiond.verdict import signing
        self.evacuate()
        endpoint = operations.RecoveredEndpoint(self.api, key="k1")
        body = {"host": "src", "generation": 1}
        for forged in (body, signing.sign(body, "other")):
            endpoint.info({}, "nova-compute.evil", "vmotiond.host.recovered",
                          forged, {})
        self.assertEqual(
            [], self.db.notification_list(type=constants.MOVE_BACK))
        endpoint.info({}, "vmotiond-monitor", "vmotiond.host.recovered",
                      signing.sign(body, "k1"), {})
        self.assertEqual(
            1, len(self.db.notification_list(type=constants.MOVE_BACK)))
