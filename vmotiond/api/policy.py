"""Policy enforcement with oslo.policy over the rules in code.

oslo.policy looks for the policy files and walks the rule's checks at
every call (twice per page for a project-scoped list); ``Policy`` keeps
the rules it granted to a caller and answers them again without asking,
for ``RECHECK_SECONDS`` at most and until the rules change: a policy file
edited on disk applies within that time. Refusals are never kept.
"""

from collections.abc import Hashable
from collections.abc import Mapping
from typing import Any

from oslo_config import cfg
from oslo_context import context as context_mod
from oslo_policy import policy

from vmotiond import clock as clock_mod
from vmotiond.api import policies

# How long a granted rule is taken as granted without asking oslo.policy.
RECHECK_SECONDS = 1.0
# A bound on the granted decisions kept (each distinct caller and rule).
MAX_GRANTED = 4096


class Enforcer(policy.Enforcer):
    """oslo.policy's Enforcer, counting the changes of its rules."""

    generation = 0

    def set_rules(self, *args: Any, **kwargs: Any) -> None:
        self.generation += 1
        super().set_rules(*args, **kwargs)

    def clear(self) -> None:
        self.generation += 1
        super().clear()


def make_enforcer(conf: cfg.ConfigOpts) -> Enforcer:
    """Return an Enforcer with vmotiond's defaults registered."""
    enforcer = Enforcer(conf)
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


_SCALARS = (str, int, float, type(None))


def _frozen(value: Any) -> Hashable:
    """``value`` as a hashable key; lists and mappings by their items."""
    if isinstance(value, _SCALARS):
        kept: Hashable = value
        return kept
    if isinstance(value, (list, tuple)):
        return tuple([_frozen(item) for item in value])
    if isinstance(value, (set, frozenset)):
        return tuple(sorted([_frozen(item) for item in value], key=repr))
    if isinstance(value, Mapping):
        return tuple(sorted([(key, _frozen(item))
                             for key, item in value.items()]))
    hash(value)  # TypeError: not to be kept
    kept = value
    return kept


def decision_key(rule: str, target: Mapping[str, Any],
                 credentials: Mapping[str, Any]) -> Hashable | None:
    """What a decision depends on: the rule, its target and the caller's
    policy values; None when one of them cannot be a key."""
    try:
        return rule, _frozen(target), _frozen(credentials)
    except TypeError:
        return None


class Policy:
    """Authorizes a request context against one rule."""

    def __init__(self, conf: cfg.ConfigOpts,
                 enforcer: policy.Enforcer | None = None,
                 clock: clock_mod.Clock | None = None) -> None:
        self.enforcer = enforcer or make_enforcer(conf)
        self._clock = clock or clock_mod.Clock()
        self._granted: set[Hashable] = set()
        self._valid: tuple[int, float] | None = None

    def authorize(self, context: context_mod.RequestContext, rule: str,
                  target: dict[str, Any] | None = None) -> None:
        """Raise oslo_policy.policy.PolicyNotAuthorized unless allowed."""
        target = target or {"project_id": context.project_id,
                            "user_id": context.user_id}
        key = self._key(context, rule, target)
        if key is not None and key in self._granted:
            return
        self.enforcer.authorize(rule, target, context, do_raise=True)
        self._grant(key)

    def allows(self, context: context_mod.RequestContext,
               rule: str) -> bool:
        """Say whether ``context`` passes ``rule``, without raising."""
        target = {"project_id": context.project_id,
                  "user_id": context.user_id}
        key = self._key(context, rule, target)
        if key is not None and key in self._granted:
            return True
        allowed = bool(self.enforcer.authorize(rule, target, context,
                                               do_raise=False))
        if allowed:
            self._grant(key)
        return allowed

    def _key(self, context: context_mod.RequestContext, rule: str,
             target: Mapping[str, Any]) -> Hashable | None:
        """The decision's key, after forgetting every decision kept if
        the rules changed or ``RECHECK_SECONDS`` passed; None: not kept
        (an enforcer that does not count its changes)."""
        generation = getattr(self.enforcer, "generation", None)
        if generation is None:
            return None
        valid = self._valid
        if valid is None or valid[0] != generation or \
                self._clock.monotonic() >= valid[1]:
            self._granted = set()
            self._valid = None
        return decision_key(rule, target, context.to_policy_values())

    def _grant(self, key: Hashable | None) -> None:
        if key is None:
            return
        if self._valid is None:
            self._valid = (getattr(self.enforcer, "generation", 0),
                           self._clock.monotonic() + RECHECK_SECONDS)
        if len(self._granted) >= MAX_GRANTED:
            self._granted = set()
        self._granted.add(key)
