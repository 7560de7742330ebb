"""Latency distributions, injected faults and per-server call counts.

Two kinds of time: *operation* latency is simulated time a long operation
takes inside the cloud (``evacuate``, ``migrate``, ...); *HTTP* latency is
real time a response is held back, keyed by route operation names such as
``compute.action.evacuate`` or ``compute.servers.list`` (fnmatch patterns
allowed).
"""

import dataclasses
import fnmatch
import itertools
import random
from typing import Any

from vmotiond.sim import errors

# Simulated seconds each long operation takes by default.
DEFAULT_LATENCY = {
    "evacuate": 2.0,
    "migrate": 3.0,
    "live_migrate": 3.0,
    "confirm_resize": 0.5,
    "revert_resize": 2.0,
    "stop": 0.5,
    "start": 0.5,
    "rescue": 1.0,
    "unrescue": 1.0,
    "pause": 0.5,
    "unpause": 0.5,
    "suspend": 1.0,
    "resume": 1.0,
    # ACTIVE with no task_state is visible this long before the host
    # field changes (as seen in real Nova).
    "host_update_lag": 0.5,
}

# The operations SimCloud.hold can hold: the ones with a long phase.
LONG_OPERATIONS = tuple(op for op in DEFAULT_LATENCY
                        if op != "host_update_lag")


def long_operation(op: str) -> str:
    """Return ``op`` if it is one of ``LONG_OPERATIONS``; else 400."""
    if op not in LONG_OPERATIONS:
        raise errors.BadRequest("%s is not a long operation (%s)" % (
            op, ", ".join(LONG_OPERATIONS)))
    return op


FAULT_KINDS = ("http_500", "http_503", "timeout", "error_state",
               "fip_unbound")


@dataclasses.dataclass
class Distribution:
    """A latency distribution in seconds, never negative."""

    kind: str = "fixed"      # fixed, uniform, normal, lognormal, exponential
    value: float = 0.0       # fixed value, or mean (normal, exponential)
    low: float = 0.0         # uniform
    high: float = 0.0        # uniform
    sigma: float = 0.0       # normal, lognormal (mu is log(value))

    def sample(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            out = self.value
        elif self.kind == "uniform":
            out = rng.uniform(self.low, self.high)
        elif self.kind == "normal":
            out = rng.gauss(self.value, self.sigma)
        elif self.kind == "lognormal":
            out = rng.lognormvariate(_log(self.value), self.sigma)
        elif self.kind == "exponential":
            out = rng.expovariate(1.0 / self.value) if self.value else 0.0
        else:
            raise ValueError("unknown distribution %s" % self.kind)
        return max(0.0, out)

    @classmethod
    def parse(cls, spec: "float | int | dict[str, Any] | Distribution"
              ) -> "Distribution":
        """Accept a number (fixed) or a dict such as ``{"kind": ...}``."""
        if isinstance(spec, Distribution):
            return spec
        if isinstance(spec, (int, float)):
            return cls("fixed", float(spec))
        dist = cls(**spec)
        if dist.kind not in ("fixed", "uniform", "normal", "lognormal",
                             "exponential"):
            raise ValueError("unknown distribution %s" % dist.kind)
        return dist


def _log(value: float) -> float:
    import math
    return math.log(value) if value > 0 else 0.0


@dataclasses.dataclass
class FaultRule:
    """Inject ``kind`` into calls of ``op`` (an fnmatch pattern).

    ``count`` limits how many times it fires (None: always), ``server_id``
    and ``host`` narrow it. ``timeout`` holds the request ``seconds`` of
    real time; with ``apply`` the call still takes effect (the client only
    sees the time-out), without it the call is dropped and answers 504.
    """

    op: str
    kind: str
    count: int | None = None
    probability: float = 1.0
    server_id: str | None = None
    host: str | None = None
    seconds: float = 30.0
    apply: bool = True
    id: int = 0
    fired: int = 0

    def matches(self, op: str, server_id: str | None,
                host: str | None) -> bool:
        if self.count is not None and self.fired >= self.count:
            return False
        if not fnmatch.fnmatchcase(op, self.op):
            return False
        if self.server_id is not None and self.server_id != server_id:
            return False
        if self.host is not None and self.host != host:
            return False
        return True

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Partition:
    """The API unreachable: ``503`` answers, or ``timeout`` (held)."""

    mode: str = "503"
    users: frozenset[str] | None = None   # None: every caller
    seconds: float = 30.0


class Chaos:
    """Fault rules, latencies and call counts of one simulated cloud."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = random.Random(seed)
        self.latency: dict[str, Distribution] = {
            op: Distribution("fixed", v) for op, v in DEFAULT_LATENCY.items()}
        self.http_latency: dict[str, Distribution] = {}
        self.rules: list[FaultRule] = []
        self.partition: Partition | None = None
        self.calls: dict[str, dict[str, dict[str, int]]] = {}
        # A harness count, not Nova's: calls that change the cloud (any
        # method but GET and HEAD) being answered now, and the most seen.
        self.acting = 0
        self.acting_peak = 0
        self._rule_ids = itertools.count(1)

    def duration(self, op: str) -> float:
        dist = self.latency.get(op)
        return dist.sample(self.rng) if dist else 0.0

    def http_delay(self, op: str) -> float:
        for pattern, dist in self.http_latency.items():
            if fnmatch.fnmatchcase(op, pattern):
                return dist.sample(self.rng)
        return 0.0

    def add_rule(self, rule: FaultRule) -> FaultRule:
        if rule.kind not in FAULT_KINDS:
            raise ValueError("unknown fault kind %s" % rule.kind)
        rule.id = next(self._rule_ids)
        self.rules.append(rule)
        return rule

    def take(self, op: str, kinds: tuple[str, ...],
             server_id: str | None = None,
             host: str | None = None) -> FaultRule | None:
        """Return (and count) the first rule of ``kinds`` that fires."""
        for rule in self.rules:
            if rule.kind in kinds and rule.matches(op, server_id, host):
                if self.rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                return rule
        return None

    def record_call(self, server_id: str, action: str,
                    accepted: bool) -> None:
        counts = self.calls.setdefault(server_id, {}).setdefault(
            action, {"calls": 0, "accepted": 0})
        counts["calls"] += 1
        if accepted:
            counts["accepted"] += 1

    def count(self, server_id: str, action: str,
              accepted: bool = False) -> int:
        counts = self.calls.get(server_id, {}).get(action)
        if counts is None:
            return 0
        return counts["accepted" if accepted else "calls"]
