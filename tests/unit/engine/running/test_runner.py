import threading

import fixtures

from tests.unit.engine import base
from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond import exception
from vmotiond.engine.running import policy
from vmotiond.engine.running import runner
from vmotiond.engine.running import vmove_store
from vmotiond.engine.running.steps.base import StepOptions

STEPS = ("record_floating_ips", "evacuate", "wait_moved", "start",
         "rebind_floating_ips", "check_floating_ips")


class _SpySemaphore:
    """Counts holds and records which cloud calls ran while held."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.held = False
        self.acquired = 0
        self.calls_held = []

    def acquire(self, timeout=None):
        assert not self.held
        self.held = True
        self.acquired += 1
        self.mark = len(self.cloud.calls)
        return True

    def release(self):
        assert self.held
        self.held = False
        self.calls_held.extend(c[0] for c in self.cloud.calls[self.mark:])


class RunnerTestCase(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.add_hosts()
        self.server = fakes.server(name="a", host="failed")
        self.cloud.add_server(self.server, fip="fip-a")
        self.note = self.notify()
        [self.row] = self.db.vmoves_create(self.note, [{
            "instance_uuid": self.server.id, "instance_name": "a",
            "source_host": "failed", "dest_host": "sb1",
            "type": constants.EVACUATION}])
        self.slots = _SpySemaphore(self.cloud)
        self.runner = self.make_runner(policy.RECOVERY)

    def make_runner(self, run_policy, retries=0):
        return runner.Runner(
            self.db, self.cloud, self.clock, threading.Event(),
            StepOptions(), runner.RetryOptions(retries=retries), run_policy,
            self.slots)

    def job(self, steps=STEPS, move_type=constants.EVACUATION):
        spec = vmove_store.MoveSpec(steps, 0, "ACTIVE", "ACTIVE")
        return runner.Job(self.row.uuid, self.server.id, "a",
                          move_type, "failed", "sb1", 0, 0, spec)


class RunnerTest(RunnerTestCase):

    def test_slot_held_only_while_moving(self):
        status = self.runner.run(self.job(), self.clock.now())
        self.assertEqual(constants.SUCCEEDED, status)
        self.assertEqual(1, self.slots.acquired)
        self.assertFalse(self.slots.held)
        self.assertIn("evacuate_server", self.slots.calls_held)
        self.assertNotIn("list_floating_ips", self.slots.calls_held)

    def test_request_ids_recorded_on_the_step_that_acted(self):
        evacuate = self.cloud.evacuate_server

        def named(*args, **kwargs):
            evacuate(*args, **kwargs)
            return "req-1"

        self.useFixture(fixtures.MockPatchObject(
            self.cloud, "evacuate_server", named))
        self.runner.run(self.job(), self.clock.now())
        self.assertEqual(
            {"evacuate": ["req-1"]},
            {s.name: s.request_ids for s in self.db.step_list(self.row.uuid)
             if s.request_ids})

    def test_only_the_steps_run_are_recorded_and_read_back(self):
        self.runner.run(self.job(), self.clock.now())
        done = vmove_store.read_steps(self.db, self.row.uuid)
        self.assertEqual(list(STEPS), [r.key for r in done])
        self.assertEqual({constants.SUCCEEDED}, {r.status for r in done})
        # The plan is the vmove's to hold (written with it), not a step.
        self.assertIsNone(self.db.vmove_get(self.row.uuid).plan)

    def test_written_before_the_call_that_acts_and_no_more_often(self):
        seen = {}
        real = self.cloud.evacuate_server

        def evacuate(*args, **kwargs):
            seen["steps"] = [(r.name, r.status)
                             for r in self.db.step_list(self.row.uuid)]
            row = self.db.vmove_get(self.row.uuid)
            seen["vmove"] = (row.status, row.attempts, row.current_step)
            seen["held"] = self.slots.held
            return real(*args, **kwargs)

        self.cloud.evacuate_server = evacuate
        writes = []
        real_journal = self.db.step_journal

        def step_journal(*args, **kwargs):
            writes.append(self.slots.held)
            return real_journal(*args, **kwargs)

        self.useFixture(fixtures.MockPatchObject(self.db, "step_journal",
                                                 step_journal))
        status = self.runner.run(self.job(), self.clock.now())
        self.assertEqual(constants.SUCCEEDED, status)
        # Claimed, the read before it ended, the move begun: then the call.
        self.assertEqual([("record_floating_ips", constants.SUCCEEDED),
                          ("evacuate", constants.ONGOING)], seen["steps"])
        self.assertEqual((constants.ONGOING, 1, "evacuate"), seen["vmove"])
        self.assertTrue(seen["held"])
        # That write and the end: two transactions for the whole vmove;
        # the first holding the move slot (taken before it, so the claim
        # it proves is fresh at the call however long the slot took), the
        # end not.
        self.assertEqual([True, False], writes)
        self.assertEqual([(k, constants.SUCCEEDED) for k in STEPS],
                         [(r.name, r.status)
                          for r in self.db.step_list(self.row.uuid)])

    def test_slot_released_on_failure(self):
        self.cloud.fail["evacuate_server"] = [exception.CloudRefused(
            service="compute", call="evacuate", reason="no")]
        status = self.runner.run(self.job(), self.clock.now())
        self.assertEqual(constants.FAILED, status)
        self.assertFalse(self.slots.held)
        row = self.db.vmove_get(self.row.uuid)
        self.assertIn("step evacuate failed", row.message)

    def test_not_claimed_twice(self):
        self.db.vmove_update(self.row.uuid, {"status": constants.IGNORED})
        self.assertEqual(constants.IGNORED,
                         self.runner.run(self.job(), self.clock.now()))
        # The claim goes with the first write, before the first call that
        # changes anything: only reads came before it, and nothing of the
        # run was written.
        self.assertEqual([], [name for name, _ in self.cloud.calls
                              if not name.startswith(("list_", "get_"))])
        self.assertEqual([], self.db.step_list(self.row.uuid))
        self.assertEqual(0, self.db.vmove_get(self.row.uuid).attempts)

    def test_backoff_doubles_and_caps(self):
        retry = runner.RetryOptions(retries=5, backoff=2, backoff_max=5)
        self.assertEqual([2.0, 4.0, 5.0, 5.0],
                         [retry.delay(i) for i in range(1, 5)])

    def test_crashing_step_fails_vmove_with_type(self):
        def boom(*a, **kw):
            raise KeyError("surprise")

        self.cloud.evacuate_server = boom
        status = self.runner.run(self.job(), self.clock.now())
        self.assertEqual(constants.FAILED, status)
        self.assertIn("unexpected KeyError",
                      self.db.vmove_get(self.row.uuid).message)

    def test_crashing_optional_step_is_said_and_the_move_goes_on(self):
        def boom(*a, **kw):
            raise KeyError("surprise")

        self.cloud.list_ports = boom
        status = self.runner.run(self.job(), self.clock.now())
        self.assertEqual(constants.SUCCEEDED, status)
        self.assertEqual("sb1", self.cloud.servers[self.server.id].host)
        message = self.db.vmove_get(self.row.uuid).message
        self.assertIn("step record_floating_ips failed: unexpected "
                      "KeyError: 'surprise' (the move went on)", message)


LIVE = ("record_floating_ips", "live_migrate", "wait_moved",
        "check_floating_ips")


class RunnerPolicyTest(RunnerTestCase):
    """The same failure of an asking step under each runner's policy."""

    def conflict(self):
        self.cloud.fail["live_migrate_server"] = [exception.CloudConflict(
            service="compute", call="os-migrateLive",
            reason="instance busy", status=409)]

    def run_live(self, run_policy):
        job = self.job(steps=LIVE, move_type=constants.LIVE_MIGRATION)
        return self.make_runner(run_policy, retries=1).run(
            job, self.clock.now())

    def test_recovery_retries_a_conflict(self):
        self.conflict()
        self.assertEqual(constants.SUCCEEDED, self.run_live(policy.RECOVERY))
        self.assertEqual(2, self.cloud.count("live_migrate_server"))
        self.assertEqual(constants.SUCCEEDED,
                         self.db.vmove_get(self.row.uuid).status)

    def test_operator_ends_a_refusal_ignored_not_retried(self):
        self.conflict()
        self.assertEqual(constants.IGNORED, self.run_live(policy.OPERATOR))
        self.assertEqual(1, self.cloud.count("live_migrate_server"))
        row = self.db.vmove_get(self.row.uuid)
        self.assertEqual(constants.IGNORED, row.status)
        self.assertEqual("Nova refused the live migration: compute call "
                         "os-migrateLive failed: instance busy", row.message)
        self.assertIsNotNone(row.end_time)
        self.assertFalse(self.slots.held)
        failed = [s for s in self.db.step_list(self.row.uuid)
                  if s.name == "live_migrate"]
        self.assertEqual([constants.FAILED], [s.status for s in failed])
        self.assertIn("instance busy", failed[0].result)

    def test_operator_retries_an_unreachable_cloud(self):
        self.cloud.fail["live_migrate_server"] = [
            exception.CloudUnavailable(service="compute", call="x",
                                       reason="503")]
        self.assertEqual(constants.SUCCEEDED, self.run_live(policy.OPERATOR))
        self.assertEqual(2, self.cloud.count("live_migrate_server"))

    def test_operator_fails_what_is_no_refusal(self):
        self.cloud.fail["live_migrate_server"] = [
            exception.CloudServiceMissing(service="compute", call="x",
                                          reason="no endpoint")]
        self.assertEqual(constants.FAILED, self.run_live(policy.OPERATOR))
        row = self.db.vmove_get(self.row.uuid)
        self.assertEqual(constants.FAILED, row.status)
        self.assertIn("step live_migrate failed", row.message)


class FinalVmoveTest(RunnerTestCase):
    """A final vmove is never run again, whichever way it is reached."""

    def evacuations(self):
        return [c for c in self.cloud.calls if c[0] == "evacuate_server"]

    def test_a_final_vmove_is_not_claimed(self):
        self.db.vmove_update(self.row.uuid, {"status": constants.SUCCEEDED})
        self.assertEqual(constants.SUCCEEDED,
                         self.runner.run(self.job(), self.clock.now()))
        self.assertEqual([], self.evacuations())
        self.assertEqual([], self.db.step_list(self.row.uuid))

    def test_ended_by_another_before_a_retry_it_asks_nothing_more(self):
        runner_ = self.make_runner(policy.RECOVERY, retries=2)
        busy = exception.CloudConflict(service="compute", call="evacuate",
                                       reason="busy")
        self.cloud.fail["evacuate_server"] = [busy]
        real = self.clock.wait

        def ended_meanwhile(event, seconds):
            # The back-off before the retry: another run ends the vmove.
            self.db.vmove_update(self.row.uuid,
                                 {"status": constants.SUCCEEDED})
            return real(event, seconds)

        self.useFixture(fixtures.MockPatchObject(self.clock, "wait",
                                                 ended_meanwhile))
        runner_.run(self.job(("evacuate", "wait_moved")), self.clock.now())
        # The first try reached the cloud and failed; no retry did.
        self.assertEqual(1, len(self.evacuations()))
        self.assertEqual(constants.SUCCEEDED,
                         self.db.vmove_get(self.row.uuid).status)
        self.assertEqual([constants.FAILED], [
            s.status for s in self.db.step_list(self.row.uuid)])
