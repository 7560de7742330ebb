"""Build a whole simulated cloud from a few numbers (a scenario)."""

import dataclasses
from typing import Any

from vmotiond.sim import cloud as cloud_mod
from vmotiond.sim import states

DEFAULT_FLAVORS = (
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("4", "m1.large", 4, 8192, 80),
)

DEFAULT_MIX = {
    states.ACTIVE: 85, states.STOPPED: 8, states.ERROR: 2, states.PAUSED: 1,
    states.SUSPENDED: 1, states.RESCUED: 1, states.SHELVED_OFFLOADED: 2,
}


@dataclasses.dataclass
class Scenario:
    """What to build; every count may be zero."""

    hosts: int = 20                 # normal compute hosts
    standby: int = 2                # standby hosts (disabled, empty)
    servers: int = 200
    zones: int = 1                  # "nova" when 1, else az1..azN
    vcpus: int = 32
    memory_mb: int = 131072
    disk_gb: int = 2000
    cpu_allocation_ratio: float = 4.0
    ram_allocation_ratio: float = 1.0
    disk_allocation_ratio: float = 1.0
    state_mix: dict[str, int] = dataclasses.field(
        default_factory=lambda: dict(DEFAULT_MIX))
    floating_ip_ratio: float = 0.3  # share of servers with a floating IP
    anti_affinity_groups: int = 2   # groups of ``group_size`` members
    group_size: int = 3
    pinned_az_ratio: float = 0.0    # share of servers pinned to their AZ

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> "Scenario":
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(spec) - fields
        if unknown:
            raise ValueError("unknown scenario fields: %s"
                             % ", ".join(sorted(unknown)))
        return cls(**spec)


def zone_name(index: int, zones: int) -> str:
    return "nova" if zones <= 1 else "az%d" % (index % zones + 1)


def build(cloud: cloud_mod.SimCloud, scenario: Scenario) -> dict[str, Any]:
    """Populate ``cloud``; return a summary (host and server counts)."""
    rng = cloud.chaos.rng
    with cloud.lock:
        if not cloud.state.flavors:
            for fid, name, vcpus, ram, disk in DEFAULT_FLAVORS:
                cloud.add_flavor(name, vcpus, ram, disk, flavor_id=fid)
        host_kw: dict[str, Any] = {
            "vcpus": scenario.vcpus, "memory_mb": scenario.memory_mb,
            "disk_gb": scenario.disk_gb,
            "cpu_allocation_ratio": scenario.cpu_allocation_ratio,
            "ram_allocation_ratio": scenario.ram_allocation_ratio,
            "disk_allocation_ratio": scenario.disk_allocation_ratio}
        width = max(4, len(str(scenario.hosts)))
        normal = [cloud.add_host("compute-%0*d" % (width, i + 1),
                                 zone=zone_name(i, scenario.zones),
                                 **host_kw).name
                  for i in range(scenario.hosts)]
        for i in range(scenario.standby):
            cloud.add_host("standby-%02d" % (i + 1),
                           zone=zone_name(i, scenario.zones), role="standby",
                           **host_kw)
        # As in Nova, a zone other than the default is an aggregate's.
        zones: dict[str, list[str]] = {}
        for made in cloud.state.hosts.values():
            zones.setdefault(made.zone, []).append(made.name)
        for zone, members in sorted(zones.items()):
            if zone != cloud_mod.DEFAULT_ZONE:
                cloud.add_aggregate(zone, members, zone=zone)
        groups = [cloud.add_server_group("group-%d" % (g + 1))
                  for g in range(scenario.anti_affinity_groups)]
        vm_states = list(scenario.state_mix)
        weights = [scenario.state_mix[s] for s in vm_states]
        flavors = list(cloud.state.flavors.values())
        placed = 0
        cursor = 0
        for i in range(scenario.servers):
            if not normal:
                break
            flavor = flavors[rng.randrange(len(flavors))]
            group_id = None
            if i < len(groups) * scenario.group_size:
                group_id = groups[i // scenario.group_size].id
            index = _place(cloud, normal, cursor, flavor, group_id)
            if index is None:
                break
            host, cursor = normal[index], index + 1
            vm_state = rng.choices(vm_states, weights)[0]
            zone = cloud.state.hosts[host].zone
            cloud.add_server(
                host, flavor.id, name="vm-%05d" % (i + 1), vm_state=vm_state,
                group_id=group_id,
                pinned_az=zone if rng.random() < scenario.pinned_az_ratio
                else None,
                floating_ip=rng.random() < scenario.floating_ip_ratio)
            placed += 1
    return {"hosts": scenario.hosts, "standby": scenario.standby,
            "servers": placed}


def _place(cloud: cloud_mod.SimCloud, hosts: list[str], start: int,
           flavor: Any, group_id: str | None) -> int | None:
    """Round-robin from ``start``: the index of the next host with room
    (and no other member of the anti-affinity group)."""
    state = cloud.state
    taken: set[str] = set()
    if group_id is not None:
        for member in state.groups[group_id].members:
            taken.add(state.servers[member].host or "")
    for step in range(len(hosts)):
        index = (start + step) % len(hosts)
        name = hosts[index]
        if name not in taken and state.fits(state.hosts[name],
                                            flavor.resources):
            return index
    return None
