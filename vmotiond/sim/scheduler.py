"""Nova's scheduler and destination checks, as pure functions.

``select_destination`` applies the filters Nova applies when it moves a
server (ComputeFilter: enabled and up; AvailabilityZoneFilter; Placement
capacity with allocation ratios; the server group's (anti-)affinity) and
weighs the survivors by free RAM, as Nova's default RAMWeigher spreads.
With a requested host the same filters run on that host alone (Nova's
``requested_destination``); ``force`` skips them as Nova's force flag does.
"""

from collections.abc import Callable
import datetime

from vmotiond.sim import cloud_state
from vmotiond.sim import errors
from vmotiond.sim import model

IsUp = Callable[[model.Host], bool]


def rejection(state: cloud_state.CloudState, server: model.Server,
              host: model.Host, is_up: IsUp) -> str | None:
    """Why ``host`` cannot take ``server``, or None if it can."""
    if host.disabled:
        return "ComputeFilter: service disabled"
    if not is_up(host):
        return "ComputeFilter: service down"
    if server.pinned_az is not None and host.zone != server.pinned_az:
        return "AvailabilityZoneFilter"
    if host.name in server.allocs:
        pass   # a move to where it already holds resources needs no more
    elif not state.fits(host, server.resources):
        return "Placement: not enough capacity"
    group = state.groups.get(server.group_id) if server.group_id else None
    if group is not None:
        others = _member_hosts(state, group, server)
        if group.policy == "anti-affinity" and host.name in others:
            return "ServerGroupAntiAffinityFilter"
        if group.policy == "affinity" and others and host.name not in others:
            return "ServerGroupAffinityFilter"
    return None


def _member_hosts(state: cloud_state.CloudState, group: model.ServerGroup,
                  server: model.Server) -> set[str]:
    hosts: set[str] = set()
    for member_id in group.members:
        member = state.servers.get(member_id)
        if member is None or member.id == server.id:
            continue
        if member.host:
            hosts.add(member.host)
        hosts.update(member.allocs)
    return hosts


def select_destination(state: cloud_state.CloudState, server: model.Server,
                       is_up: IsUp, requested: str | None = None,
                       ignore: tuple[str, ...] = ()) -> model.Host:
    """Pick the host for ``server`` or raise ``NoValidHost`` (as 400)."""
    if requested is not None:
        host = state.host(requested)
        reason = rejection(state, server, host, is_up)
        if reason is not None:
            raise NoValidHost(reason)
        return host
    best: tuple[float, str] | None = None
    chosen = None
    for host in state.hosts.values():
        if host.name in ignore or host.name == server.host:
            continue
        if rejection(state, server, host, is_up) is not None:
            continue
        free = (host.capacity("MEMORY_MB")
                - state.usage(host.name)["MEMORY_MB"])
        key = (-free, host.name)
        if best is None or key < best:
            best, chosen = key, host
    if chosen is None:
        raise NoValidHost("There are not enough hosts available.")
    return chosen


class NoValidHost(errors.BadRequest):
    def __init__(self, reason: str) -> None:
        super().__init__("No valid host was found. %s" % reason)
        self.reason = reason


def up_checker(interval: float, down_time: float,
               now: datetime.datetime) -> IsUp:
    """Return ``is_up(host)`` bound to the service-group settings."""
    def is_up(host: model.Host) -> bool:
        return model.service_is_up(host, interval, down_time, now)
    return is_up
