"""Cluster-wide guards: when the monitor must not decide at all.

If too many hosts fail at once, if every heartbeat is stale, or if Nova
cannot be reached, the likelier truth is that the monitor (or Nova's
database, or the network) is broken, not that the hosts died. Decisions are
then blocked and an alert raised instead; the block holds for a hold-down
after the last time a guard condition was seen, so that a healed partition
is watched for a while before anything moves.
"""

from collections.abc import Iterable
from collections.abc import Mapping
import datetime

from vmotiond import constants
from vmotiond.monitor import records
from vmotiond.monitor import thresholds as thresholds_mod


def failing_hosts(hosts: Mapping[str, records.HostRecord],
                  ages: Mapping[str, float],
                  probes: Mapping[str, str],
                  th: thresholds_mod.Thresholds,
                  now: datetime.datetime) -> set[str]:
    """Hosts that count as failing for the mass-failure guard.

    A host fails when it is suspect, when its heartbeat is older than the
    lagging threshold (so hosts killed together are counted before the
    first of them could be declared down), or when it turned suspect within
    the failure window; a host answering the probe does not count. A host
    whose failure is decided already (down or fenced) counts only within
    the failure window: its stale heartbeat is no new failure.
    """
    window_start = now - datetime.timedelta(seconds=th.failure_window)
    lag = th.lagging_threshold
    failing = set()
    for name, rec in hosts.items():
        if (rec.state == constants.HOST_UP and not rec.suspect_entries
                and ages.get(name, 0.0) <= lag):
            continue        # the common case, decided at once
        if rec.state in records.WATCHED_ONLY_STATES:
            continue
        if probes.get(name) == records.PROBE_ALIVE:
            continue
        recent = bool(rec.suspect_entries) and (
            rec.suspect_entries[-1] >= window_start)
        lagging = (rec.state not in records.DECIDED_STATES
                   and ages.get(name, 0.0) > th.lagging_threshold)
        if rec.state == constants.HOST_SUSPECT or recent or lagging:
            failing.add(name)
    return failing


def watched_hosts(hosts: Mapping[str, records.HostRecord]) -> set[str]:
    """Hosts the share of failing hosts is computed against."""
    return {n for n, r in hosts.items()
            if r.state not in records.WATCHED_ONLY_STATES}


def watched_count(hosts: Mapping[str, records.HostRecord]) -> int:
    """``len(watched_hosts(hosts))`` without building the set."""
    return sum(1 for r in hosts.values()
               if r.state not in records.WATCHED_ONLY_STATES)


def mass_failure(failing: int, watched: int,
                 th: thresholds_mod.Thresholds) -> bool:
    """Whether ``failing`` of ``watched`` hosts is more than allowed."""
    return over_cap(failing, watched, th.max_failing_share,
                    th.max_failing_hosts)


def over_cap(failing: int, watched: int, share: float, count: int) -> bool:
    """Whether ``failing`` of ``watched`` hosts is more than a cap of
    ``share`` (of the watched) or ``count`` (0: none) allows."""
    if failing == 0:
        return False
    if count and failing > count:
        return True
    return watched > 0 and failing / watched > share


def apply(previous: records.ClusterState,
          reasons: Iterable[str],
          th: thresholds_mod.Thresholds,
          now: datetime.datetime,
          evidence: Mapping[str, object],
          ) -> tuple[datetime.datetime | None, tuple[str, ...], bool,
                     list[records.Event]]:
    """Fold this cycle's guard ``reasons`` into the held guard.

    Returns ``(guard_until, reasons, guarded, events)``: an alert for every
    reason that was not active in the previous cycle and a
    ``guard_cleared`` event when the hold-down ends.
    """
    reasons = tuple(sorted(set(reasons)))
    guard_until = previous.guard_until
    if reasons:
        held = now + datetime.timedelta(seconds=th.guard_hold_down)
        guard_until = max(guard_until, held) if guard_until else held
    guarded = bool(reasons) or (guard_until is not None
                                and now < guard_until)
    events = [records.Event(records.ALERT, reason=reason,
                            evidence=dict(evidence))
              for reason in reasons if reason not in previous.guard_reasons]
    if previous.guarded and not guarded:
        events.append(records.Event(records.GUARD_CLEARED,
                                    evidence=dict(evidence)))
    if not guarded:
        guard_until = None
    return guard_until, reasons, guarded, events
