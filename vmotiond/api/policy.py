"""Policy enforcement with oslo.policy over the rules in code."""

from typing import Any

from oslo_config import cfg
from oslo_context import context as context_mod
from oslo_policy import policy

from vmotiond.api import policies


def make_enforcer(conf: cfg.ConfigOpts) -> policy.Enforcer:
    """Return an Enforcer with vmotiond's defaults registered."""
    enforcer = policy.Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    return enforcer


def get_enforcer() -> policy.Enforcer:
    """Entry point ``oslo.policy.enforcer`` for the oslopolicy tools.

    Reads ``/etc/vmotiond/vmotiond.conf`` if present, so overrides in the
    configured policy file are seen.
    """
    conf = cfg.ConfigOpts()
    conf([], project="vmotiond")
    return make_enforcer(conf)


class Policy:
    """Authorizes a request context against one rule."""

    def __init__(self, conf: cfg.ConfigOpts,
                 enforcer: policy.Enforcer | None = None) -> None:
        self.enforcer = enforcer or make_enforcer(conf)

    def authorize(self, context: context_mod.RequestContext, rule: str,
                  target: dict[str, Any] | None = None) -> None:
        """Raise oslo_policy.policy.PolicyNotAuthorized unless allowed."""
        target = target or {"project_id": context.project_id,
                            "user_id": context.user_id}
        self.enforcer.authorize(rule, target, context, do_raise=True)

    def allows(self, context: context_mod.RequestContext,
               rule: str) -> bool:
        """Say whether ``context`` passes ``rule``, without raising."""
        target = {"project_id": context.project_id,
                  "user_id": context.user_id}
        return bool(self.enforcer.authorize(rule, target, context,
                                            do_raise=False))
