"""Plain records the host state machine reads and writes.

``HostRecord`` is what the monitor persists per host between cycles,
``ClusterState`` holds them plus the cluster-wide heartbeat clock and guard,
and ``Event`` is one decision or report of a cycle.
"""

from collections.abc import Mapping
import dataclasses
import datetime
from typing import Any

from vmotiond import constants
from vmotiond.cloud import records as cloud_records
from vmotiond.verdict import confirm

# Probe answers, as the manager hands them to the state machine.
PROBE_ALIVE = "alive"
PROBE_DEAD = "dead"
PROBE_UNKNOWN = "unknown"      # no address, or the probe itself failed
PROBE_UNTRUSTED = "untrusted"  # its address is not the host's own: unasked

# Event kinds.
HOST_DOWN = "host_down"                # confirmed failure: recover the host
HOST_RECOVERED = "host_recovered"      # healthy again for the soak period
PROCESS_FAILURE = "process_failure"    # nova-compute dead, host answers
ALERT = "alert"                        # an operator must look; nothing moves
GUARD_CLEARED = "guard_cleared"        # decisions are allowed again
HOST_HELD = "host_held"                # down, but HA is paused over it
EVENT_KINDS = (HOST_DOWN, HOST_RECOVERED, PROCESS_FAILURE, ALERT,
               GUARD_CLEARED, HOST_HELD)

# Alert reasons.
REASON_MASS_FAILURE = "mass_failure"
REASON_ALL_STALE = "all_heartbeats_stale"
REASON_NOVA_UNREACHABLE = "nova_unreachable"
REASON_FLAPPING = "flapping"
REASON_PROBE_UNKNOWN = "probe_unknown"
REASON_NO_AUTO_EVACUATE = "auto_evacuate_off"
REASON_DOMAIN_STORM = "domain_storm"   # a zone or aggregate over its cap
REASON_HA_PAUSED = "ha_paused"         # a host failed while HA is paused

# States of a host whose failure was decided (``host_down`` emitted).
DECIDED_STATES = (constants.HOST_DOWN, constants.HOST_FENCED)
# States the state machine never recovers.
WATCHED_ONLY_STATES = (constants.HOST_MAINTENANCE, constants.HOST_DISABLED)


@dataclasses.dataclass(frozen=True, slots=True)
class HostRecord:
    """What the monitor remembers about one host between cycles.

    Times are naive UTC on the monitor's clock, except ``heartbeat`` and
    ``written_at``, Nova's ``updated_at`` as reported: of the last
    heartbeat, and of the last write that was not one (the fence, an
    operator; see ``confirm.heartbeat_of``): it is a ``confirm.Seen``.
    """

    host: str
    state: str = constants.HOST_UP
    since: datetime.datetime | None = None       # entered ``state``
    generation: int = 0                          # bumped on every down
    heartbeat: datetime.datetime | None = None   # last updated_at seen
    heartbeat_seen_at: datetime.datetime | None = None  # it last changed
    written_at: datetime.datetime | None = None  # updated_at of a write
    service_fields: confirm.ServiceFields | None = None  # as last seen
    stale_since: datetime.datetime | None = None
    stale_count: int = 0
    probe_failures: int = 0
    suspect_entries: tuple[datetime.datetime, ...] = ()
    damped_until: datetime.datetime | None = None
    healthy_since: datetime.datetime | None = None
    reported: frozenset[str] = frozenset()       # one-shot reports sent

    def damped(self, now: datetime.datetime) -> bool:
        return self.damped_until is not None and now < self.damped_until


# Each field of a HostRecord with the setter of its slot (which a frozen
# dataclass's __setattr__ does not guard).
_RECORD_SLOTS = tuple((f.name, getattr(HostRecord, f.name).__set__)
                      for f in dataclasses.fields(HostRecord))
_RECORD_FIELDS = frozenset(name for name, _set in _RECORD_SLOTS)


def evolve(rec: HostRecord, **changes: Any) -> HostRecord:
    """``dataclasses.replace`` for a ``HostRecord``, faster (no
    ``__init__`` through ``object.__setattr__``): the state machine
    makes one for every host whose heartbeat moved, every cycle."""
    if not changes.keys() <= _RECORD_FIELDS:
        raise TypeError("HostRecord has no field %s"
                        % ", ".join(sorted(changes.keys() - _RECORD_FIELDS)))
    new = object.__new__(HostRecord)
    for name, set_slot in _RECORD_SLOTS:
        set_slot(new, changes[name] if name in changes
                 else getattr(rec, name))
    return new


@dataclasses.dataclass(frozen=True)
class ClusterState:
    """Every host record plus the cluster-wide heartbeat clock and guard.

    ``freshest`` is the newest heartbeat of the last answer and
    ``freshest_seen_at`` when the monitor first saw that value; together
    they estimate Nova's "now" without trusting the monitor's wall clock.
    """

    hosts: Mapping[str, HostRecord] = dataclasses.field(
        default_factory=dict)
    freshest: datetime.datetime | None = None
    freshest_seen_at: datetime.datetime | None = None
    last_poll_at: datetime.datetime | None = None   # last answer read
    guard_until: datetime.datetime | None = None
    guard_reasons: tuple[str, ...] = ()
    guarded: bool = False
    # Zones and aggregates cooling down from a storm, until when.
    domain_holds: Mapping[str, datetime.datetime] = dataclasses.field(
        default_factory=dict)
    # Hosts found steady (``steady.is_steady``) and fresh by the cycle that
    # made this state: the service record and host record judged. A
    # memo: when the next answer brings the very same service object for
    # the very same record, the judgement holds without being redone.
    steady: Mapping[str, tuple[cloud_records.ComputeService,
                               HostRecord]] = dataclasses.field(
        default_factory=dict, compare=False, repr=False)


@dataclasses.dataclass(frozen=True)
class Event:
    """A decision or a report of one cycle."""

    kind: str
    host: str | None = None
    generation: int | None = None
    reason: str | None = None
    evidence: Mapping[str, Any] = dataclasses.field(default_factory=dict)
