"""How a runner treats a step's failure: retried, failed, or refused.

A ``RunPolicy`` holds the rules as values; each ``Runner`` is given one.
``RECOVERY`` runs a host's recovery: each step retries on its class's own
``retry_on`` (an evacuation is worth retrying on a 409: Nova may still be
settling the failed host), and every other failure ends the vmove
``failed``. ``OPERATOR`` runs the operator's moves (drain, custom
migration, move-back, reset, release): they ask Nova for something it may
plainly refuse (a rescued instance, a host that cannot take it, an instance
deleted meanwhile), and that answer is final. So the steps that ask
(``migrate``, ``live_migrate``, ``reset_state``) are retried only when the
cloud could not be reached, and a refusal (HTTP 400, 403, 404, 409) ends
the vmove ``ignored`` with Nova's reason instead of ``failed``; the failed
step stays recorded with Nova's answer.
"""

from collections.abc import Mapping
import dataclasses
import types

from vmotiond import exception
from vmotiond.engine.deciding import names
from vmotiond.engine.running.steps.base import Step

Errors = tuple[type[Exception], ...]

# What a step asks Nova for, as the refusal names it.
ASKS: Mapping[str, str] = types.MappingProxyType({
    names.MIGRATE: "cold migration",
    names.LIVE_MIGRATE: "live migration",
    names.RESET_STATE: "state reset"})


@dataclasses.dataclass(frozen=True)
class RunPolicy:
    """Retry and refusal rules of a runner, by step name.

    ``retry_on``: the errors a step's failures are retried on, for the
    steps named; the others retry on their class's ``retry_on``.
    ``refused``: the errors of a step that are Nova's final refusal: they
    end the vmove ``ignored`` instead of ``failed``.
    """

    retry_on: Mapping[str, Errors] = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}))
    refused: Mapping[str, Errors] = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}))

    def retry_errors(self, step: Step) -> Errors:
        """The errors ``step`` is tried again on."""
        return self.retry_on.get(step.name, step.retry_on)

    def refusal(self, step_name: str,
                error: BaseException) -> exception.NovaRefused | None:
        """Nova's refusal that ``error`` of the step is, or None."""
        if not isinstance(error, self.refused.get(step_name, ())):
            return None
        return exception.NovaRefused(what=ASKS.get(step_name, step_name),
                                     reason=error)


RECOVERY = RunPolicy()

_REFUSALS: Errors = (exception.CloudConflict, exception.CloudRefused,
                     exception.CloudNotFound)
OPERATOR = RunPolicy(
    retry_on=types.MappingProxyType(
        {name: (exception.CloudUnavailable,) for name in ASKS}),
    refused=types.MappingProxyType({name: _REFUSALS for name in ASKS}))
