"""A runner for the operator's moves: Nova's refusals end a vmove ignored.

An evacuation is worth retrying on a 409 (Nova may still be settling the
failed host). A drain, a custom migration, a move-back or a reset asks Nova
for something it may plainly refuse (a rescued instance, a host that cannot
take it, an instance deleted meanwhile): that answer is final. So the calls
that ask (``migrate``, ``live_migrate``, ``reset_state``) are retried only
when the cloud could not be reached, and a refusal (HTTP 400, 403, 404,
409) ends the vmove ``ignored`` with Nova's reason instead of ``failed``.
The failed step stays recorded with Nova's answer.
"""

import threading

from vmotiond import constants
from vmotiond import exception
from vmotiond.engine import names
from vmotiond.engine import runner as runner_mod
from vmotiond.engine import steps as steps_mod
from vmotiond.engine.steps.base import Outcome
from vmotiond.engine.steps.base import StepContext

# Steps whose cloud call Nova may refuse for good.
ASKING_STEPS = {names.MIGRATE: "cold migration",
                names.LIVE_MIGRATE: "live migration",
                names.RESET_STATE: "state reset"}
REFUSALS = (exception.CloudConflict, exception.CloudRefused,
            exception.CloudNotFound)
_NO_RETRY = (exception.CloudUnavailable,)


class PlannedRunner(runner_mod.Runner):
    """``Runner`` that turns Nova's refusals into ``ignored`` vmoves."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lock = threading.Lock()
        self._refused: dict[str, str] = {}

    def _attempts(self, job: runner_mod.Job, step: steps_mod.Step,
                  ctx: StepContext) -> Outcome:
        what = ASKING_STEPS.get(step.name)
        if what is None:
            return super()._attempts(job, step, ctx)
        # An instance attribute shadows the class's retry list.
        step.retry_on = _NO_RETRY  # type: ignore[misc]
        try:
            return super()._attempts(job, step, ctx)
        except exception.StepFailed as exc:
            cause = exc.__cause__
            if isinstance(cause, REFUSALS):
                refused = exception.NovaRefused(what=what, reason=cause)
                with self._lock:
                    self._refused[job.vmove_uuid] = str(refused)
            raise

    def _end(self, job: runner_mod.Job, status: str, message: str,
             expected: tuple[str, ...] = (constants.ONGOING,)) -> None:
        with self._lock:
            refused = self._refused.pop(job.vmove_uuid, None)
        if status == constants.FAILED and refused is not None:
            status, message = constants.IGNORED, refused
        super()._end(job, status, message, expected)
