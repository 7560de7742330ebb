"""``host release``: lifting vmotiond's fence after a failed recovery."""

import itertools

import testtools

from tests.unit.engine import fakes
from tests.unit.engine import test_operations
from vmotiond import constants
from vmotiond import disabled_reason
from vmotiond import exception
from vmotiond.engine.workflows import release

UUID = "0b8f6c2e-3c4d-4e5f-8a9b-1c2d3e4f5a6b"
# Disabled reasons, and whether they are a fence of vmotiond's.
REASONS = {
    None: False, "ops: bad fan": False,
    disabled_reason.make(disabled_reason.RECOVERING, UUID): True,
    disabled_reason.make(disabled_reason.FAILED, UUID): True,
    disabled_reason.make(disabled_reason.RELEASED, UUID): True,
    "vmotiond: host failure, notification " + UUID: True,
    disabled_reason.make(disabled_reason.DRAINING, UUID): False,
    disabled_reason.make(disabled_reason.STANDBY): False,
    "vmotiond: standby host, kept out of scheduling": False,
    "vmotiond: drained by operator": False,
}


class DecideTest(testtools.TestCase):

    def test_every_case(self):
        for (forced, status, reason, busy, unhealthy,
             leave) in itertools.product(
                (False, True), ("enabled", "disabled"), REASONS,
                (None, "host busy"), (None, "the monitor has it down"),
                (False, True)):
            if status == "enabled" and reason is not None:
                continue
            case = (forced, status, reason, busy, unhealthy, leave)
            plan = release.decide(fakes.service(
                "h", status=status, forced_down=forced, reason=reason),
                busy, unhealthy, leave)
            ours = status == "disabled" and REASONS[reason]
            allowed = not (busy or unhealthy)
            released = disabled_reason.make(disabled_reason.RELEASED, UUID)
            expected = (forced and allowed, ours and allowed and not leave,
                        released if ours and allowed and leave and
                        reason != released else None)
            self.assertEqual(expected,
                             (plan.unforce, plan.enable, plan.reason), case)
            fenced = forced or ours
            self.assertEqual(
                (busy or "it is not healthy: " + unhealthy)
                if fenced and not allowed else None, plan.refused, case)
            self.assertEqual(not any(expected), plan.nothing, case)
            # A reason that is not vmotiond's fence stays, and says so.
            if status == "disabled" and not ours:
                self.assertIn("stays disabled", plan.kept)
                self.assertIn(reason or "no reason", plan.kept)
            if ours and allowed and leave:
                self.assertIn("leave_disabled", plan.kept)

    def test_nothing_fenced(self):
        self.assertTrue(release.decide(fakes.service("h")).nothing)


class ReleaseTest(test_operations.OperationsTestCase):

    def test_release_after_failed_recovery(self):
        self.fail_recovery()
        svc = self.cloud.services["src"]
        self.assertEqual((True, "disabled"), (svc.forced_down, svc.status))
        # Nothing to move back, so move-back cannot lift the fence.
        self.assertRaises(exception.InvalidInput, self.api.move_back, "src")
        note = self.api.release("src")
        self.assertEqual(constants.HOST_RELEASE, note["type"])
        row = self.ended(note)
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        self.assertEqual("vmotiond-manage", row.source)
        self.assertIn("no longer forced down", row.message)
        self.assertIn("compute service enabled", row.message)
        svc = self.cloud.services["src"]
        self.assertEqual((False, "enabled"), (svc.forced_down, svc.status))
        host = self.db.host_get("src")
        self.assertEqual((False, "enabled", None),
                         (host.forced_down, host.service_status,
                          host.disabled_reason))
        # Nothing moved.
        self.assertEqual([], self.db.vmove_list(notification_uuid=row.uuid))
        self.assertEqual("src", self.cloud.servers[
            next(iter(self.cloud.servers))].host)
        # Released: a second release has nothing to do.
        self.assertRaises(exception.Conflict, self.api.release, "src")

    def test_operator_disabled_service_stays_disabled(self):
        self.cloud.force_down_service("svc-src", "src", True)
        self.cloud.disable_service("svc-src", "src", "ops: bad fan")
        row = self.ended(self.api.release("src"))
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status)
        self.assertIn("stays disabled", row.message)
        self.assertIn("bad fan", row.message)
        svc = self.cloud.services["src"]
        self.assertEqual((False, "disabled"), (svc.forced_down, svc.status))
        self.assertEqual(0, self.cloud.count("enable_service"))

    def test_refused_while_its_vmoves_run(self):
        self.cloud.force_down_service("svc-src", "src", True)
        other = self.db.notification_create(
            constants.CUSTOM_MIGRATION, None, "custom:1",
            {"instances": ["x"]})
        self.db.vmoves_create(other.uuid, [{
            "instance_uuid": "x", "source_host": "n1", "dest_host": "src",
            "type": constants.MIGRATION, "status": constants.ONGOING}])
        error = self.assertRaises(exception.Conflict, self.api.release,
                                  "src")
        self.assertIn("still pending or ongoing", str(error))
        self.assertEqual([], self.db.notification_list(
            type=constants.HOST_RELEASE))
        self.assertTrue(self.cloud.services["src"].forced_down)

    def test_refused_while_a_recovery_of_the_host_runs(self):
        self.cloud.force_down_service("svc-src", "src", True)
        uuid = self.notify(host="src")
        error = self.assertRaises(exception.Conflict, self.api.release,
                                  "src")
        self.assertIn(uuid, str(error))

    def test_checked_again_when_it_runs(self):
        self.cloud.force_down_service("svc-src", "src", True)
        note = self.db.notification_create(
            constants.HOST_RELEASE, "src", "release:1", {"host": "src"})
        self.notify(host="src")
        status = self.mgr.operations.release.run(note.uuid)
        self.assertEqual(constants.NOTIFICATION_IGNORED, status)
        self.assertIn("nothing was released",
                      self.db.notification_get(note.uuid).message)
        self.assertTrue(self.cloud.services["src"].forced_down)

    def test_nova_refusal_ends_failed_with_what_was_done(self):
        self.cloud.force_down_service("svc-src", "src", True)
        self.cloud.disable_service("svc-src", "src",
                                   "vmotiond: host failure, notification "
                                   + UUID)
        self.cloud.fail["force_down_service"] = [exception.CloudRefused(
            service="compute", call="force down service",
            reason="Unable to force up host src")]
        row = self.ended(self.api.release("src"))
        self.assertEqual(constants.NOTIFICATION_FAILED, row.status)
        self.assertEqual("compute service enabled; not released: compute "
                         "call force down service failed: Unable to force up "
                         "host src", row.message)

    def test_unknown_host(self):
        self.assertRaises(exception.NotFound, self.api.release, "nope")
