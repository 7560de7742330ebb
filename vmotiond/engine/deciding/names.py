"""Names of vmove steps and of the reasons a move is ignored.

A vmove's plan is a tuple of step keys: a step name, optionally followed by
``:`` and one argument (``reset_state:error``, ``restore_state:PAUSED``).
Keys are plain strings so a plan can be stored and read back as JSON.
"""

# Steps, in the order they usually run.
RECORD_FLOATING_IPS = "record_floating_ips"
RESET_STATE = "reset_state"              # arg: error | active
EVACUATE = "evacuate"
LIVE_MIGRATE = "live_migrate"
MIGRATE = "migrate"
WAIT_MOVED = "wait_moved"
CONFIRM_RESIZE = "confirm_resize"
START = "start"
STOP = "stop"
RESUME = "resume"
RESTORE_STATE = "restore_state"          # arg: PAUSED | SUSPENDED | RESCUE
REBIND_FLOATING_IPS = "rebind_floating_ips"
CHECK_FLOATING_IPS = "check_floating_ips"

# Why a move is ignored.
IGNORE_ALREADY_MOVED = "already_moved"
IGNORE_OPTED_OUT = "opted_out"
IGNORE_STATE = "state"
IGNORE_NO_CAPACITY = "no_capacity"
IGNORE_NO_TARGET = "no_target"
IGNORE_SERVER_GROUP = "server_group"
IGNORE_ABORTED = "aborted"
IGNORE_SERVICE_OWNED = "service_owned"
IGNORE_LOCAL_DISK = "local_disk"
# Reasons that mean an instance that should have moved could not: the
# notification then ends failed.
UNPLACED_REASONS = frozenset(
    {IGNORE_NO_CAPACITY, IGNORE_NO_TARGET, IGNORE_SERVER_GROUP})

# Target choice for a custom migration: let Nova's scheduler decide.
LET_NOVA_CHOOSE = "*"


def step_key(name: str, arg: str | None = None) -> str:
    """Return the key of a step with an optional argument."""
    return name if arg is None else "%s:%s" % (name, arg)


def parse_step_key(key: str) -> tuple[str, str | None]:
    """Split a step key into its name and argument."""
    name, _sep, arg = key.partition(":")
    return name, (arg or None)
