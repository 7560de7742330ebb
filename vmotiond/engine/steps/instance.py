"""Steps that change an instance's state: reset, start, stop, restore."""

from oslo_log import log as logging

from vmotiond import exception
from vmotiond.cloud import records
from vmotiond.engine.steps.base import Outcome
from vmotiond.engine.steps.base import Step
from vmotiond.engine.steps.base import StepContext
from vmotiond.engine.steps.base import moved_away

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


class _PowerStep(Step):
    """Bring the instance to ``want`` with ``call``, then wait for it."""

    want = ""
    verb = ""

    def call(self, ctx: StepContext) -> None:
        raise NotImplementedError

    def execute(self, ctx: StepContext) -> Outcome:
        server = ctx.server()
        if server.status == self.want and server.task_state is None:
            return Outcome("skipped: %s already" % self.want,
                           {"status": self.want})
        self.call(ctx)

        def check() -> records.Server | None:
            current = ctx.server()
            if current.status == self.want and current.task_state is None:
                return current
            if current.status == "ERROR":
                raise exception.StepFailed(
                    reason="in ERROR after %s" % self.verb)
            return None

        ctx.poll("%s of %s" % (self.verb, ctx.server_id), check,
                 ctx.options.state_timeout)
        return Outcome("%s: %s" % (self.verb, self.want),
                       {"from": server.status, "status": self.want})


class StartInstance(_PowerStep):
    """Start the instance (evacuate at >= 2.95 leaves it SHUTOFF)."""

    name = "start"
    want = "ACTIVE"
    verb = "started"

    def call(self, ctx: StepContext) -> None:
        ctx.cloud.start_server(ctx.server_id)


class StopInstance(_PowerStep):
    """Stop the instance when it was stopped before the move."""

    name = "stop"
    want = "SHUTOFF"
    verb = "stopped"

    def call(self, ctx: StepContext) -> None:
        ctx.cloud.stop_server(ctx.server_id)


class ResumeInstance(_PowerStep):
    """Resume a suspended instance (Nova moves no suspended instance)."""

    name = "resume"
    want = "ACTIVE"
    verb = "resumed"

    def call(self, ctx: StepContext) -> None:
        ctx.cloud.resume_server(ctx.server_id)

    def revert(self, ctx: StepContext, outcome: Outcome) -> None:
        """Suspend it again when the move after the resume failed."""
        if outcome.context.get("from") != "SUSPENDED":
            return
        try:
            if ctx.server().status == "ACTIVE":
                ctx.cloud.suspend_server(ctx.server_id)
        except exception.CloudError as exc:
            LOG.warning("Could not suspend %s again: %s", ctx.server_id, exc)


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
        server = ctx.server()
        if want not in _RESTORE:
            raise exception.StepFailed(
                reason="it was %s before the move and vmotiond cannot put it "
                       "back (Nova needs the rescue image and password); it "
                       "is %s on host %s: put it back by hand"
                       % (want or "unknown", server.status, server.host))
        if server.status == want and server.task_state is None:
            return Outcome("skipped: %s already" % want, {"status": want})
        getattr(ctx.cloud, _RESTORE[want])(ctx.server_id)

        def check() -> records.Server | None:
            current = ctx.server()
            if current.status == want and current.task_state is None:
                return current
            if current.status == "ERROR":
                raise exception.StepFailed(
                    reason="in ERROR while being put back to %s" % want)
            return None

        ctx.poll("restore of %s to %s" % (ctx.server_id, want), check,
                 ctx.options.state_timeout)
        return Outcome("restored to %s" % want, {"status": want})
