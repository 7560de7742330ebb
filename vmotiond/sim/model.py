"""The simulated cloud's state: hosts, servers, migrations, network.

Plain records plus :class:`CloudState`, which keeps the indexes (servers by
host, allocations by host, ports by device) that keep list calls fast at
2,000 hosts and 40,000 servers. Nothing here does I/O or reads a clock;
callers pass ``now``.
"""

from collections.abc import Iterator
import dataclasses
import datetime
import itertools
import uuid

from vmotiond.sim import errors
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


def _zero() -> dict[str, int]:
    return {"VCPU": 0, "MEMORY_MB": 0, "DISK_GB": 0}


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


class CloudState:
    """Every record of the cloud, with the indexes list calls need."""

    def __init__(self) -> None:
        self.hosts: dict[str, Host] = {}
        self.hosts_by_service_uuid: dict[str, Host] = {}
        self.hosts_by_node_uuid: dict[str, Host] = {}
        self.flavors: dict[str, Flavor] = {}
        self.servers: dict[str, Server] = {}
        self.order: list[Server] = []          # by seq (creation order)
        self.by_host: dict[str, dict[str, Server]] = {}
        self.alloc_by_host: dict[str, dict[str, Server]] = {}
        self.migrations: list[Migration] = []
        self.migrations_by_server: dict[str, list[Migration]] = {}
        self.groups: dict[str, ServerGroup] = {}
        self.aggregates: dict[int, Aggregate] = {}
        self.ports: dict[str, Port] = {}
        self.ports_by_device: dict[str, list[Port]] = {}
        self.fips: dict[str, FloatingIp] = {}
        self.fips_by_port: dict[str, list[FloatingIp]] = {}
        self._ids = itertools.count(1)
        self._mig_ids = itertools.count(1)
        self._agg_ids = itertools.count(1)
        self._used: dict[str, dict[str, int]] = {}

    # Hosts ---------------------------------------------------------------
    def add_host(self, host: Host) -> Host:
        if host.name in self.hosts:
            raise errors.Conflict("Host %s exists already." % host.name)
        self.hosts[host.name] = host
        self.hosts_by_service_uuid[host.service_uuid] = host
        self.hosts_by_node_uuid[host.node_uuid] = host
        self.by_host.setdefault(host.name, {})
        self.alloc_by_host.setdefault(host.name, {})
        self._used[host.name] = _zero()
        return host

    def next_id(self) -> int:
        return next(self._ids)

    def host(self, name: str) -> Host:
        try:
            return self.hosts[name]
        except KeyError:
            raise errors.NotFound(
                "Compute host %s could not be found." % name) from None

    def usage(self, host: str) -> dict[str, int]:
        """Sum of the allocations against the host's provider."""
        return dict(self._used.get(host) or _zero())

    def fits(self, host: Host, resources: dict[str, int]) -> bool:
        used = self.usage(host.name)
        return all(used[rc] + amount <= host.capacity(rc)
                   for rc, amount in resources.items())

    # Servers -------------------------------------------------------------
    def add_server(self, server: Server) -> Server:
        self.servers[server.id] = server
        self.order.append(server)
        if server.host is not None:
            self.by_host.setdefault(server.host, {})[server.id] = server
            self.allocate(server, server.host, server.id)
        return server

    def get_server(self, server_id: str) -> Server:
        server = self.servers.get(server_id)
        if server is None or server.deleted:
            raise errors.NotFound(
                "Instance %s could not be found." % server_id)
        return server

    def move_server(self, server: Server, host: str | None) -> None:
        """Change ``server.host`` and keep the host index right."""
        if server.host is not None:
            self.by_host.get(server.host, {}).pop(server.id, None)
        server.host = host
        if host is not None:
            self.by_host.setdefault(host, {})[server.id] = server

    def allocate(self, server: Server, host: str, consumer: str) -> None:
        """Hold the server's flavor on ``host`` for ``consumer``."""
        if host not in server.allocs:
            used = self._used.setdefault(host, _zero())
            for rc, amount in server.resources.items():
                used[rc] += amount
        server.allocs[host] = consumer
        self.alloc_by_host.setdefault(host, {})[server.id] = server
        self.hosts[host].rp_generation += 1

    def free(self, server: Server, host: str) -> None:
        if server.allocs.pop(host, None) is not None:
            self.alloc_by_host.get(host, {}).pop(server.id, None)
            used = self._used[host]
            for rc, amount in server.resources.items():
                used[rc] -= amount
            self.hosts[host].rp_generation += 1

    def delete_server(self, server: Server) -> None:
        for host in list(server.allocs):
            self.free(server, host)
        self.move_server(server, None)
        server.deleted = True
        del self.servers[server.id]
        for port in self.ports_by_device.pop(server.id, []):
            self.ports.pop(port.id, None)
            for fip in self.fips_by_port.pop(port.id, []):
                fip.port_id = fip.fixed_ip = None

    def servers_newest_first(self) -> Iterator[Server]:
        for server in reversed(self.order):
            if not server.deleted:
                yield server

    # Migrations ----------------------------------------------------------
    def add_migration(self, server: Server, migration_type: str,
                      status: str, dest: str | None,
                      now: datetime.datetime) -> Migration:
        migration = Migration(
            id=next(self._mig_ids), uuid=new_uuid(), server_id=server.id,
            migration_type=migration_type, status=status,
            source_compute=server.host, dest_compute=dest, created_at=now,
            updated_at=None, flavor_id=server.flavor.id,
            project_id=server.project_id, user_id=server.user_id)
        self.migrations.append(migration)
        self.migrations_by_server.setdefault(server.id, []).append(migration)
        return migration

    # Aggregates ----------------------------------------------------------
    def add_aggregate(self, name: str, zone: str | None,
                      now: datetime.datetime) -> Aggregate:
        if any(a.name == name for a in self.aggregates.values()):
            raise errors.Conflict("Aggregate %s already exists." % name)
        aggregate = Aggregate(id=next(self._agg_ids), uuid=new_uuid(),
                              name=name, created_at=now)
        if zone:
            aggregate.metadata["availability_zone"] = zone
        self.aggregates[aggregate.id] = aggregate
        return aggregate

    def aggregate(self, aggregate_id: str) -> Aggregate:
        found = (self.aggregates.get(int(aggregate_id))
                 if aggregate_id.isdigit() else None)
        if found is None:
            raise errors.NotFound("Aggregate %s could not be found."
                                  % aggregate_id)
        return found

    def zone_of(self, host: str, default: str) -> str:
        """A host's zone: that of an aggregate it is in, else ``default``
        (Nova's ``default_availability_zone``)."""
        for aggregate in self.aggregates.values():
            if host in aggregate.hosts and aggregate.availability_zone:
                return aggregate.availability_zone
        return default

    # Network -------------------------------------------------------------
    def add_port(self, port: Port) -> Port:
        self.ports[port.id] = port
        self.ports_by_device.setdefault(port.device_id, []).append(port)
        return port

    def add_fip(self, fip: FloatingIp) -> FloatingIp:
        self.fips[fip.id] = fip
        if fip.port_id:
            self.fips_by_port.setdefault(fip.port_id, []).append(fip)
        return fip

    def bind_fip(self, fip: FloatingIp, port: Port | None,
                 now: datetime.datetime) -> None:
        if fip.port_id:
            bound = self.fips_by_port.get(fip.port_id, [])
            if fip in bound:
                bound.remove(fip)
        if port is None:
            fip.port_id = fip.fixed_ip = fip.router_id = None
            fip.status = "DOWN"
        else:
            fip.port_id, fip.fixed_ip = port.id, port.ip_address
            fip.router_id = fip.router_id or new_uuid()
            fip.status = "ACTIVE"
            self.fips_by_port.setdefault(port.id, []).append(fip)
        fip.updated_at = now
