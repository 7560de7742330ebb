"""The planner: which instance goes where, in which order. Pure functions.

Targets: standby hosts first, then normal hosts; only usable hosts in the
instance's availability zone with room for it (Placement's free capacity,
allocation ratios included); among those the best weighted score of free
RAM, vCPUs and disk, each normalised across the candidates as Nova's
weighers do. Every placement takes its share of the target's free capacity,
so the next choice sees the new picture and the load spreads. Instances are
placed in move order (priority tiers first), so the important ones get the
capacity when it runs short; the rest are ignored with "no capacity" and the
plan is not ``complete``.
"""

from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
import dataclasses

from vmotiond import constants
from vmotiond.cloud import records
from vmotiond.engine.deciding import eligibility
from vmotiond.engine.deciding import intents
from vmotiond.engine.deciding import names as n
from vmotiond.engine.deciding import ordering
from vmotiond.engine.deciding import protection
from vmotiond.engine.deciding.records import IgnoredMove
from vmotiond.engine.deciding.records import MoveIntent
from vmotiond.engine.deciding.records import Plan
from vmotiond.engine.deciding.records import PlannedMove
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.deciding.records import ServerGroup
from vmotiond.engine.deciding.records import TargetHost

__all__ = ["build_targets", "plan_evacuation", "plan_drain", "plan_custom",
           "plan_moves"]

_ROLE_TIERS = (constants.ROLE_STANDBY, constants.ROLE_NORMAL)


def build_targets(hosts: Iterable[eligibility.HostFacts],
                  exclude: Mapping[str, str] | None = None
                  ) -> tuple[TargetHost, ...]:
    """Describe every compute host as a target, usable or not.

    ``exclude`` maps the hosts being emptied to the reason; every other
    host is judged by ``eligibility.refusal`` on its facts (a recovery's
    rule, which a drain's and a custom migration's are).
    """
    exclude = exclude or {}
    targets = []
    known = sorted(((h.service, h) for h in hosts if h.service is not None),
                   key=lambda pair: pair[0].host)
    for svc, facts in known:
        reason = exclude.get(svc.host)
        if reason is None:
            refused = eligibility.refusal(constants.COMPUTE_HOST, facts)
            reason = refused.message if refused else None
        targets.append(TargetHost(svc.host, svc.zone, facts.role,
                                  facts.capacity, reason))
    return tuple(targets)


def plan_evacuation(failed_host: str, servers: Iterable[records.Server],
                    targets: Sequence[TargetHost], options: PlanOptions,
                    server_groups: Mapping[str, ServerGroup] | None = None,
                    source_zone: str | None = None,
                    aggregates: Iterable[records.Aggregate] | None = None,
                    images: records.Images | None = None) -> Plan:
    """Plan the recovery of ``failed_host``: one decision per instance;
    ``aggregates`` (Nova's host aggregates) and ``images`` (its
    instances' images) protect or opt out its instances, each None when
    not read. A cloud without an image service is the plan's note."""
    aggregate = None if aggregates is None else protection.aggregate_layer(
        aggregates, failed_host, options.protection_aggregate_key)
    decisions = [intents.evacuation(s, failed_host, options, aggregate,
                                    images)
                 for s in servers]
    plan = plan_moves(decisions, targets, options,
                      server_groups=server_groups, source_zone=source_zone,
                      exclude_hosts=(failed_host,))
    if images is None or images.missing is None:
        return plan
    return dataclasses.replace(plan, notes=(
        "images unread (%s): their property %s%s not considered" % (
            images.missing, options.protection_image_key,
            " and tags are" if options.service_image_tags else " is"),))


def plan_drain(source_host: str, servers: Iterable[records.Server],
               targets: Sequence[TargetHost], options: PlanOptions,
               server_groups: Mapping[str, ServerGroup] | None = None,
               source_zone: str | None = None) -> Plan:
    """Plan emptying ``source_host``: live for running, cold for stopped."""
    decisions = [intents.planned_move(s, source_host, options)
                 for s in servers]
    return plan_moves(decisions, targets, options,
                      server_groups=server_groups, source_zone=source_zone,
                      exclude_hosts=(source_host,))


def plan_custom(servers: Iterable[records.Server],
                targets: Sequence[TargetHost], options: PlanOptions,
                destination: str | None = n.LET_NOVA_CHOOSE,
                mode: str = intents.MODE_AUTO,
                server_groups: Mapping[str, ServerGroup] | None = None
                ) -> Plan:
    """Plan moving chosen instances to ``destination``.

    ``destination`` is a host name, ``names.LET_NOVA_CHOOSE`` (Nova's
    scheduler picks; no capacity check here) or None (the planner picks as
    for a drain). ``mode`` is ``auto``, ``live`` or ``cold``.
    """
    decisions = [intents.planned_move(s, s.host, options, mode)
                 for s in servers]
    return plan_moves(decisions, targets, options, destination=destination,
                      server_groups=server_groups)


def plan_moves(decisions: Iterable[MoveIntent | IgnoredMove],
               targets: Sequence[TargetHost], options: PlanOptions, *,
               destination: str | None = None,
               server_groups: Mapping[str, ServerGroup] | None = None,
               source_zone: str | None = None,
               exclude_hosts: Collection[str] = ()) -> Plan:
    """Choose a target for every intent, in move order.

    ``destination`` None lets the planner choose; a host name forces that
    host (checked like any target); ``names.LET_NOVA_CHOOSE`` leaves the
    choice to Nova. Decisions that are already ``IgnoredMove`` pass through.
    """
    ignored = [d for d in decisions if isinstance(d, IgnoredMove)]
    wanted = ordering.in_order(
        [d for d in decisions if isinstance(d, MoveIntent)])
    state = _State(targets, server_groups or {},
                   (options.ram_weight, options.vcpu_weight,
                    options.disk_weight))
    moves = []
    for intent in wanted:
        if destination == n.LET_NOVA_CHOOSE:
            moves.append(_planned(intent, None))
            continue
        zone = intent.server.availability_zone or source_zone
        found = state.choose(intent, zone, destination,
                             set(exclude_hosts) | {intent.source_host})
        if isinstance(found, str):
            moves.append(_planned(intent, found))
        else:
            ignored.append(found)
    ignored.sort(key=lambda i: ordering.sort_key(i.priority, i.server))
    return Plan(tuple(moves), tuple(ignored))


def _planned(intent: MoveIntent, dest: str | None) -> PlannedMove:
    return PlannedMove(intent.server, intent.source_host, dest,
                       intent.move_type, intent.priority, intent.steps,
                       intent.final_status, intent.note)


class _State:
    """Free capacity and group placement as the plan fills the hosts."""

    def __init__(self, targets: Sequence[TargetHost],
                 groups: Mapping[str, ServerGroup],
                 weights: tuple[float, float, float]) -> None:
        self.weights = weights
        self.targets = {t.name: t for t in targets}
        self.free: dict[str, list[float]] = {
            t.name: [t.capacity.memory_mb_free, t.capacity.vcpus_free,
                     t.capacity.disk_gb_free]
            for t in targets if t.usable and t.capacity is not None}
        self.groups = groups
        self.group_hosts: dict[str, list[str]] = {
            gid: sorted(g.member_hosts) for gid, g in groups.items()}

    def choose(self, intent: MoveIntent, zone: str | None,
               destination: str | None,
               exclude: Collection[str]) -> str | IgnoredMove:
        """Return the chosen host's name, or why there is none."""
        server = intent.server

        def ignore(reason: str, message: str) -> IgnoredMove:
            return IgnoredMove(server, intent.source_host, intent.move_type,
                               intent.priority, reason, message)

        if destination is not None:
            target = self.targets.get(destination)
            if target is None:
                return ignore(n.IGNORE_NO_TARGET,
                              "target host %s is unknown" % destination)
            if destination in exclude:
                return ignore(n.IGNORE_NO_TARGET, "target host %s is its "
                              "source" % destination)
            if target.unusable:
                return ignore(n.IGNORE_NO_TARGET, "target host %s is not "
                              "usable: %s" % (destination, target.unusable))
            pool = [target]
        else:
            pool = [t for t in self.targets.values()
                    if t.usable and t.name not in exclude]
        in_zone = [t for t in pool if zone is None or t.zone == zone]
        if not in_zone and destination is not None:
            return ignore(n.IGNORE_NO_TARGET, "target host %s is in zone %s, "
                          "the instance in %s" % (destination, pool[0].zone,
                                                  zone))
        if not in_zone:
            return ignore(n.IGNORE_NO_TARGET, "no usable host in "
                          "availability zone %s" % zone)
        fitting = [t for t in in_zone if self._fits(t.name, server)]
        if not fitting:
            return ignore(n.IGNORE_NO_CAPACITY, "no capacity: no usable host "
                          "in zone %s has %d MB RAM, %d vCPUs and %d GB disk "
                          "free" % (zone, server.memory_mb, server.vcpus,
                                    server.disk_gb))
        allowed = [t for t in fitting
                   if self._group_allows(t.name, server, exclude)]
        if not allowed:
            return ignore(n.IGNORE_SERVER_GROUP, "no host with capacity "
                          "satisfies its server group policy (%s)"
                          % ", ".join(self._policies(server)))
        for role in _ROLE_TIERS:
            tier = [t for t in allowed if t.role == role]
            if tier:
                best = self._best(tier, server)
                self._take(best, server)
                return best
        best = self._best(allowed, server)     # unknown roles come last
        self._take(best, server)
        return best

    def _fits(self, host: str, server: records.Server) -> bool:
        ram, vcpu, disk = self.free[host]
        return (server.memory_mb <= ram and server.vcpus <= vcpu
                and server.disk_gb <= disk)

    def _policies(self, server: records.Server) -> list[str]:
        return ["%s %s" % (gid, self.groups[gid].policy)
                for gid in server.server_group_ids if gid in self.groups]

    def _group_allows(self, host: str, server: records.Server,
                      exclude: Collection[str]) -> bool:
        for gid in server.server_group_ids:
            group = self.groups.get(gid)
            if group is None:
                continue
            # Members on the hosts being left do not pin anything.
            members = [h for h in self.group_hosts[gid] if h not in exclude]
            if group.policy == "anti-affinity" and host in members:
                return False
            if group.policy == "affinity" and members \
                    and host not in members:
                return False
        return True

    def _soft_penalty(self, host: str, server: records.Server) -> int:
        penalty = 0
        for gid in server.server_group_ids:
            group = self.groups.get(gid)
            if group is None:
                continue
            count = self.group_hosts[gid].count(host)
            if group.policy == "soft-anti-affinity":
                penalty += count
            elif group.policy == "soft-affinity":
                penalty -= count
        return penalty

    def _best(self, tier: list[TargetHost], server: records.Server) -> str:
        scores = _scores([self.free[t.name] for t in tier],
                         self.weights)
        ranked = sorted(
            zip(tier, scores, strict=True),
            key=lambda ts: (self._soft_penalty(ts[0].name, server), -ts[1],
                            ts[0].name))
        return ranked[0][0].name

    def _take(self, host: str, server: records.Server) -> None:
        free = self.free[host]
        free[0] -= server.memory_mb
        free[1] -= server.vcpus
        free[2] -= server.disk_gb
        for gid in server.server_group_ids:
            if gid in self.group_hosts:
                self.group_hosts[gid].append(host)


def _scores(free: list[list[float]],
            weights: tuple[float, float, float]) -> list[float]:
    """Weighted sum of each resource normalised to [0, 1] across hosts."""
    columns = list(zip(*free, strict=True))
    normalised = []
    for column in columns:
        low, high = min(column), max(column)
        span = high - low
        normalised.append([(v - low) / span if span else 0.0
                           for v in column])
    return [sum(w * normalised[r][i] for r, w in enumerate(weights))
            for i in range(len(free))]
