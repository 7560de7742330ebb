"""The API's policy in code: every rule defaults to the reader role.

Operators override any rule in ``policy.yaml`` (``[oslo_policy]
policy_file``); ``tox -e genpolicy`` writes the commented sample.
"""

from oslo_policy import policy

READER = "vmotiond:reader"
NOTIFICATIONS_LIST = "vmotiond:notifications:index"
NOTIFICATIONS_SHOW = "vmotiond:notifications:detail"
VMOVES_LIST = "vmotiond:vmoves:index"
VMOVES_SHOW = "vmotiond:vmoves:detail"
STEPS_LIST = "vmotiond:vmove_steps:index"
HOSTS_LIST = "vmotiond:hosts:index"
HOSTS_SHOW = "vmotiond:hosts:detail"
ALERTS_LIST = "vmotiond:alerts:index"

_BASE = [
    policy.RuleDefault(
        READER, "role:reader or role:admin",
        description="Who may read vmotiond's history and inventory. "
                    "Every rule below defaults to this one."),
]


def _rule(name: str, description: str, *paths: str
          ) -> policy.RuleDefault:
    return policy.DocumentedRuleDefault(
        name=name, check_str="rule:%s" % READER, description=description,
        operations=[{"method": "GET", "path": path} for path in paths])


_RULES = [
    _rule(NOTIFICATIONS_LIST, "List notifications.", "/v1/notifications"),
    _rule(NOTIFICATIONS_SHOW, "Show one notification.",
          "/v1/notifications/{notification_id}"),
    _rule(VMOVES_LIST, "List vmoves, of one notification or all of them.",
          "/v1/notifications/{notification_id}/vmoves", "/v1/vmoves"),
    _rule(VMOVES_SHOW, "Show one vmove.",
          "/v1/notifications/{notification_id}/vmoves/{vmove_id}",
          "/v1/vmoves/{vmove_id}"),
    _rule(STEPS_LIST, "List the steps of one vmove.",
          "/v1/vmoves/{vmove_id}/steps"),
    _rule(HOSTS_LIST, "List the compute hosts vmotiond knows.", "/v1/hosts"),
    _rule(HOSTS_SHOW, "Show one compute host.", "/v1/hosts/{host_name}"),
    # Alerts name hosts and carry raw messages from the bus: admin only.
    policy.DocumentedRuleDefault(
        name=ALERTS_LIST, check_str="role:admin",
        description="List and show alerts (the monitor's, and messages the "
                    "engine refused).",
        operations=[{"method": "GET", "path": "/v1/alerts"},
                    {"method": "GET", "path": "/v1/alerts/{alert_id}"}]),
]


def list_rules() -> list[policy.RuleDefault]:
    """Return every rule (entry point ``oslo.policy.policies``)."""
    return _BASE + _RULES
