"""Names shared by the monitor, the engine, the database and the API."""

# Who the monitor is: the publisher of its messages and the source of the
# notifications it persists.
MONITOR = "vmotiond-monitor"

# Notification types.
COMPUTE_HOST = "COMPUTE_HOST"
HOST_DRAIN = "HOST_DRAIN"
CUSTOM_MIGRATION = "CUSTOM_MIGRATION"
MOVE_BACK = "MOVE_BACK"
RESET_STATE = "RESET_STATE"
HOST_RELEASE = "HOST_RELEASE"   # an operator lifts vmotiond's fence
NOTIFICATION_TYPES = (COMPUTE_HOST, HOST_DRAIN, CUSTOM_MIGRATION, MOVE_BACK,
                      RESET_STATE, HOST_RELEASE)
# Notification types an operator starts (through vmotiond-manage).
OPERATOR_TYPES = (HOST_DRAIN, CUSTOM_MIGRATION, MOVE_BACK, RESET_STATE,
                  HOST_RELEASE)

# Notification statuses.
NOTIFICATION_NEW = "new"
NOTIFICATION_RUNNING = "running"
NOTIFICATION_FINISHED = "finished"
NOTIFICATION_FAILED = "failed"
NOTIFICATION_IGNORED = "ignored"
NOTIFICATION_ABORTED = "aborted"
NOTIFICATION_STATUSES = (
    NOTIFICATION_NEW, NOTIFICATION_RUNNING, NOTIFICATION_FINISHED,
    NOTIFICATION_FAILED, NOTIFICATION_IGNORED, NOTIFICATION_ABORTED)

# vmove types.
EVACUATION = "evacuation"
MIGRATION = "migration"
LIVE_MIGRATION = "live_migration"
STATE_RESET = "reset_state"     # an operator's reset of an instance's state
VMOVE_TYPES = (EVACUATION, MIGRATION, LIVE_MIGRATION, STATE_RESET)

# vmove and step statuses.
PENDING = "pending"
ONGOING = "ongoing"
SUCCEEDED = "succeeded"
FAILED = "failed"
IGNORED = "ignored"
VMOVE_STATUSES = (PENDING, ONGOING, SUCCEEDED, FAILED, IGNORED)
VMOVE_DONE_STATUSES = (SUCCEEDED, FAILED, IGNORED)

# Host roles.
ROLE_NORMAL = "normal"
ROLE_STANDBY = "standby"
HOST_ROLES = (ROLE_NORMAL, ROLE_STANDBY)

# Host states as the monitor's state machine names them.
HOST_UP = "up"
HOST_SUSPECT = "suspect"
HOST_DOWN = "down"
HOST_FENCED = "fenced"
HOST_RECOVERING = "recovering"
HOST_RECOVERED = "recovered"
HOST_MAINTENANCE = "maintenance"
HOST_DISABLED = "disabled"
HOST_STATES = (HOST_UP, HOST_SUSPECT, HOST_DOWN, HOST_FENCED,
               HOST_RECOVERING, HOST_RECOVERED, HOST_MAINTENANCE,
               HOST_DISABLED)

# A compute service disabled with a reason starting with this was disabled
# by vmotiond (fenced, standby, drained); any other disabled service is an
# operator's, and its host is watched but never recovered.
FENCE_REASON_PREFIX = "vmotiond"

# Octavia names its amphorae ``amphora-<uuid>``: the default of
# ``[engine] service_name_patterns``.
AMPHORA_NAME = ("amphora-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                "[0-9a-f]{12}")
# The tag of Octavia's amphora image as deployment tools set its
# ``amp_image_tag``: the default of ``[engine] service_image_tags``.
AMPHORA_IMAGE_TAG = "amphora"
