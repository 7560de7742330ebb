"""Which hosts the state machine need not judge in full this cycle.

At 10,000 hosts nearly every host is up, with a heartbeat Nova reported
before and nothing pending: ``evaluate`` would return its record as it
is, unless its heartbeat turned stale. Such a host is *steady*; only its
age is looked at (``state.evaluate``). ``ClusterState.steady`` keeps the
service and host records judged steady in the last cycle, so when Nova's
answer brings the very same service object (``convert.ServiceReader``
keeps it while the item is unchanged) the judgement is not redone.
Pure functions; ``tests/unit/monitor/test_state_shortcuts.py`` checks
that the shortcuts change nothing but the cost.
"""

from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
import dataclasses
import datetime
import itertools
import operator

from vmotiond import constants
from vmotiond.cloud import records as cloud_records
from vmotiond.monitor import heartbeat
from vmotiond.monitor import records
from vmotiond.monitor.thresholds import Thresholds
from vmotiond.verdict import confirm

Judged = tuple[cloud_records.ComputeService, records.HostRecord]


@dataclasses.dataclass(frozen=True)
class Plan:
    """One answer of Nova sorted for ``state.decide``: the quiet hosts,
    whose records stay as they are, and the moving ones, to judge."""

    services: Sequence[cloud_records.ComputeService]
    previous: records.ClusterState
    th: Thresholds
    now: datetime.datetime
    maintenance: Collection[str]
    clock: heartbeat.HeartbeatClock
    all_stale: bool
    quiet: dict[str, records.HostRecord]
    quiet_recent: dict[str, records.HostRecord]   # quiet, suspect lately
    memo: dict[str, Judged]
    moving: list[tuple[cloud_records.ComputeService, heartbeat.Split,
                       records.HostRecord | None]]


def prepare(services: Sequence[cloud_records.ComputeService],
            previous: records.ClusterState, th: Thresholds,
            now: datetime.datetime, maintenance: Collection[str] = (),
            probes: Mapping[str, str] | None = None) -> Plan:
    """Sort an answer: a steady host whose heartbeat is newer than the
    quiet cut is neither stale nor lagging (its age clearly below both
    thresholds; one microsecond spares the rounding of
    ``total_seconds``): quiet. Every other host moves."""
    probes = probes or {}
    memo = previous.steady
    steady, splits = split(services, previous, probes, maintenance)
    clock = heartbeat.read_clock(services, previous, now, splits)
    threshold = th.heartbeat_threshold
    all_stale = bool(services) and (
        clock.freshest is None
        or clock.freshest_unchanged_for > threshold)
    cut = None if clock.nova_now is None else (
        clock.nova_now - datetime.timedelta(
            seconds=min(threshold, th.lagging_threshold), microseconds=-1))
    quiet: dict[str, records.HostRecord] = {}
    recent: dict[str, records.HostRecord] = {}
    memo_out: dict[str, Judged] = {}
    moving: list[tuple[cloud_records.ComputeService, heartbeat.Split,
                       records.HostRecord | None]] = []
    move = moving.append
    for svc, beats, prev in zip(services, splits, steady, strict=True):
        if prev is None:
            move((svc, beats, previous.hosts.get(svc.host)))
            continue
        beat = beats[0]
        if cut is not None and beat is not None and beat > cut:
            name = svc.host
            quiet[name] = prev
            if prev.suspect_entries:
                recent[name] = prev
            seen = memo.get(name)
            memo_out[name] = (seen if seen is not None
                              and seen[0] is svc and seen[1] is prev
                              else (svc, prev))
        else:
            move((svc, beats, prev))
    return Plan(services, previous, th, now, maintenance, clock, all_stale,
                quiet, recent, memo_out, moving)


def split(services: Sequence[cloud_records.ComputeService],
          previous: records.ClusterState,
          probes: Mapping[str, str],
          maintenance: Collection[str],
          ) -> tuple[list[records.HostRecord | None],
                     list[heartbeat.Split]]:
    """For each service: its host's record if the host is steady (else
    None), and ``confirm.heartbeat_of`` of it.

    A host memoed with this very service and record is steady unless
    probed or in maintenance: that is checked for every host at once, in
    C (``operator.is_`` over the answer); Python looks only at the
    others (those whose service or record changed: about one host in
    ``report_interval`` polls), as ``split_each`` would.
    """
    known, memo = previous.hosts, previous.steady
    if not memo:
        return split_each(services, previous, probes, maintenance)
    names = list(map(_HOST, services))
    steady: list[records.HostRecord | None] = list(map(known.get, names))
    pairs = list(map(memo.get, names, itertools.repeat(_NO_PAIR)))
    hits = list(map(operator.and_,
                    map(operator.is_, map(_FIRST, pairs), services),
                    map(operator.is_, map(_SECOND, pairs), steady)))
    if probes or maintenance:
        special = set(probes) | set(maintenance)
        for i in itertools.compress(range(len(names)),
                                    map(special.__contains__, names)):
            hits[i] = False
    splits: list[heartbeat.Split] = list(zip(
        map(_UPDATED_AT, services), itertools.repeat(None)))
    for i in itertools.compress(range(len(hits)),
                                map(operator.not_, hits)):
        svc, prev = services[i], steady[i]
        if prev is None:
            splits[i] = confirm.heartbeat_of(svc, None)
        elif not is_steady(svc, prev, probes, maintenance):
            steady[i] = None
            splits[i] = confirm.heartbeat_of(svc, prev)
    return steady, splits


_HOST = operator.attrgetter("host")
_UPDATED_AT = operator.attrgetter("updated_at")
_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)
_NO_PAIR = (None, None)


def split_each(services: Sequence[cloud_records.ComputeService],
               previous: records.ClusterState,
               probes: Mapping[str, str],
               maintenance: Collection[str],
               ) -> tuple[list[records.HostRecord | None],
                          list[heartbeat.Split]]:
    """``split``, one host after the other."""
    known, memo = previous.hosts, previous.steady
    steady: list[records.HostRecord | None] = []
    splits: list[heartbeat.Split] = []
    keep, put = steady.append, splits.append
    # A host memoed with this very service and record is steady unless
    # probed or in maintenance (none, nearly always: checked once).
    plain = not probes and not maintenance
    for svc in services:
        name = svc.host
        prev = known.get(name)
        if prev is None:
            keep(None)
            put(confirm.heartbeat_of(svc, None))
            continue
        memoed = memo.get(name)
        if ((memoed is not None and memoed[0] is svc and memoed[1] is prev
             and (plain or (name not in probes
                            and name not in maintenance)))
                or is_steady(svc, prev, probes, maintenance)):
            keep(prev)
            put((svc.updated_at, None))   # as heartbeat_of
        else:
            keep(None)
            put(confirm.heartbeat_of(svc, prev))
    return steady, splits


def is_steady(svc: cloud_records.ComputeService, prev: records.HostRecord,
              probes: Mapping[str, str], maintenance: Collection[str]
              ) -> bool:
    """Whether the state machine's step would return ``prev`` unchanged,
    with no event, unless the heartbeat turned stale: the host is up
    with nothing pending (no damping, probe failure or write), not
    probed, and Nova shows the heartbeat and service fields it showed
    before (so ``confirm.heartbeat_of`` is ``(updated_at, None)``)."""
    return (prev.state == constants.HOST_UP
            and prev.heartbeat is not None
            and svc.updated_at == prev.heartbeat
            and prev.written_at is None
            and prev.heartbeat_seen_at is not None
            and prev.damped_until is None and prev.probe_failures == 0
            and prev.service_fields == (svc.status, svc.forced_down,
                                        svc.disabled_reason)
            and svc.host not in probes and svc.host not in maintenance
            and not svc.operator_disabled)
