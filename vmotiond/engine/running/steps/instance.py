"""Steps that change an instance's state: reset, start, stop, restore."""

from oslo_log import log as logging

from vmotiond import exception
from vmotiond.cloud import records
from vmotiond.engine.running.steps.base import Outcome
from vmotiond.engine.running.steps.base import Step
from vmotiond.engine.running.steps.base import StepContext
from vmotiond.engine.running.steps.base import moved_away

LOG = logging.getLogger(__name__)


class ResetInstanceState(Step):
    """Reset the vm_state (``error`` or ``active``) so Nova can evacuate."""

    name = "reset_state"

    def execute(self, ctx: StepContext) -> Outcome:
        state = self.arg or "error"
        server = ctx.server()
        if moved_away(server, ctx.source_host):
            return Outcome("skipped: already on host %s" % server.host)
        if server.vm_state == state and server.task_state is None:
            return Outcome("skipped: vm_state is %s already" % state)
        ctx.cloud.reset_server_state(ctx.server_id, state)
        return Outcome("vm_state %s reset to %s" % (server.vm_state, state),
                       {"previous_vm_state": server.vm_state, "reset": True})

    def revert(self, ctx: StepContext, outcome: Outcome) -> None:
        """Put back an active/error vm_state if the instance never left."""
        previous = outcome.context.get("previous_vm_state")
        if not outcome.context.get("reset") or previous not in ("active",
                                                                "error"):
            return
        try:
            server = ctx.server()
            if not moved_away(server, ctx.source_host):
                ctx.cloud.reset_server_state(ctx.server_id, previous)
        except exception.CloudError as exc:
            LOG.warning("Could not reset %s back to %s: %s", ctx.server_id,
                        previous, exc)


def _already(server: records.Server, want: str) -> Outcome | None:
    """The outcome of a step when the instance is ``want`` already; None
    when it is not."""
    if server.status == want and server.task_state is None:
        return Outcome("skipped: %s already" % want, {"status": want})
    return None


def _wait_for(ctx: StepContext, want: str, what: str, error: str) -> None:
    """Poll until the instance is ``want`` with no task in progress.

    It failing into ERROR fails the step at once, saying ``error``.
    """

    def check() -> records.Server | None:
        current = ctx.server()
        if current.status == want and current.task_state is None:
            return current
        if current.status == "ERROR":
            raise exception.StepFailed(reason=error)
        return None

    ctx.poll(what, check, ctx.options.state_timeout)


class _PowerStep(Step):
    """Bring the instance to ``want`` with the cloud's ``call``, then wait
    for it; ``verb`` is what the step says it did."""

    want = ""
    verb = ""
    call = ""

    def execute(self, ctx: StepContext) -> Outcome:
        server = ctx.recent()
        skipped = _already(server, self.want)
        if skipped is not None:
            return skipped
        getattr(ctx.cloud, self.call)(ctx.server_id)
        _wait_for(ctx, self.want, "%s of %s" % (self.verb, ctx.server_id),
                  "in ERROR after %s" % self.verb)
        return Outcome("%s: %s" % (self.verb, self.want),
                       {"from": server.status, "status": self.want})


class StartInstance(_PowerStep):
    """Start the instance (evacuate at >= 2.95 leaves it SHUTOFF)."""

    name, want, verb, call = "start", "ACTIVE", "started", "start_server"


class ResumeInstance(_PowerStep):
    """Resume a suspended instance (Nova moves no suspended instance)."""

    name, want, verb, call = "resume", "ACTIVE", "resumed", "resume_server"

    def revert(self, ctx: StepContext, outcome: Outcome) -> None:
        """Suspend it again when the move after the resume failed."""
        if outcome.context.get("from") != "SUSPENDED":
            return
        try:
            if ctx.server().status == "ACTIVE":
                ctx.cloud.suspend_server(ctx.server_id)
        except exception.CloudError as exc:
            LOG.warning("Could not suspend %s again: %s", ctx.server_id, exc)


class StopInstance(_PowerStep):
    """Stop the instance when it was stopped before the move."""

    name, want, verb, call = "stop", "SHUTOFF", "stopped", "stop_server"


# Status to restore -> the cloud call that brings an ACTIVE instance there.
_RESTORE = {"PAUSED": "pause_server", "SUSPENDED": "suspend_server"}


class RestoreInstanceState(Step):
    """Put the instance back in the state it had before the move.

    Paused and suspended instances are paused or suspended again. A rescue
    cannot be redone (Nova needs the rescue image and password): the step
    fails, so the vmove does not claim the instance is as it was; the
    instance runs where it landed and the message says so.
    """

    name = "restore_state"

    def execute(self, ctx: StepContext) -> Outcome:
        want = (self.arg or "").upper()
        server = ctx.recent()
        if want not in _RESTORE:
            raise exception.StepFailed(
                reason="it was %s before the move and vmotiond cannot put it "
                       "back (Nova needs the rescue image and password); it "
                       "is %s on host %s: put it back by hand"
                       % (want or "unknown", server.status, server.host))
        skipped = _already(server, want)
        if skipped is not None:
            return skipped
        getattr(ctx.cloud, _RESTORE[want])(ctx.server_id)
        _wait_for(ctx, want, "restore of %s to %s" % (ctx.server_id, want),
                  "in ERROR while being put back to %s" % want)
        return Outcome("restored to %s" % want, {"status": want})
