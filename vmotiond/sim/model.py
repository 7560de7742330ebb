"""The simulated cloud's state: hosts, servers, migrations, network.

Plain records and the services' heartbeats; ``cloud_state.CloudState``
keeps them with their indexes. Nothing here does I/O or reads a clock;
callers pass ``now``.
"""

import dataclasses
import datetime
import uuid

from vmotiond.sim import images
from vmotiond.sim import states


def new_uuid() -> str:
    return str(uuid.uuid4())


@dataclasses.dataclass
class Flavor:
    id: str
    name: str
    vcpus: int
    ram: int
    disk: int
    ephemeral: int = 0
    swap: int = 0
    is_public: bool = True
    extra_specs: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def resources(self) -> dict[str, int]:
        return {"VCPU": self.vcpus, "MEMORY_MB": self.ram,
                "DISK_GB": self.disk + self.ephemeral}


@dataclasses.dataclass
class Host:
    """A compute host: its nova-compute service, hypervisor and provider."""

    name: str
    zone: str
    role: str
    service_id: int
    service_uuid: str
    hypervisor_id: int
    node_uuid: str                   # hypervisor uuid == provider uuid
    host_ip: str
    vcpus: int
    memory_mb: int
    disk_gb: int
    vcpus_reserved: int = 0
    memory_mb_reserved: int = 512
    disk_gb_reserved: int = 0
    cpu_allocation_ratio: float = 4.0
    ram_allocation_ratio: float = 1.0
    disk_allocation_ratio: float = 1.0
    disabled: bool = False
    disabled_reason: str | None = None
    forced_down: bool = False
    compute_running: bool = True     # nova-compute heartbeats
    probe_reachable: bool = True     # the machine answers a probe
    hb_start: datetime.datetime = datetime.datetime(2000, 1, 1)
    hb_stop: datetime.datetime | None = None
    written_at: datetime.datetime | None = None   # last update by the API
    rp_generation: int = 1
    booted_at: datetime.datetime = datetime.datetime(2000, 1, 1)

    def capacity(self, rc: str) -> float:
        """Placement capacity of one resource class."""
        total, reserved, ratio = {
            "VCPU": (self.vcpus, self.vcpus_reserved,
                     self.cpu_allocation_ratio),
            "MEMORY_MB": (self.memory_mb, self.memory_mb_reserved,
                          self.ram_allocation_ratio),
            "DISK_GB": (self.disk_gb, self.disk_gb_reserved,
                        self.disk_allocation_ratio),
        }[rc]
        return (total - reserved) * ratio


@dataclasses.dataclass
class Server:
    id: str
    name: str
    project_id: str
    user_id: str
    flavor: Flavor
    vm_state: str
    host: str | None
    seq: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    task_state: str | None = None
    power_state: int = states.POWER_RUNNING
    pinned_az: str | None = None
    metadata: dict[str, str] = dataclasses.field(default_factory=dict)
    locked: bool = False
    locked_reason: str | None = None
    group_id: str | None = None
    image_id: str = images.DEFAULT_IMAGE
    key_name: str | None = None
    fault: dict[str, object] | None = None
    old_vm_state: str | None = None        # restored by confirm/revert
    allocs: dict[str, str] = dataclasses.field(default_factory=dict)
    deleted: bool = False

    @property
    def status(self) -> str:
        return states.status_of(self.vm_state, self.task_state)

    @property
    def volume_backed(self) -> bool:
        """Booted from a volume: no image, Nova's ``image`` is ``""``."""
        return not self.image_id

    @property
    def resources(self) -> dict[str, int]:
        """What Placement holds for it: its flavor's, without the root
        disk when it boots from a volume (that disk is Cinder's), and
        without the classes it takes none of (Nova asks for none)."""
        held = dict(self.flavor.resources)
        if self.volume_backed:
            held["DISK_GB"] -= self.flavor.disk
        return {rc: amount for rc, amount in held.items() if amount}


@dataclasses.dataclass
class Migration:
    id: int
    uuid: str
    server_id: str
    migration_type: str              # evacuation, migration, live-migration
    status: str
    source_compute: str | None
    dest_compute: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime | None
    flavor_id: str
    project_id: str
    user_id: str
    dest_host: str | None = None

    def set_status(self, status: str, at: datetime.datetime) -> None:
        self.status = status
        self.updated_at = at


@dataclasses.dataclass
class ServerGroup:
    id: str
    name: str
    policy: str
    project_id: str
    user_id: str
    members: list[str] = dataclasses.field(default_factory=list)
    rules: dict[str, object] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Aggregate:
    """A host aggregate; its availability zone is its
    ``availability_zone`` metadata, as in Nova."""

    id: int
    uuid: str
    name: str
    created_at: datetime.datetime
    hosts: list[str] = dataclasses.field(default_factory=list)
    metadata: dict[str, str] = dataclasses.field(default_factory=dict)
    updated_at: datetime.datetime | None = None

    @property
    def availability_zone(self) -> str | None:
        return self.metadata.get("availability_zone")


@dataclasses.dataclass
class Port:
    id: str
    network_id: str
    subnet_id: str
    device_id: str
    mac_address: str
    ip_address: str
    project_id: str
    binding_host: str | None
    status: str = "ACTIVE"
    name: str = ""


@dataclasses.dataclass
class FloatingIp:
    id: str
    address: str
    network_id: str
    project_id: str
    port_id: str | None = None
    fixed_ip: str | None = None
    router_id: str | None = None
    status: str = "DOWN"
    updated_at: datetime.datetime | None = None


def last_heartbeat(host: Host, interval: float,
                   now: datetime.datetime) -> datetime.datetime:
    """``updated_at`` of the service: the last report before now/stop.

    nova-compute reports every ``interval`` seconds from ``hb_start``; it
    stops reporting at ``hb_stop``.
    """
    end = now if host.hb_stop is None else min(now, host.hb_stop)
    elapsed = (end - host.hb_start).total_seconds()
    if elapsed <= 0:
        return host.hb_start
    beats = int(elapsed // interval)
    return host.hb_start + datetime.timedelta(seconds=beats * interval)


def service_updated_at(host: Host, interval: float,
                       now: datetime.datetime) -> datetime.datetime:
    """``updated_at`` of the service row: its last write, a heartbeat or
    an update through the API (force down, disable, enable), as in Nova.
    """
    beat = last_heartbeat(host, interval, now)
    if host.written_at is not None and host.written_at > beat:
        return host.written_at
    return beat


def service_is_up(host: Host, interval: float, down_time: float,
                  now: datetime.datetime) -> bool:
    """Nova's servicegroup DB driver verdict."""
    if host.forced_down:
        return False
    elapsed = (now - last_heartbeat(host, interval, now)).total_seconds()
    return abs(elapsed) <= down_time
