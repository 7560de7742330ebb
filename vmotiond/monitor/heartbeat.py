"""Heartbeat ages measured without trusting any wall clock but Nova's own.

Nova's "now" is estimated as the freshest heartbeat of the answer plus the
time the monitor has seen that value unchanged (a local difference, so a
constant offset between the monitor's and Nova's clocks cancels out). A
host is stale when its heartbeat is older than the threshold against that
estimate *and* its heartbeat has not changed for as long on the monitor's
clock, so a host whose heartbeat keeps advancing is never stale, even if
its timestamps are skewed.

A write to the service record (vmotiond's fence, an operator) stamps
``updated_at`` too; it is no sign of life: ``confirm.heartbeat_of`` tells
the two apart.
"""

from collections.abc import Sequence
import dataclasses
import datetime

from vmotiond.cloud import records as cloud_records
from vmotiond.monitor import records
from vmotiond.verdict import confirm


@dataclasses.dataclass(frozen=True)
class HeartbeatClock:
    """The estimate of Nova's clock for one answer."""

    freshest: datetime.datetime | None
    freshest_seen_at: datetime.datetime | None
    now: datetime.datetime
    previous_poll: datetime.datetime | None = None

    @property
    def nova_now(self) -> datetime.datetime | None:
        if self.freshest is None or self.freshest_seen_at is None:
            return None
        return self.freshest + (self.now - self.freshest_seen_at)

    @property
    def freshest_unchanged_for(self) -> float:
        """Seconds (local) since the freshest heartbeat last advanced."""
        if self.freshest_seen_at is None:
            return 0.0
        return _seconds(self.now - self.freshest_seen_at)

    def age(self, updated_at: datetime.datetime | None) -> float:
        """Age of a heartbeat against the estimate; inf if there is none."""
        nova_now = self.nova_now
        if updated_at is None or nova_now is None:
            return float("inf")
        return max(0.0, _seconds(nova_now - updated_at))


Split = tuple[datetime.datetime | None, datetime.datetime | None]


def read_clock(services: Sequence[cloud_records.ComputeService],
               previous: records.ClusterState,
               now: datetime.datetime,
               splits: Sequence[Split] | None = None) -> HeartbeatClock:
    """Return the heartbeat clock of an answer given the previous one.

    Only heartbeats count: a write of the fence or an operator does not
    move Nova's clock estimate. ``splits`` are the services'
    ``confirm.heartbeat_of`` when the caller has them already.
    """
    if splits is None:
        splits = [confirm.heartbeat_of(s, previous.hosts.get(s.host))
                  for s in services]
    beats = [beat for beat, _written in splits if beat is not None]
    freshest = max(beats) if beats else None
    last = previous.last_poll_at
    if freshest is None:
        return HeartbeatClock(None, None, now, last)
    if freshest == previous.freshest and previous.freshest_seen_at:
        return HeartbeatClock(freshest, previous.freshest_seen_at, now, last)
    return HeartbeatClock(freshest, now, now, last)


@dataclasses.dataclass(frozen=True)
class Observation:
    """One host's heartbeat as seen in this cycle."""

    stale: bool
    age: float
    unchanged_for: float | None     # None: first sight, not known
    heartbeat: datetime.datetime | None
    heartbeat_seen_at: datetime.datetime | None
    written_at: datetime.datetime | None = None   # a write's updated_at
    service_fields: confirm.ServiceFields | None = None


def observe(service: cloud_records.ComputeService,
            record: records.HostRecord | None,
            clock: HeartbeatClock,
            threshold: float,
            split: Split | None = None) -> Observation:
    """Judge one host's heartbeat against ``threshold`` seconds
    (``split``: ``confirm.heartbeat_of(service, record)`` if known)."""
    beat, written_at = (split if split is not None
                        else confirm.heartbeat_of(service, record))
    age = clock.age(beat)
    if record is None or record.heartbeat_seen_at is None:
        unchanged_for = None
        seen_at = clock.now
    elif beat != record.heartbeat:
        seen_at = _changed_at(clock, age)
        unchanged_for = _seconds(clock.now - seen_at)
    else:
        seen_at = record.heartbeat_seen_at
        unchanged_for = _seconds(clock.now - seen_at)
    # No heartbeat known (never reported, or only writes seen since a
    # restart): nothing says the host is alive.
    stale = beat is None or (age > threshold and (
        unchanged_for is None or unchanged_for > threshold))
    return Observation(stale, age, unchanged_for, beat, seen_at,
                       written_at, confirm.service_fields(service))


def _changed_at(clock: HeartbeatClock, age: float) -> datetime.datetime:
    """When (local time) a heartbeat that changed since the last poll was
    written: ``age`` ago, but never before the previous poll (which did not
    see it yet), so a skewed timestamp cannot make it look older."""
    if clock.previous_poll is None or age == float("inf"):
        return clock.now
    back = min(age, max(0.0, _seconds(clock.now - clock.previous_poll)))
    return clock.now - datetime.timedelta(seconds=back)


def _seconds(delta: datetime.timedelta) -> float:
    return delta.total_seconds()
