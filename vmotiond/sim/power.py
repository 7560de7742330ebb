"""Power and state actions: start, stop, rescue, unrescue, pause, unpause,
suspend, resume, reset state; lock and unlock.

They take effect after their simulated latency, and only while the
server's nova-compute runs (a cast to a dead compute leaves the task
state stuck, as on a real cloud); a held one (``SimCloud.hold``) keeps its
task state (``powering-off``...) until released. Call with the cloud's
lock held.
"""

import datetime
import secrets
from typing import TYPE_CHECKING

from vmotiond.sim import errors
from vmotiond.sim import model
from vmotiond.sim import states

if TYPE_CHECKING:
    from vmotiond.sim.cloud import SimCloud

RESET_STATES = ("active", "error")

# action -> (latency op, task_state while running, final vm_state)
_ACTIONS = {
    "os-start": ("start", states.POWERING_ON, states.ACTIVE),
    "os-stop": ("stop", states.POWERING_OFF, states.STOPPED),
    "rescue": ("rescue", states.RESCUING, states.RESCUED),
    "unrescue": ("unrescue", states.UNRESCUING, states.ACTIVE),
    "pause": ("pause", states.PAUSING, states.PAUSED),
    "unpause": ("unpause", states.UNPAUSING, states.ACTIVE),
    "suspend": ("suspend", states.SUSPENDING, states.SUSPENDED),
    "resume": ("resume", states.RESUMING, states.ACTIVE),
}


def power_action(cloud: "SimCloud", server_id: str, action: str) -> str | None:
    """Run ``os-start``/``os-stop``/``rescue``/``unrescue``/``pause``/
    ``unpause``/``suspend``/``resume``.

    Returns the admin password for ``rescue``, else None.
    """
    now = cloud.tick()
    server = cloud.state.get_server(server_id)
    states.check_state(action, server.id, server.vm_state, server.task_state)
    if server.host is None:
        raise errors.Conflict("Instance %s is not ready" % server.id)
    op, task, final = _ACTIONS[action]
    server.task_state = task
    server.updated_at = now
    host = cloud.state.hosts[server.host]

    def finish(at: datetime.datetime) -> None:
        if not host.compute_running or server.host != host.name:
            return
        server.vm_state, server.task_state = final, None
        server.power_state = states.POWER_OF_VM_STATE[final]
        server.updated_at = at

    cloud.timeline.after(op, now, cloud.chaos.duration(op), finish)
    cloud.tick()
    return secrets.token_urlsafe(9) if action == "rescue" else None


def reset_state(cloud: "SimCloud", server_id: str, state: str) -> None:
    """``os-resetState``: set vm_state, clear task_state, at once."""
    now = cloud.tick()
    server: model.Server = cloud.state.get_server(server_id)
    if state not in RESET_STATES:
        raise errors.BadRequest(
            "Invalid input for field/attribute state. Value: %s. %r is not "
            "one of ['active', 'error']" % (state, state))
    server.vm_state, server.task_state = state, None
    server.updated_at = now


def lock(cloud: "SimCloud", server_id: str, reason: str | None) -> None:
    """``lock``: at once, in any state; locking a locked server again
    keeps its reason unless a new one is given, as Nova does."""
    server: model.Server = cloud.state.get_server(server_id)
    server.locked = True
    if reason:
        server.locked_reason = reason


def unlock(cloud: "SimCloud", server_id: str) -> None:
    """``unlock``: at once; unlocking an unlocked server is no error."""
    server: model.Server = cloud.state.get_server(server_id)
    server.locked, server.locked_reason = False, None
