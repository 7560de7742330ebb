"""Nova's instance states, the API status they show, and who may act.

The tables follow ``nova/compute/vm_states.py``, ``task_states.py``,
``nova/api/openstack/common.py`` (``_STATE_MAP``) and the
``check_instance_state`` decorators of ``nova/compute/api.py``.
"""

from vmotiond.sim import errors

# vm_states
ACTIVE = "active"
BUILDING = "building"
STOPPED = "stopped"
RESIZED = "resized"
PAUSED = "paused"
SUSPENDED = "suspended"
RESCUED = "rescued"
ERROR = "error"
SHELVED = "shelved"
SHELVED_OFFLOADED = "shelved_offloaded"
DELETED = "deleted"

# task_states
REBUILDING = "rebuilding"
REBUILD_SPAWNING = "rebuild_spawning"
MIGRATING = "migrating"
RESIZE_PREP = "resize_prep"
RESIZE_MIGRATING = "resize_migrating"
RESIZE_FINISH = "resize_finish"
RESIZE_REVERTING = "resize_reverting"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
RESCUING = "rescuing"
UNRESCUING = "unrescuing"
PAUSING = "pausing"
UNPAUSING = "unpausing"
SUSPENDING = "suspending"
RESUMING = "resuming"

# power_state values
POWER_NOSTATE = 0
POWER_RUNNING = 1
POWER_PAUSED = 3
POWER_SHUTDOWN = 4

_STATUS = {
    ACTIVE: ("ACTIVE", {REBUILDING: "REBUILD", REBUILD_SPAWNING: "REBUILD",
                        MIGRATING: "MIGRATING", RESIZE_PREP: "RESIZE",
                        RESIZE_MIGRATING: "RESIZE", RESIZE_FINISH: "RESIZE"}),
    BUILDING: ("BUILD", {}),
    STOPPED: ("SHUTOFF", {RESIZE_PREP: "RESIZE", RESIZE_MIGRATING: "RESIZE",
                          RESIZE_FINISH: "RESIZE", REBUILDING: "REBUILD",
                          REBUILD_SPAWNING: "REBUILD"}),
    RESIZED: ("VERIFY_RESIZE", {RESIZE_REVERTING: "REVERT_RESIZE"}),
    PAUSED: ("PAUSED", {MIGRATING: "MIGRATING"}),
    SUSPENDED: ("SUSPENDED", {}),
    RESCUED: ("RESCUE", {}),
    ERROR: ("ERROR", {REBUILDING: "REBUILD", REBUILD_SPAWNING: "REBUILD"}),
    SHELVED: ("SHELVED", {}),
    SHELVED_OFFLOADED: ("SHELVED_OFFLOADED", {}),
    DELETED: ("DELETED", {}),
}

VM_STATES = tuple(_STATUS)

# status -> power_state a server in that vm_state normally has.
POWER_OF_VM_STATE = {
    ACTIVE: POWER_RUNNING, RESIZED: POWER_RUNNING, RESCUED: POWER_RUNNING,
    PAUSED: POWER_PAUSED, STOPPED: POWER_SHUTDOWN,
    SUSPENDED: POWER_SHUTDOWN, SHELVED: POWER_SHUTDOWN,
    SHELVED_OFFLOADED: POWER_NOSTATE, ERROR: POWER_NOSTATE,
    BUILDING: POWER_NOSTATE, DELETED: POWER_NOSTATE,
}


def status_of(vm_state: str, task_state: str | None) -> str:
    """Return the API ``status`` Nova derives from the two states."""
    default, by_task = _STATUS.get(vm_state, ("UNKNOWN", {}))
    if task_state is None:
        return default
    return by_task.get(task_state, default)


ANY_TASK: tuple[str | None, ...] = ("*any*",)

# action -> (allowed vm_states, allowed task_states or ANY_TASK), from the
# check_instance_state decorators in nova/compute/api.py.
ALLOWED: dict[str, tuple[tuple[str, ...], tuple[str | None, ...]]] = {
    "evacuate": ((ACTIVE, STOPPED, ERROR), ANY_TASK),
    "migrate": ((ACTIVE, STOPPED), (None,)),
    "os-migrateLive": ((ACTIVE, PAUSED), (None,)),
    "confirmResize": ((RESIZED,), (None,)),
    "revertResize": ((RESIZED,), (None,)),
    "os-start": ((STOPPED,), (None,)),
    "os-stop": ((ACTIVE, ERROR), (None,)),
    "rescue": ((ACTIVE, STOPPED, ERROR), (None,)),
    "unrescue": ((RESCUED,), (None,)),
    "pause": ((ACTIVE,), (None,)),
    "unpause": ((PAUSED,), (None,)),
    "suspend": ((ACTIVE,), (None,)),
    "resume": ((SUSPENDED,), (None,)),
}


def check_state(action: str, server_id: str, vm_state: str,
                task_state: str | None) -> None:
    """Raise Nova's 409 when ``action`` is not allowed in these states."""
    vm_ok, task_ok = ALLOWED[action]
    if vm_state not in vm_ok:
        raise errors.Conflict(
            "Cannot '%s' instance %s while it is in vm_state %s"
            % (action, server_id, vm_state))
    if task_ok is not ANY_TASK and task_state not in task_ok:
        raise errors.Conflict(
            "Cannot '%s' instance %s while it is in task_state %s"
            % (action, server_id, task_state))
