"""Storm caps beside the global guard: per zone, per aggregate, per cycle,
and the operator's pause.

The global guard (``guards``) blocks every decision when too much of the
cloud fails at once. A storm can also be local: a rack's power feed, a
top-of-rack switch, one aggregate's storage. ``admit`` takes the cycle's
``host_down`` candidates and says which are decided now, which are held
because HA is paused over them, and which wait: their zone or aggregate
is over its cap (or cooling down from a storm), or the cycle already has
``max_verdicts_per_cycle`` verdicts. A host that waits keeps its state and
is decided on a later cycle, as under the global guard.
"""

from collections.abc import Collection
from collections.abc import Mapping
import dataclasses
import datetime

from vmotiond.monitor import guards
from vmotiond.monitor import records
from vmotiond.monitor import thresholds as thresholds_mod

# Pause scope covering every host.
GLOBAL = "*"
ZONE_PREFIX = "zone:"
AGGREGATE_PREFIX = "aggregate:"


def zone_key(name: str) -> str:
    return ZONE_PREFIX + name


def aggregate_key(name: str) -> str:
    return AGGREGATE_PREFIX + name


@dataclasses.dataclass(frozen=True)
class Topology:
    """Which failure domains (zone and aggregate keys) each host is in,
    and which are paused (``GLOBAL`` or aggregate keys)."""

    domains: Mapping[str, frozenset[str]] = dataclasses.field(
        default_factory=dict)            # host -> its domain keys
    members: Mapping[str, frozenset[str]] = dataclasses.field(
        default_factory=dict)            # domain key -> its hosts
    paused: frozenset[str] = frozenset()


def topology(zones: Mapping[str, str],
             aggregates: Mapping[str, Collection[str]],
             paused: Collection[str] = ()) -> Topology:
    """The topology of hosts' zones (host -> zone name), aggregates (name
    -> hosts) and paused scopes (``GLOBAL`` or aggregate names)."""
    members: dict[str, set[str]] = {}
    for host, zone in zones.items():
        members.setdefault(zone_key(zone), set()).add(host)
    for name, hosts in aggregates.items():
        members.setdefault(aggregate_key(name), set()).update(hosts)
    domains: dict[str, set[str]] = {}
    for key, hosts in members.items():
        for host in hosts:
            domains.setdefault(host, set()).add(key)
    # Hosts of the same zone and aggregates share one set of keys (at
    # 10,000 hosts, one set each weighs megabytes).
    shared: dict[frozenset[str], frozenset[str]] = {}
    return Topology(
        domains={h: shared.setdefault(frozenset(d), frozenset(d))
                 for h, d in domains.items()},
        members={k: frozenset(h) for k, h in members.items()},
        paused=frozenset(p if p == GLOBAL else aggregate_key(p)
                         for p in paused))


def domain_over_cap(key: str, failing: int, watched: int,
                    th: thresholds_mod.Thresholds) -> bool:
    """Whether a zone or aggregate is in a storm. One failing host never
    is: a domain's storm is several of its hosts at once."""
    if failing < 2:
        return False
    if key.startswith(ZONE_PREFIX):
        return guards.over_cap(failing, watched,
                               th.max_failing_share_per_zone,
                               th.max_failing_hosts_per_zone)
    return guards.over_cap(failing, watched,
                           th.max_failing_share_per_aggregate,
                           th.max_failing_hosts_per_aggregate)


@dataclasses.dataclass(frozen=True)
class Admission:
    """What ``admit`` makes of one cycle's ``host_down`` candidates."""

    decided: tuple[str, ...] = ()     # verdicts taken now
    held: Mapping[str, str] = dataclasses.field(
        default_factory=dict)         # host -> the pause scope over it
    waiting: tuple[str, ...] = ()     # decided on a later cycle
    stormy: tuple[str, ...] = ()      # domains over their cap now
    holds: Mapping[str, datetime.datetime] = dataclasses.field(
        default_factory=dict)         # domain -> cooling down until


def admit(candidates: Collection[str],
          order: Mapping[str, tuple[datetime.datetime | None, str]],
          failing: Collection[str],
          hosts: Mapping[str, records.HostRecord],
          holds: Mapping[str, datetime.datetime],
          topo: Topology,
          th: thresholds_mod.Thresholds,
          now: datetime.datetime) -> Admission:
    """Admit the ``host_down`` candidates of one cycle (pure).

    :param candidates: hosts the state machine would declare down now.
    :param order: each candidate's sort key; the oldest failures first.
    :param failing: hosts failing for the guards (``guards.failing_hosts``).
    :param hosts: every host record, to count a domain's watched hosts.
    :param holds: the previous cycle's domain cool-downs.
    :param topo: hosts' domains and the paused scopes.
    :returns: the hosts decided (at most ``max_verdicts_per_cycle``, none
        of a paused scope or of a domain in a storm or cooling down), the
        paused ones held, the others waiting; the domains over their cap
        now and the cool-downs that still run (``guard_hold_down`` after
        the last cycle a domain was seen over its cap).
    """
    failing_in: dict[str, int] = {}
    for host in failing:
        for key in topo.domains.get(host, ()):
            failing_in[key] = failing_in.get(key, 0) + 1
    # A domain's watched hosts are counted only where a storm is
    # possible: one failing host never makes one.
    stormy = tuple(sorted(
        key for key, count in failing_in.items()
        if count >= 2 and domain_over_cap(
            key, count, _watched(topo.members[key], hosts), th)))
    until = now + datetime.timedelta(seconds=th.guard_hold_down)
    new_holds = {k: v for k, v in holds.items() if now < v}
    for key in stormy:
        new_holds[key] = max(new_holds.get(key, until), until)
    held: dict[str, str] = {}
    decided: list[str] = []
    waiting: list[str] = []
    cap = th.max_verdicts_per_cycle
    for host in sorted(candidates, key=lambda h: _key(order, h)):
        domains = topo.domains.get(host, frozenset())
        scope = _paused_scope(domains, topo.paused)
        if scope is not None:
            held[host] = scope
        elif (not domains.isdisjoint(stormy)
              or not domains.isdisjoint(new_holds)
              or (cap and len(decided) >= cap)):
            waiting.append(host)
        else:
            decided.append(host)
    return Admission(decided=tuple(decided), held=held,
                     waiting=tuple(waiting), stormy=stormy, holds=new_holds)


def _paused_scope(domains: frozenset[str],
                  paused: frozenset[str]) -> str | None:
    if not paused:
        return None
    if GLOBAL in paused:
        return GLOBAL
    found = sorted(domains & paused)
    return found[0][len(AGGREGATE_PREFIX):] if found else None


def _watched(members: frozenset[str],
             hosts: Mapping[str, records.HostRecord]) -> int:
    return sum(1 for h in members if h in hosts
               and hosts[h].state not in records.WATCHED_ONLY_STATES)


def _key(order: Mapping[str, tuple[datetime.datetime | None, str]],
         host: str) -> tuple[bool, datetime.datetime, str]:
    since, name = order.get(host, (None, host))
    return (since is None, since or datetime.datetime.min, name)
