"""Failover headroom: could the cloud absorb the loss of each host? Pure.

For every compute host in turn, the planner itself plans the evacuation of
that host's instances (``planner.plan_evacuation`` on the targets
``planner.build_targets`` makes of every other host: standby hosts first,
then normal ones, availability zones, capacity and server-group rules
honoured, the host's aggregates given for their protection), exactly as
a recovery would plan it if the host died now: the same decision per
instance (``intents.evacuation``: every protection layer, service-owned
instances, ``local_disk_policy``). The host's loss is *absorbable* when
that plan places every instance a recovery would move; otherwise the
instances it leaves unplaced are reported with the planner's reason.

"Could be absorbed" means: by the plan the engine would actually run.
The planner is greedy (priority tiers, then bigger instances first, each
to the best-weighted host), so in rare mixes of sizes a placement could
exist that it does not find; such a host is reported as not absorbable,
because its recovery would leave those instances down (the unit tests
count these cases against an exhaustive search: 3 of 752 unabsorbable
verdicts on their generated clouds). Conversely a host reported
absorbable always has a valid placement (the plan is one).
``doc/operator-guide.md`` ("Failover headroom") says so to the operator.

The *largest* host is the one whose loss asks the most of the others: the
most RAM (then vCPUs, then disk, then name) in the instances its recovery
would move. ``Headroom.survives_largest`` is False when its loss cannot be
absorbed: the engine raises an alert for it.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
import dataclasses

from vmotiond.cloud import records
from vmotiond.engine.deciding import eligibility
from vmotiond.engine.deciding import planner
from vmotiond.engine.deciding.records import IgnoredMove
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.deciding.records import ServerGroup
from vmotiond.engine.deciding.records import TargetHost

LOST = "it is the host lost"


@dataclasses.dataclass(frozen=True)
class HostLoss:
    """What the loss of one host would leave: the planner's verdict."""

    host: str
    zone: str | None
    role: str
    moved: int                  # instances a recovery would move
    memory_mb: int              # their RAM, vCPUs and disk
    vcpus: int
    disk_gb: int
    unplaced: tuple[IgnoredMove, ...]
    # (instance id, target host) of every instance the plan places.
    placements: tuple[tuple[str, str], ...] = ()

    @property
    def absorbable(self) -> bool:
        return not self.unplaced

    def size(self) -> tuple[int, int, int]:
        return (self.memory_mb, self.vcpus, self.disk_gb)


@dataclasses.dataclass(frozen=True)
class Headroom:
    """Every host's loss, in host order, and the largest one's name."""

    losses: tuple[HostLoss, ...]
    largest: str | None

    @property
    def unabsorbable(self) -> tuple[str, ...]:
        """The hosts whose loss the others could not absorb."""
        return tuple(h.host for h in self.losses if not h.absorbable)

    @property
    def survives_largest(self) -> bool:
        return self.largest is None or self.largest not in self.unabsorbable


def groups_of(moving: Sequence[records.Server],
              groups: Iterable[records.ServerGroup],
              where: Mapping[str, str | None]
              ) -> tuple[list[records.Server], dict[str, ServerGroup]]:
    """``moving`` with their group ids, and those groups with the hosts
    where their other members run (``where``: server id -> host).

    Nova's server list does not name a server's groups, so membership
    comes from the groups; the members that move are placed by the plan,
    the others count where they are.
    """
    ids = {s.id for s in moving}
    mine = [g for g in groups if ids.intersection(g.members)]
    if not mine:
        return list(moving), {}
    member_of: dict[str, list[str]] = {}
    for group in mine:
        for member in group.members:
            member_of.setdefault(member, []).append(group.id)
    servers = [dataclasses.replace(
        s, server_group_ids=tuple(member_of.get(s.id, ()))) for s in moving]
    return servers, {g.id: ServerGroup(g.id, g.policy, frozenset(
        h for m in g.members if m not in ids and (h := where.get(m))))
        for g in mine}


def check(hosts: Iterable[eligibility.HostFacts],
          servers: Iterable[records.Server],
          groups: Sequence[records.ServerGroup],
          options: PlanOptions,
          aggregates: Sequence[records.Aggregate] | None = None,
          images: records.Images | None = None) -> Headroom:
    """Plan the loss of every compute host of ``hosts``, one at a time.

    ``servers``: every instance of the cloud (each counts on its host);
    ``groups``: every server group; ``aggregates``: Nova's host
    aggregates, ``images`` the instances' images, each None when unknown
    (as for ``planner.plan_evacuation``).
    """
    targets = planner.build_targets(hosts)
    by_host: dict[str, list[records.Server]] = {}
    where: dict[str, str | None] = {}
    for server in servers:
        where[server.id] = server.host
        if server.host:
            by_host.setdefault(server.host, []).append(server)
    losses = []
    for index, target in enumerate(targets):
        losses.append(_loss(target, index, targets,
                            by_host.get(target.name, []), groups, where,
                            options, aggregates, images))
    moving = [h for h in losses if h.moved]
    largest = max(moving, key=lambda h: (h.size(), h.host)).host \
        if moving else None
    return Headroom(tuple(losses), largest)


def _loss(lost: TargetHost, index: int, targets: Sequence[TargetHost],
          servers: list[records.Server],
          groups: Sequence[records.ServerGroup],
          where: Mapping[str, str | None],
          options: PlanOptions,
          aggregates: Sequence[records.Aggregate] | None,
          images: records.Images | None) -> HostLoss:
    # The targets of its recovery: every other host as it is, the lost
    # one refused (``build_targets`` with it excluded).
    others = list(targets)
    others[index] = dataclasses.replace(lost, unusable=LOST)
    servers, plan_groups = groups_of(servers, groups, where)
    plan = planner.plan_evacuation(lost.name, servers, others, options,
                                   server_groups=plan_groups,
                                   source_zone=lost.zone,
                                   aggregates=aggregates, images=images)
    moved = [m.server for m in plan.moves] + [
        i.server for i in plan.unplaced]
    return HostLoss(lost.name, lost.zone, lost.role, len(moved),
                    sum(s.memory_mb for s in moved),
                    sum(s.vcpus for s in moved),
                    sum(s.disk_gb for s in moved), plan.unplaced,
                    tuple((m.server.id, str(m.dest_host))
                          for m in plan.moves))
