"""The server groups of a host's instances, for the planner."""

import dataclasses

from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records
from vmotiond.engine.deciding.records import ServerGroup


def of_host(cloud: cloud_base.Cloud, host: str,
            servers: list[records.Server]
            ) -> tuple[list[records.Server], dict[str, ServerGroup]]:
    """``host``'s servers with their groups, and those groups with the
    hosts where their other members run now.

    Nova's server list does not name a server's groups, so membership
    comes from the groups; members on ``host`` itself are the ones moving.
    """
    on_host = {s.id for s in servers}
    groups = [g for g in cloud.list_server_groups()
              if on_host.intersection(g.members)]
    if not groups:
        return servers, {}
    where = {s.id: s.host for s in cloud.list_servers()
             if s.host and s.host != host}
    member_of: dict[str, list[str]] = {}
    for group in groups:
        for member in group.members:
            member_of.setdefault(member, []).append(group.id)
    servers = [dataclasses.replace(
        s, server_group_ids=tuple(member_of.get(s.id, ())))
        for s in servers]
    return servers, {g.id: ServerGroup(g.id, g.policy, frozenset(
        where[m] for m in g.members if m in where)) for g in groups}
