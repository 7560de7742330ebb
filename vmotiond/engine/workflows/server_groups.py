"""The server groups of the instances that move, for the planner."""

import dataclasses

from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records
from vmotiond.engine.deciding.records import ServerGroup


def of_servers(cloud: cloud_base.Cloud, moving: list[records.Server]
               ) -> tuple[list[records.Server], dict[str, ServerGroup]]:
    """``moving`` with their groups, and those groups with the hosts where
    their other members run now.

    Nova's server list does not name a server's groups, so membership
    comes from the groups; the members that move are placed by the plan,
    the others count where they are.
    """
    ids = {s.id for s in moving}
    groups = [g for g in cloud.list_server_groups()
              if ids.intersection(g.members)]
    if not groups:
        return moving, {}
    where = {s.id: s.host for s in cloud.list_servers()
             if s.host and s.id not in ids}
    member_of: dict[str, list[str]] = {}
    for group in groups:
        for member in group.members:
            member_of.setdefault(member, []).append(group.id)
    moving = [dataclasses.replace(
        s, server_group_ids=tuple(member_of.get(s.id, ())))
        for s in moving]
    return moving, {g.id: ServerGroup(g.id, g.policy, frozenset(
        where[m] for m in g.members if m in where)) for g in groups}
