"""The runners' policies, step by step and error by error."""

import testtools

from vmotiond import exception
from vmotiond.engine.deciding import names
from vmotiond.engine.running import policy
from vmotiond.engine.running import steps


def _cloud(cls, status=None):
    return cls(service="compute", call="x", reason="nope", status=status)


ERRORS = {
    "unavailable": _cloud(exception.CloudUnavailable),
    "conflict": _cloud(exception.CloudConflict, 409),
    "refused": _cloud(exception.CloudRefused, 400),
    "not_found": _cloud(exception.CloudNotFound, 404),
    "missing": _cloud(exception.CloudServiceMissing),
    "timed_out": exception.StepTimedOut(reason="slow"),
    "crash": KeyError("surprise"),
}
STEPS = (names.RECORD_FLOATING_IPS, names.RESET_STATE, names.EVACUATE,
         names.MIGRATE, names.LIVE_MIGRATE, names.WAIT_MOVED,
         names.CONFIRM_RESIZE, names.START, names.STOP, names.RESUME,
         names.RESTORE_STATE, names.REBIND_FLOATING_IPS,
         names.CHECK_FLOATING_IPS)
BOTH = {"unavailable", "conflict"}

# Step name -> the errors it is tried again on.
RECOVERY_RETRIED = {
    names.RECORD_FLOATING_IPS: set(),
    names.RESET_STATE: BOTH,
    names.EVACUATE: BOTH,
    names.MIGRATE: BOTH,
    names.LIVE_MIGRATE: BOTH,
    names.WAIT_MOVED: BOTH,
    names.CONFIRM_RESIZE: BOTH,
    names.START: BOTH,
    names.STOP: BOTH,
    names.RESUME: BOTH,
    names.RESTORE_STATE: BOTH,
    names.REBIND_FLOATING_IPS: BOTH,
    names.CHECK_FLOATING_IPS: BOTH,
}
OPERATOR_RETRIED = dict(RECOVERY_RETRIED, **{
    names.RESET_STATE: {"unavailable"},
    names.MIGRATE: {"unavailable"},
    names.LIVE_MIGRATE: {"unavailable"},
})
# Step name -> (what Nova was asked, the errors that are its refusal).
OPERATOR_REFUSED = {
    names.RESET_STATE: ("state reset", {"conflict", "refused", "not_found"}),
    names.MIGRATE: ("cold migration", {"conflict", "refused", "not_found"}),
    names.LIVE_MIGRATE: ("live migration",
                         {"conflict", "refused", "not_found"}),
}


def _retried(run_policy):
    found = {}
    for name in STEPS:
        errors = run_policy.retry_errors(steps.build(name))
        found[name] = {e for e, err in ERRORS.items()
                       if isinstance(err, errors)}
    return found


def _refused(run_policy):
    found = {}
    for name in STEPS:
        refusals = {e: run_policy.refusal(name, err)
                    for e, err in ERRORS.items()}
        refusals = {e: r for e, r in refusals.items() if r is not None}
        if refusals:
            whats = {r.kwargs["what"] for r in refusals.values()}
            found[name] = (whats.pop(), set(refusals))
    return found


class RunPolicyTest(testtools.TestCase):

    def test_recovery_retries_as_each_step_class_says(self):
        self.assertEqual(RECOVERY_RETRIED, _retried(policy.RECOVERY))

    def test_recovery_refuses_nothing(self):
        self.assertEqual({}, _refused(policy.RECOVERY))

    def test_operator_retries_asking_steps_only_when_unreachable(self):
        self.assertEqual(OPERATOR_RETRIED, _retried(policy.OPERATOR))

    def test_operator_refusals_of_asking_steps(self):
        self.assertEqual(OPERATOR_REFUSED, _refused(policy.OPERATOR))

    def test_refusal_says_what_and_nova_answer(self):
        refused = policy.OPERATOR.refusal(
            names.LIVE_MIGRATE, _cloud(exception.CloudConflict, 409))
        self.assertIsInstance(refused, exception.StepFailed)
        self.assertEqual("Nova refused the live migration: compute call x "
                         "failed: nope", str(refused))

    def test_step_classes_keep_their_retry_on(self):
        step = steps.build(names.MIGRATE)
        policy.OPERATOR.retry_errors(step)
        self.assertNotIn("retry_on", vars(step))
        self.assertEqual((exception.CloudUnavailable,
                          exception.CloudConflict), step.retry_on)
