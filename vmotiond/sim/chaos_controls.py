"""The chaos of the simulated cloud (a part of ``SimCloud``).

Partitions, fault rules, latencies, operations held in progress, and the
counts of the calls the cloud answered.
"""

from collections.abc import Callable
import datetime
import threading
from typing import Any

from vmotiond.sim import chaos as chaos_mod
from vmotiond.sim import errors
from vmotiond.sim import timeline as timeline_mod


class ChaosControls:
    """What ``SimCloud`` offers to break its API and watch its calls."""

    lock: threading.RLock
    chaos: chaos_mod.Chaos
    timeline: timeline_mod.Timeline
    tick: Callable[[], datetime.datetime]

    def partition(self, mode: str = "503", users: list[str] | None = None,
                  seconds: float = 30.0) -> None:
        """Cut callers (all, or the named users) off the API."""
        if mode not in ("503", "timeout"):
            raise errors.BadRequest("partition mode is 503 or timeout")
        with self.lock:
            self.chaos.partition = chaos_mod.Partition(
                mode, frozenset(users) if users else None, seconds)

    def heal(self) -> None:
        with self.lock:
            self.chaos.partition = None

    def add_fault(self, op: str, kind: str, **kw: Any) -> chaos_mod.FaultRule:
        with self.lock:
            try:
                return self.chaos.add_rule(chaos_mod.FaultRule(op, kind, **kw))
            except (TypeError, ValueError) as exc:
                raise errors.BadRequest(str(exc)) from None

    def clear_faults(self) -> None:
        with self.lock:
            self.chaos.rules.clear()

    def set_latency(self, op: str, spec: Any) -> None:
        """Simulated duration of a long operation (``evacuate``, ...)."""
        with self.lock:
            try:
                self.chaos.latency[op] = chaos_mod.Distribution.parse(spec)
            except (TypeError, ValueError) as exc:
                raise errors.BadRequest(str(exc)) from None

    def set_http_latency(self, op: str, spec: Any) -> None:
        """Real delay before answering calls of route ``op`` (pattern)."""
        with self.lock:
            try:
                self.chaos.http_latency[op] = chaos_mod.Distribution.parse(
                    spec)
            except (TypeError, ValueError) as exc:
                raise errors.BadRequest(str(exc)) from None

    def hold(self, op: str) -> None:
        """Park every ``op`` (``live_migrate``, ``evacuate``, ``stop``...)
        that reaches its long phase until :meth:`release`; each stays in
        progress as Nova shows it (see ``moves`` and ``power``)."""
        with self.lock:
            self.tick()
            self.timeline.hold(chaos_mod.long_operation(op))

    def release(self, op: str) -> int:
        """Stop holding ``op``: what it parked runs the rest of its latency
        from now. Returns how many operations were parked."""
        with self.lock:
            return self.timeline.release(chaos_mod.long_operation(op),
                                         self.tick())

    def held(self) -> dict[str, int]:
        """Each held operation and how many it has parked."""
        with self.lock:
            self.tick()
            return self.timeline.held()

    def action_count(self, server_id: str, action: str,
                     accepted: bool = False) -> int:
        """How many ``action`` calls (or accepted ones) a server got."""
        with self.lock:
            return self.chaos.count(server_id, action, accepted)

    def acting_peak(self) -> int:
        """The most calls that change the cloud answered at once (a
        harness count: how hard a client pressed, not Nova's behaviour)."""
        with self.lock:
            return self.chaos.acting_peak

    def action_counts(self) -> dict[str, dict[str, dict[str, int]]]:
        with self.lock:
            return {sid: {a: dict(c) for a, c in acts.items()}
                    for sid, acts in self.chaos.calls.items()}

