"""The planner's records: its options, its inputs and the plan it returns.

Plain frozen dataclasses, no I/O, so the planner stays a pure function and
a plan can be printed (``host plan``) or stored (one vmove per move).
"""

from collections.abc import Iterable
from collections.abc import Mapping
import dataclasses
import re

from vmotiond.cloud import records
from vmotiond.conf import defaults
from vmotiond.engine.deciding import names

_OPTION = defaults.Group("engine")


def _patterns(texts: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(t) for t in texts)


@dataclasses.dataclass(frozen=True)
class PlanOptions(defaults.Mirror):
    """What the planner takes from ``[engine]``."""

    ram_weight: float = _OPTION("ram_weight", float)
    vcpu_weight: float = _OPTION("vcpu_weight", float)
    disk_weight: float = _OPTION("disk_weight", float)
    evacuate_error_instances: bool = _OPTION("evacuate_error_instances",
                                             bool)
    ha_enabled_only: bool = _OPTION("ha_enabled_only", bool)
    protection_metadata_key: str = _OPTION("protection_metadata_key", str)
    protection_flavor_key: str = _OPTION("protection_flavor_key", str)
    protection_aggregate_key: str = _OPTION("protection_aggregate_key", str)
    protection_image_key: str = _OPTION("protection_image_key", str)
    protected_names: tuple[re.Pattern[str], ...] = _OPTION.derived(
        "protected_name_patterns", list, _patterns)
    evacuate_service_instances: bool = _OPTION("evacuate_service_instances",
                                               bool)
    service_projects: frozenset[str] = _OPTION.derived(
        "service_projects", list, frozenset)
    service_names: tuple[re.Pattern[str], ...] = _OPTION.derived(
        "service_name_patterns", list, _patterns)
    service_image_tags: frozenset[str] = _OPTION.derived(
        "service_image_tags", list, frozenset)
    shared_storage_hosts: frozenset[str] = _OPTION.derived(
        "shared_instance_storage", list, frozenset)
    local_disk_policy: str = _OPTION("local_disk_policy", str)
    default_priority: int = _OPTION("default_priority", int)
    floating_ips: bool = _OPTION("floating_ip_steps", bool)


@dataclasses.dataclass(frozen=True)
class TargetHost:
    """A compute host as a candidate target of moves.

    ``unusable`` says why the host may not receive instances (service down,
    disabled normal host, excluded, no capacity data); None when it may.
    """

    name: str
    zone: str | None
    role: str
    capacity: records.HostCapacity | None
    unusable: str | None = None

    @property
    def usable(self) -> bool:
        return self.unusable is None


@dataclasses.dataclass(frozen=True)
class ServerGroup:
    """A Nova server group: its policy and where its members run now."""

    id: str
    policy: str            # anti-affinity, soft-anti-affinity, affinity, ...
    member_hosts: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class MoveIntent:
    """An instance that should move, before a target is chosen."""

    server: records.Server
    source_host: str
    move_type: str
    priority: int
    steps: tuple[str, ...]
    final_status: str | None     # status it should end in; None: Nova's
    note: str | None = None      # what the operator must know of it


@dataclasses.dataclass(frozen=True)
class PlannedMove:
    """One move of the plan: an instance, its target and its steps."""

    server: records.Server
    source_host: str
    dest_host: str | None        # None: Nova's scheduler chooses
    move_type: str
    priority: int
    steps: tuple[str, ...]
    final_status: str | None
    note: str | None = None      # the vmove's first message

    def spec(self) -> dict[str, object]:
        """Return what must be stored to run or resume this move."""
        return {"steps": list(self.steps),
                "final_status": self.final_status,
                "original_status": self.server.status,
                "original_vm_state": self.server.vm_state,
                "dest_host": self.dest_host}


@dataclasses.dataclass(frozen=True)
class IgnoredMove:
    """An instance that will not move, and why (an operator's sentence)."""

    server: records.Server
    source_host: str | None
    move_type: str
    priority: int
    reason: str                  # one of names.IGNORE_*
    message: str


@dataclasses.dataclass(frozen=True)
class Plan:
    """Moves in execution order, ignored instances, and the verdict;
    ``notes``: what the operator must know of the whole plan (said once
    in its notification's message, not in each vmove's)."""

    moves: tuple[PlannedMove, ...]
    ignored: tuple[IgnoredMove, ...]
    notes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """False when an instance that should move found no target."""
        return not self.unplaced

    @property
    def unplaced(self) -> tuple[IgnoredMove, ...]:
        return tuple(i for i in self.ignored
                     if i.reason in names.UNPLACED_REASONS)

    def tiers(self) -> list[tuple[int, tuple[PlannedMove, ...]]]:
        """Group the moves by priority, most important tier first."""
        tiers: dict[int, list[PlannedMove]] = {}
        for move in self.moves:
            tiers.setdefault(move.priority, []).append(move)
        return [(p, tuple(tiers[p])) for p in sorted(tiers, reverse=True)]

    def by_target(self) -> Mapping[str | None, int]:
        """Count the moves per target host."""
        counts: dict[str | None, int] = {}
        for move in self.moves:
            counts[move.dest_host] = counts.get(move.dest_host, 0) + 1
        return counts
