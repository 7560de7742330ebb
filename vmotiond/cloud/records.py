"""Plain, typed records of what the cloud reports.

The rest of vmotiond sees the cloud only through these; nothing outside
``vmotiond/cloud/`` touches an openstacksdk resource.
"""

from collections.abc import Mapping
import dataclasses
import datetime

from vmotiond import disabled_reason


@dataclasses.dataclass(frozen=True, slots=True)
class ComputeService:
    """One nova-compute service, as os-services reports it."""

    id: str
    host: str
    zone: str
    state: str                      # "up" or "down", Nova's verdict
    status: str                     # "enabled" or "disabled"
    forced_down: bool
    updated_at: datetime.datetime | None   # last heartbeat, naive UTC
    disabled_reason: str | None = None

    @property
    def operator_disabled(self) -> bool:
        """Whether someone else than vmotiond disabled the service: its
        reason is not one vmotiond writes (``disabled_reason.parse``)."""
        return self.status == "disabled" and \
            disabled_reason.parse(self.disabled_reason) is None


@dataclasses.dataclass(frozen=True, slots=True)
class HostCapacity:
    """Capacity of one compute host: hypervisor facts plus Placement usage.

    ``*_total`` are the raw inventory totals, ``*_reserved`` what Placement
    holds back, ``*_ratio`` the allocation ratios and ``*_used`` the sum of
    allocations against the provider.
    """

    host: str
    # The compute node's UUID (the hypervisor's id from compute API 2.53
    # on), its Placement provider's too; Nova keeps it stable, so it is
    # the host's uuid in vmotiond (hosts.uuid, source_host_uuid).
    hypervisor_id: str
    host_ip: str | None
    vcpus_total: int
    vcpus_reserved: int
    vcpus_used: int
    cpu_allocation_ratio: float
    memory_mb_total: int
    memory_mb_reserved: int
    memory_mb_used: int
    ram_allocation_ratio: float
    disk_gb_total: int
    disk_gb_reserved: int
    disk_gb_used: int
    disk_allocation_ratio: float
    running_vms: int

    @property
    def vcpus_free(self) -> float:
        return _free(self.vcpus_total, self.vcpus_reserved,
                     self.cpu_allocation_ratio, self.vcpus_used)

    @property
    def memory_mb_free(self) -> float:
        return _free(self.memory_mb_total, self.memory_mb_reserved,
                     self.ram_allocation_ratio, self.memory_mb_used)

    @property
    def disk_gb_free(self) -> float:
        return _free(self.disk_gb_total, self.disk_gb_reserved,
                     self.disk_allocation_ratio, self.disk_gb_used)


def _free(total: int, reserved: int, ratio: float, used: int) -> float:
    """Free capacity as Placement computes it."""
    return (total - reserved) * ratio - used


@dataclasses.dataclass(frozen=True)
class Server:
    """One server (instance) with what recovery decisions need."""

    id: str
    name: str
    status: str                     # API status: ACTIVE, SHUTOFF, ERROR, ...
    vm_state: str | None            # OS-EXT-STS:vm_state
    task_state: str | None          # OS-EXT-STS:task_state
    host: str | None                # OS-EXT-SRV-ATTR:host
    availability_zone: str | None
    project_id: str
    vcpus: int
    memory_mb: int
    disk_gb: int
    metadata: Mapping[str, str]
    locked: bool = False
    server_group_ids: tuple[str, ...] = ()
    flavor_name: str | None = None
    addresses: tuple["Address", ...] = ()
    # Nova's ``updated``, as it says it (ISO 8601, to the second): the
    # value of a later ``changes-since``.
    updated: str | None = None
    # The flavor's extra specs, embedded from microversion 2.47 on (admin).
    flavor_extra_specs: Mapping[str, str] = dataclasses.field(
        default_factory=dict)
    # Booted from a volume: Nova's ``image`` is empty.
    volume_backed: bool = False
    # The image it booted from (its properties are the image service's:
    # ``Image``), None when booted from a volume.
    image_id: str | None = None


@dataclasses.dataclass(frozen=True)
class Image:
    """An image of the image service (Glance v2): its string properties
    (custom ones and base ones alike) and its tags."""

    id: str
    name: str
    properties: Mapping[str, str] = dataclasses.field(default_factory=dict)
    tags: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Images:
    """The images of a plan's instances: those read, why each other one
    could not be (deleted since, the image service failed...), and why
    none could be when the cloud has no image service (``missing``: said
    once for the plan, not for each image)."""

    found: Mapping[str, Image] = dataclasses.field(default_factory=dict)
    unread: Mapping[str, str] = dataclasses.field(default_factory=dict)
    missing: str | None = None


@dataclasses.dataclass(frozen=True)
class Address:
    """One address of a server: its network, the address and its kind
    (``fixed`` or ``floating``, as Nova's ``OS-EXT-IPS:type``)."""

    network: str
    address: str
    kind: str


@dataclasses.dataclass(frozen=True)
class ServerGroup:
    """A Nova server group: its policy and its members' server ids."""

    id: str
    name: str
    policy: str                     # anti-affinity, affinity, soft-...
    members: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Aggregate:
    """A Nova host aggregate: its hosts and metadata. Its availability
    zone, if any, is its ``availability_zone`` metadata."""

    id: str
    name: str
    hosts: tuple[str, ...] = ()
    metadata: Mapping[str, str] = dataclasses.field(default_factory=dict)
    availability_zone: str | None = None


@dataclasses.dataclass(frozen=True)
class Migration:
    """One record of os-migrations."""

    id: str
    server_id: str
    source_compute: str | None
    dest_compute: str | None
    status: str
    migration_type: str             # evacuation, migration, live-migration
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None


@dataclasses.dataclass(frozen=True)
class Port:
    """A Neutron port of a server."""

    id: str
    device_id: str
    fixed_ips: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class FloatingIp:
    """A Neutron floating IP and the port it is bound to, if any."""

    id: str
    address: str
    port_id: str | None
    fixed_ip: str | None


@dataclasses.dataclass(frozen=True)
class NetworkAgent:
    """A Neutron agent: its host, type and the networks it reports
    (``configurations``: ``tunneling_ip``, ``bridge_mappings``...)."""

    host: str
    agent_type: str
    configurations: Mapping[str, object] = dataclasses.field(
        default_factory=dict)
