"""The API's policy in code: admin only by default, as Masakari.

``vmotiond:reader`` (the whole cloud's history and inventory) defaults to
the admin role, or the reader role on a system-scoped token.
``vmotiond:project_reader`` lets the callers it names read the vmoves of
their own project's instances, and nothing else: the API filters those
queries on the token's project. It matches nobody unless a deployment sets
it, for example to ``role:reader``.

``vmotiond:operator`` (the operator's actions: they change hosts and
move instances) defaults to the admin role only; each action's rule
defaults to it.

Operators override any rule in ``policy.yaml`` (``[oslo_policy]
policy_file``); ``tox -e genpolicy`` writes the commented sample.
"""

from oslo_policy import policy

READER = "vmotiond:reader"
PROJECT_READER = "vmotiond:project_reader"
NOTIFICATIONS_LIST = "vmotiond:notifications:index"
NOTIFICATIONS_SHOW = "vmotiond:notifications:detail"
VMOVES_LIST = "vmotiond:vmoves:index"
VMOVES_SHOW = "vmotiond:vmoves:detail"
STEPS_LIST = "vmotiond:vmove_steps:index"
HOSTS_LIST = "vmotiond:hosts:index"
HOSTS_SHOW = "vmotiond:hosts:detail"
ALERTS_LIST = "vmotiond:alerts:index"
OPERATOR = "vmotiond:operator"
OPERATOR_HOSTS = "vmotiond:operator:hosts:action"
OPERATOR_INSTANCES = "vmotiond:operator:instances:action"
OPERATOR_VMOVES = "vmotiond:operator:vmoves:action"
OPERATOR_NOTIFICATIONS = "vmotiond:operator:notifications:action"
OPERATOR_INSTANCES_READ = "vmotiond:operator:instances:index"

_BASE = [
    policy.RuleDefault(
        READER, "role:admin or (role:reader and system_scope:all)",
        description="Who may read the whole cloud's history and "
                    "inventory. Every rule below defaults to this one."),
    policy.RuleDefault(
        PROJECT_READER, "!",
        description="Who may read the vmoves of their own project's "
                    "instances, and nothing else (set it to "
                    "\"role:reader\" to let project readers do so). The "
                    "vmove rules below also allow it; the API then lists "
                    "and shows only the vmoves of the token's project."),
    policy.RuleDefault(
        OPERATOR, "role:admin",
        description="Who may act: set hosts' roles and switches, drain, "
                    "move back, release, migrate and reset instances, "
                    "redo, reset and delete vmoves, abort notifications. "
                    "Every operator action rule defaults to this one."),
]


def _rule(name: str, description: str, *paths: str,
          project: bool = False) -> policy.RuleDefault:
    check = "rule:%s" % READER
    if project:
        check += " or rule:%s" % PROJECT_READER
    return policy.DocumentedRuleDefault(
        name=name, check_str=check, description=description,
        operations=[{"method": "GET", "path": path} for path in paths])


_RULES = [
    _rule(NOTIFICATIONS_LIST, "List notifications.", "/v1/notifications"),
    _rule(NOTIFICATIONS_SHOW, "Show one notification.",
          "/v1/notifications/{notification_id}"),
    _rule(VMOVES_LIST, "List vmoves, of one notification or all of them "
          "(a project reader: its project's, with /v1/vmoves).",
          "/v1/notifications/{notification_id}/vmoves", "/v1/vmoves",
          project=True),
    _rule(VMOVES_SHOW, "Show one vmove (a project reader: one of its "
          "project's, with /v1/vmoves/{vmove_id}).",
          "/v1/notifications/{notification_id}/vmoves/{vmove_id}",
          "/v1/vmoves/{vmove_id}", project=True),
    _rule(STEPS_LIST, "List the steps of one vmove.",
          "/v1/vmoves/{vmove_id}/steps", project=True),
    _rule(HOSTS_LIST, "List the compute hosts vmotiond knows.", "/v1/hosts"),
    _rule(HOSTS_SHOW, "Show one compute host.", "/v1/hosts/{host_name}"),
    _rule(OPERATOR_INSTANCES_READ, "List Nova's instances (of a host, or "
          "all of them page by page) and the hosts vmotiond's planner "
          "accepts as the target of a selection, read by the engine.",
          "/v1/operator/hosts/{host_name}/instances",
          "/v1/operator/instances", "/v1/operator/instances/targets"),
    # Alerts name hosts and carry raw messages from the bus: admin only.
    policy.DocumentedRuleDefault(
        name=ALERTS_LIST, check_str="role:admin",
        description="List and show alerts (the monitor's, and messages the "
                    "engine refused).",
        operations=[{"method": "GET", "path": "/v1/alerts"},
                    {"method": "GET", "path": "/v1/alerts/{alert_id}"}]),
]




def _action(name: str, description: str, *paths: str
            ) -> policy.DocumentedRuleDefault:
    return policy.DocumentedRuleDefault(
        name=name, check_str="rule:%s" % OPERATOR, description=description,
        operations=[{"method": "POST", "path": path} for path in paths])


_ACTIONS = [
    _action(OPERATOR_HOSTS, "Act on a host: set its role and switches, "
            "drain it, move back to it, release its fence; or sync every "
            "host from Nova now.",
            "/v1/operator/hosts/{host_name}/action",
            "/v1/operator/hosts/action"),
    _action(OPERATOR_INSTANCES, "Migrate instances or reset their state.",
            "/v1/operator/instances/action"),
    _action(OPERATOR_VMOVES, "Redo, reset or delete a vmove.",
            "/v1/operator/vmoves/{vmove_id}/action"),
    _action(OPERATOR_NOTIFICATIONS, "Abort a notification, or redo or "
            "reset its vmoves together.",
            "/v1/operator/notifications/{notification_id}/action"),
]


def list_rules() -> list[policy.RuleDefault]:
    """Return every rule (entry point ``oslo.policy.policies``)."""
    return _BASE + _RULES + _ACTIONS
