"""Task control: redo, reset, delete a vmove; abort a notification."""

from tests.unit.engine import test_operations
from vmotiond import constants
from vmotiond import exception
from vmotiond.engine.workflows import workflow


class TasksTest(test_operations.OperationsTestCase):

    def setUp(self):
        super().setUp()
        self.tasks = self.mgr.operations.tasks

    def failed_drain(self):
        self.server = self.add("a")
        unavailable = exception.CloudUnavailable(service="compute",
                                                 call="x", reason="503")
        self.cloud.fail["live_migrate_server"] = [unavailable] * 4
        row = self.ended(self.api.drain("src"))
        self.assertEqual(constants.NOTIFICATION_FAILED, row.status)
        move = self.vmoves(row.uuid)["a"]
        self.assertEqual(constants.FAILED, move.status)
        return row, move

    def test_redo_failed_vmove(self):
        row, move = self.failed_drain()
        out = self.tasks.redo(move.uuid)
        self.assertEqual(move.uuid, out["uuid"])
        move = self.db.vmove_get(move.uuid)
        self.assertEqual(constants.SUCCEEDED, move.status, move.message)
        self.assertEqual(2, move.attempts)
        self.assertEqual("sb1", self.host_of(self.server))
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.db.notification_get(row.uuid).status)
        # The history keeps the failed attempts, then the one that worked.
        steps = [(s.name, s.attempt, s.status)
                 for s in self.db.step_list(move.uuid)
                 if s.name == "live_migrate"]
        self.assertEqual(("live_migrate", 5, "succeeded"), steps[-1])
        self.assertEqual(5, len(steps))

    def test_redo_only_failed(self):
        self.add("a")
        row = self.ended(self.api.drain("src"))
        move = self.vmoves(row.uuid)["a"]
        error = self.assertRaises(exception.Conflict, self.tasks.redo,
                                  move.uuid)
        self.assertIn("only a failed vmove", str(error))

    def test_reset_stuck_vmove_guarded(self):
        row, move = self.failed_drain()
        self.db.vmove_update(move.uuid, {"status": constants.ONGOING})
        note = self.db.notification_get(row.uuid)
        lock = self.locks.get(workflow.lock_name(note))
        lock.acquire()
        error = self.assertRaises(exception.Conflict, self.tasks.reset,
                                  move.uuid)
        self.assertIn("another engine", str(error))
        self.assertEqual(constants.ONGOING,
                         self.db.vmove_get(move.uuid).status)
        lock.release()
        self.tasks.is_running = lambda uuid: uuid == row.uuid
        error = self.assertRaises(exception.Conflict, self.tasks.reset,
                                  move.uuid)
        self.assertIn("running in this engine", str(error))
        self.tasks.is_running = self.mgr.is_running
        self.tasks.reset(move.uuid)
        self.assertEqual(constants.SUCCEEDED,
                         self.db.vmove_get(move.uuid).status)

    def test_reset_refuses_finished(self):
        self.add("a")
        row = self.ended(self.api.drain("src"))
        self.assertRaises(exception.Conflict, self.tasks.reset,
                          self.vmoves(row.uuid)["a"].uuid)

    def test_delete_finished_only(self):
        row, move = self.failed_drain()
        self.tasks.delete(move.uuid)
        self.assertRaises(exception.NotFound, self.db.vmove_get, move.uuid)
        self.assertEqual([], self.db.vmove_list(notification_uuid=row.uuid))
        pending = self.db.vmoves_create(row.uuid, [{
            "instance_uuid": "x", "type": constants.MIGRATION}])[0]
        error = self.assertRaises(exception.Conflict, self.tasks.delete,
                                  pending.uuid)
        self.assertIn("only a finished vmove", str(error))

    def test_abort_lets_in_flight_finish_and_ignores_the_rest(self):
        servers = [self.add("vm%d" % i) for i in range(3)]
        real = self.cloud.live_migrate_server
        aborted = []

        def migrate(server_id, host=None):
            real(server_id, host)
            if not aborted:
                note = self.db.notification_list(
                    type=constants.HOST_DRAIN)[0]
                aborted.append(self.tasks.abort(note.uuid))

        self.cloud.live_migrate_server = migrate
        row = self.ended(self.api.drain("src"))
        self.assertEqual(constants.NOTIFICATION_ABORTED, row.status)
        self.assertEqual("aborted by operator", row.message)
        statuses = sorted(v.status for v in self.vmoves(row.uuid).values())
        self.assertEqual([constants.IGNORED, constants.IGNORED,
                          constants.SUCCEEDED], statuses)
        for move in self.vmoves(row.uuid).values():
            if move.status == constants.IGNORED:
                self.assertEqual("aborted by operator", move.message)
        self.assertEqual(1, sum(1 for s in servers
                                if self.host_of(s) != "src"))
        error = self.assertRaises(exception.Conflict, self.tasks.abort,
                                  row.uuid)
        self.assertIn("aborted", str(error))

    def test_abort_new_notification_starts_nothing(self):
        self.add("a")
        row = self.db.notification_create(constants.HOST_DRAIN, "src",
                                          "drain-x", {"host": "src"})
        self.tasks.abort(row.uuid)
        self.assertEqual(constants.NOTIFICATION_ABORTED,
                         self.mgr.submit(row.uuid).result())
        self.assertEqual(0, self.cloud.count("live_migrate_server"))


class RedoTodaysStepsTest(test_operations.OperationsTestCase):
    """A redo runs the steps today's configuration calls for."""

    def failed_recovery(self):
        self.server = self.add("a")
        self.cloud.fail["evacuate_server"] = [exception.CloudRefused(
            service="compute", call="evacuate", reason="No valid host")]
        uuid = self.notify(host="src")
        self.assertEqual(constants.NOTIFICATION_FAILED,
                         self.mgr.recovery.run(uuid))
        move = self.vmoves(uuid)["a"]
        self.assertEqual(constants.FAILED, move.status)
        return uuid, move

    def restart(self, floating_ip_steps):
        self.conf.set_override("floating_ip_steps", floating_ip_steps,
                               "engine")
        return self.make_manager().operations.tasks

    def plan_of(self, move):
        return self.db.vmove_get(move.uuid).plan["steps"]

    def test_redo_drops_floating_ip_steps_turned_off(self):
        uuid, move = self.failed_recovery()
        self.assertIn("rebind_floating_ips", self.plan_of(move))
        self.restart(False).redo(move.uuid)
        move = self.db.vmove_get(move.uuid)
        self.assertEqual(constants.SUCCEEDED, move.status, move.message)
        self.assertEqual("sb1", self.host_of(self.server))
        self.assertEqual(["evacuate", "wait_moved", "start"],
                         self.plan_of(move))
        names = [name for name, _ in self.steps(move.uuid)]
        self.assertNotIn("rebind_floating_ips", names)
        self.assertNotIn("check_floating_ips", names)
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.db.notification_get(uuid).status)

    def test_redo_adds_floating_ip_steps_turned_on(self):
        self.conf.set_override("floating_ip_steps", False, "engine")
        self.mgr = self.make_manager()
        _uuid, move = self.failed_recovery()
        self.assertEqual(["evacuate", "wait_moved", "start"],
                         self.plan_of(move))
        self.restart(True).redo(move.uuid)
        move = self.db.vmove_get(move.uuid)
        self.assertEqual(constants.SUCCEEDED, move.status, move.message)
        self.assertEqual(
            ["record_floating_ips", "evacuate", "wait_moved", "start",
             "rebind_floating_ips", "check_floating_ips"],
            self.plan_of(move))
        self.assertIn(("check_floating_ips", constants.SUCCEEDED),
                      self.steps(move.uuid))


class TogetherTest(test_operations.OperationsTestCase):
    """The failed vmoves of one notification redone, or reset, at once."""

    def setUp(self):
        super().setUp()
        self.tasks = self.mgr.operations.tasks
        for name in ("a", "b", "c"):
            self.add(name)
        unavailable = exception.CloudUnavailable(service="compute",
                                                 call="x", reason="503")
        self.cloud.fail["live_migrate_server"] = [unavailable] * 12
        self.row = self.ended(self.api.drain("src"))
        self.moves = self.vmoves(self.row.uuid)
        self.assertEqual({constants.FAILED},
                         {m.status for m in self.moves.values()})

    def statuses(self):
        return {name: move.status
                for name, move in self.vmoves(self.row.uuid).items()}

    def test_redo_every_failed_vmove_runs_the_notification_once(self):
        submitted = []
        submit = self.tasks.submit
        self.tasks.submit = lambda uuid: (submitted.append(uuid),
                                          submit(uuid))
        out = self.tasks.redo_all(self.row.uuid)
        self.assertEqual(self.row.uuid, out["uuid"])
        self.assertEqual([self.row.uuid], submitted)
        self.assertEqual(dict.fromkeys("abc", constants.SUCCEEDED),
                         self.statuses())
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.db.notification_get(self.row.uuid).status)
        self.assertEqual({2}, {m.attempts for m in self.vmoves(
            self.row.uuid).values()})

    def test_reset_the_named_vmoves_only(self):
        self.tasks.reset_all(self.row.uuid, [self.moves["a"].uuid,
                                             self.moves["c"].uuid])
        self.assertEqual({"a": constants.SUCCEEDED, "b": constants.FAILED,
                          "c": constants.SUCCEEDED}, self.statuses())

    def test_refusals_change_nothing(self):
        unknown = "99999999-9999-4999-8999-999999999999"
        error = self.assertRaises(exception.NotFound, self.tasks.redo_all,
                                  self.row.uuid, [self.moves["a"].uuid,
                                                  unknown])
        self.assertIn(unknown, str(error))
        self.tasks.redo(self.moves["a"].uuid)
        error = self.assertRaises(exception.Conflict, self.tasks.redo_all,
                                  self.row.uuid, [self.moves["a"].uuid,
                                                  self.moves["b"].uuid])
        self.assertIn("is succeeded; only a vmove failed is redone",
                      str(error))
        self.tasks.is_running = lambda uuid: True
        error = self.assertRaises(exception.Conflict, self.tasks.reset_all,
                                  self.row.uuid)
        self.assertIn("running in this engine", str(error))
        self.tasks.is_running = self.mgr.is_running
        self.assertEqual({"a": constants.SUCCEEDED, "b": constants.FAILED,
                          "c": constants.FAILED}, self.statuses())
        self.tasks.redo_all(self.row.uuid)
        error = self.assertRaises(exception.Conflict, self.tasks.redo_all,
                                  self.row.uuid)
        self.assertIn("has no failed vmove; nothing to redo", str(error))
