"""The fence's life: why a failed host is disabled, until when, and how
power fencing that fails blocks a recovery until an operator confirms."""

import fixtures

from tests.unit.engine import test_operations
from vmotiond import constants
from vmotiond import disabled_reason
from vmotiond import exception
from vmotiond.engine.workflows import recovery


class LifecycleTest(test_operations.OperationsTestCase):

    def service(self):
        return self.cloud.services["src"]

    def enabled(self):
        return [c for c in self.cloud.calls
                if c[0] == "enable_service" and c[1][0] == "src"]

    def reason(self, cause, uuid):
        return disabled_reason.make(cause, uuid)

    def test_not_reenabled_before_its_last_vmove_ends(self):
        self.add("a")
        self.add("b")
        uuid = self.notify(host="src")
        real = self.cloud.evacuate_server
        seen = []

        def evacuate(server_id, host=None, microversion="2.94"):
            if not seen:
                # The host comes back mid-evacuation: healthy for the
                # monitor, yet its fence stays while a vmove runs.
                self.db.host_update("src", {
                    "monitor_state": constants.HOST_RECOVERED})
                for ask in (self.api.release, self.api.move_back):
                    error = self.assertRaises(exception.Conflict, ask, "src")
                    seen.append(str(error))
                svc = self.service()
                seen.append((svc.forced_down, svc.status,
                             svc.disabled_reason))
            return real(server_id, host, microversion)

        self.cloud.evacuate_server = evacuate
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.mgr.recovery.run(uuid))
        self.assertIn(uuid, seen[0])
        self.assertIn(uuid, seen[1])
        self.assertEqual(
            (True, "disabled", self.reason(disabled_reason.RECOVERING, uuid)),
            seen[2])
        # Every vmove final: still fenced, saying why, until released.
        svc = self.service()
        self.assertEqual(
            (True, "disabled", self.reason(disabled_reason.RECOVERING, uuid)),
            (svc.forced_down, svc.status, svc.disabled_reason))
        self.assertEqual(svc.disabled_reason,
                         self.db.host_get("src").disabled_reason)
        self.assertEqual([], self.enabled())
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.ended(self.api.release("src")).status)
        svc = self.service()
        self.assertEqual((False, "enabled"), (svc.forced_down, svc.status))

    def test_not_released_while_the_monitor_has_it_down(self):
        self.add("a")
        uuid = self.notify(host="src")
        self.mgr.recovery.run(uuid)
        self.db.host_update("src", {"monitor_state": constants.HOST_DOWN})
        error = self.assertRaises(exception.Conflict, self.api.release, "src")
        self.assertIn("not healthy", str(error))
        self.assertIn("down", str(error))
        self.assertTrue(self.service().forced_down)

    def test_failed_recovery_marks_the_host_and_is_not_retried(self):
        uuid = self.fail_recovery()
        failed = self.reason(disabled_reason.FAILED, uuid)
        self.assertEqual((True, "disabled", failed),
                         (self.service().forced_down, self.service().status,
                          self.service().disabled_reason))
        self.assertEqual(failed, self.db.host_get("src").disabled_reason)
        # A new notification of the host is refused, saying why.
        again = self.notify(host="src", generation=2)
        self.assertEqual(constants.NOTIFICATION_IGNORED,
                         self.mgr.recovery.run(again))
        message = self.db.notification_get(again).message
        self.assertIn(uuid, message)
        self.assertIn("not recovered again automatically", message)
        self.assertIn("host release src", message)
        self.assertEqual([], self.db.vmove_list(notification_uuid=again))
        # The operator's release clears the mark.
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.ended(self.api.release("src")).status)
        self.assertEqual((False, "enabled", None),
                         (self.service().forced_down, self.service().status,
                          self.service().disabled_reason))
        third = self.notify(host="src", generation=3)
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.mgr.recovery.run(third))

    def test_a_redone_recovery_fences_it_recovering_again(self):
        uuid = self.fail_recovery()
        failed = self.db.vmove_list(notification_uuid=uuid,
                                    status=(constants.FAILED,))
        self.mgr.operations.tasks.redo(failed[0].uuid)
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.db.notification_get(uuid).status)
        self.assertEqual(
            (True, "disabled", self.reason(disabled_reason.RECOVERING, uuid)),
            (self.service().forced_down, self.service().status,
             self.service().disabled_reason))

    def test_leave_disabled_never_enables(self):
        self.conf.set_override("leave_disabled", True, "engine")
        uuid = self.fail_recovery()
        row = self.ended(self.api.release("src"))
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        self.assertIn("leave_disabled", row.message)
        released = self.reason(disabled_reason.RELEASED, uuid)
        self.assertEqual((False, "disabled", released),
                         (self.service().forced_down, self.service().status,
                          self.service().disabled_reason))
        self.assertEqual([], self.enabled())
        # No longer marked failed: a new failure is recovered.
        again = self.notify(host="src", generation=2)
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.mgr.recovery.run(again))

    def test_someone_elses_disabled_host_is_never_enabled(self):
        self.add("a")
        self.cloud.disable_service("svc-src", "src", "ops: bad fan")
        uuid = self.notify(host="src")
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.mgr.recovery.run(uuid))
        # Fencing kept the operator's reason.
        self.assertEqual("ops: bad fan", self.service().disabled_reason)
        row = self.ended(self.api.release("src"))
        self.assertIn("stays disabled", row.message)
        self.assertEqual(("disabled", "ops: bad fan"),
                         (self.service().status,
                          self.service().disabled_reason))
        self.assertEqual([], self.enabled())
        error = self.assertRaises(exception.Conflict, self.api.move_back,
                                  "src")
        self.assertIn("operator", str(error))

    def test_a_standby_reason_becomes_the_recoverys(self):
        self.cloud.disable_service("svc-src", "src",
                                   "vmotiond: standby host, kept out of "
                                   "scheduling")
        uuid = self.notify(host="src")
        self.mgr.recovery.run(uuid)
        self.assertEqual(self.reason(disabled_reason.RECOVERING, uuid),
                         self.service().disabled_reason)


class PowerFencingTest(test_operations.OperationsTestCase):

    def command(self, command, attempts=3):
        self.conf.set_override("fence_driver", "command", "engine")
        self.conf.set_override("fence_command", command, "engine")
        self.conf.set_override("fence_timeout", 5, "engine")
        self.conf.set_override("fence_attempts", attempts, "engine")
        self.mgr = self.make_manager()
        self.api = self.mgr.operations.operator

    def while_waiting(self, action):
        """Run ``action`` at the first wait for a confirmation."""
        real = self.clock.wait
        done = []

        def wait(event, seconds):
            if not done:
                done.append(action())
            return real(event, seconds)

        self.clock.wait = wait
        return done

    def test_dead_bmc_blocks_until_confirm_fenced(self):
        self.add("a")
        self.command("false")
        uuid = self.notify(host="src")
        seen = self.while_waiting(lambda: (
            self.db.notification_get(uuid).message,
            self.cloud.count("evacuate_server"),
            self.service_switches(),
            self.api.confirm_fenced("src")))
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.mgr.recovery.run(uuid))
        message, evacuated, switches, confirmed = seen[0]
        # Blocked: every attempt recorded, nothing evacuated or fenced in
        # Nova, an alert raised.
        for number in (1, 2, 3):
            self.assertIn("attempt %d/3 failed: false exited 1" % number,
                          message)
        self.assertIn("confirm-fenced src", message)
        self.assertEqual((0, (False, "enabled")), (evacuated, switches))
        alerts = self.db.alert_list(host="src")
        self.assertEqual([recovery.ALERT_POWER_FENCING],
                         [a.type for a in alerts])
        self.assertEqual(3, len(alerts[0].evidence["attempts"]))
        self.assertEqual(uuid, alerts[0].evidence["notification"])
        self.assertEqual(uuid, confirmed["uuid"])
        # Confirmed: fenced in Nova and evacuated.
        note = self.db.notification_get(uuid)
        self.assertIsNotNone(note.fence_confirmed_at)
        self.assertIsNotNone(note.fenced_at)
        self.assertEqual(1, self.cloud.count("evacuate_server"))
        self.assertEqual((True, "disabled"), self.service_switches())

    def service_switches(self):
        svc = self.cloud.services["src"]
        return svc.forced_down, svc.status

    def test_confirmation_survives_an_engine_restart(self):
        self.add("a")
        self.command("false", attempts=2)
        uuid = self.notify(host="src")
        self.while_waiting(self.mgr.stop_event.set)
        self.assertIsNone(self.mgr.recovery.run(uuid))
        self.assertEqual(constants.NOTIFICATION_RUNNING,
                         self.db.notification_get(uuid).status)
        self.assertEqual(0, self.cloud.count("evacuate_server"))
        self.api.confirm_fenced("src")
        # A second confirmation has nothing to confirm.
        self.assertRaises(exception.Conflict, self.api.confirm_fenced, "src")
        # A new engine: no power fencing again, no new alert; it goes on.
        self.clock.wait = type(self.clock).wait.__get__(self.clock)
        self.command("false", attempts=2)
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.mgr.recovery.run(uuid))
        self.assertEqual(1, len(self.db.alert_list(host="src")))
        self.assertEqual(1, self.cloud.count("evacuate_server"))

    def test_abort_while_blocked_moves_nothing(self):
        self.add("a")
        self.command("false", attempts=1)
        uuid = self.notify(host="src")
        self.while_waiting(lambda: self.mgr.operations.tasks.abort(uuid))
        self.assertEqual(constants.NOTIFICATION_ABORTED,
                         self.mgr.recovery.run(uuid))
        self.assertEqual(0, self.cloud.count("evacuate_server"))
        self.assertEqual((False, "enabled"), self.service_switches())

    def test_confirm_fenced_needs_a_waiting_recovery(self):
        error = self.assertRaises(exception.Conflict, self.api.confirm_fenced,
                                  "src")
        self.assertIn("no recovery waiting", str(error))

    def test_already_off_counts_as_fenced(self):
        self.add("a")
        self.command("sh -c 'exit 2'")
        uuid = self.notify(host="src")
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.mgr.recovery.run(uuid))
        self.assertEqual([], self.db.alert_list(host="src"))
        self.assertEqual(1, self.cloud.count("evacuate_server"))

    def test_a_later_attempt_that_succeeds_fences(self, ):
        self.add("a")
        marker = self.useFixture(fixtures.TempDir()).path + "/tried"
        # Fails the first time, succeeds the second.
        self.command("sh -c 'test -e %s || { touch %s; exit 1; }'"
                     % (marker, marker))
        uuid = self.notify(host="src")
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.mgr.recovery.run(uuid))
        self.assertEqual([], self.db.alert_list(host="src"))

    def test_settle_delay_before_the_first_evacuation(self):
        self.add("a")
        self.conf.set_override("fence_settle_delay", 30, "engine")
        self.mgr = self.make_manager()
        uuid = self.notify(host="src")
        self.mgr.recovery.run(uuid)
        note = self.db.notification_get(uuid)
        move = self.db.vmove_list(notification_uuid=uuid)[0]
        self.assertGreaterEqual(
            (move.start_time - note.fenced_at).total_seconds(), 30)
