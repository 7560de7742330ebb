"""The server groups of the instances that move, for the planner."""

from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records
from vmotiond.engine.deciding import headroom
from vmotiond.engine.deciding.records import ServerGroup


def of_servers(cloud: cloud_base.Cloud, moving: list[records.Server]
               ) -> tuple[list[records.Server], dict[str, ServerGroup]]:
    """``moving`` with their groups, and those groups with the hosts where
    their other members run now (``headroom.groups_of``)."""
    ids = {s.id for s in moving}
    groups = [g for g in cloud.list_server_groups()
              if ids.intersection(g.members)]
    if not groups:
        return moving, {}
    where = {s.id: s.host for s in cloud.list_servers()}
    return headroom.groups_of(moving, groups, where)
