"""The simulated cloud as one object: state, clock, time and chaos.

:class:`SimCloud` is the Python API of the simulator. Tests and the
``/sim`` control endpoint use it to build a cloud and to break it; the
Nova, Placement and Neutron front ends read it and call the operations in
``moves`` and ``power``. Every public method takes the lock and first lets
simulated time catch up (:meth:`tick`). Breaking hosts is in
``host_faults``, the chaos of the API in ``chaos_controls``.
"""

from collections.abc import Iterable
import datetime
import ipaddress
import threading
from typing import Any

from vmotiond import clock as clock_mod
from vmotiond.sim import chaos as chaos_mod
from vmotiond.sim import chaos_controls
from vmotiond.sim import cloud_state
from vmotiond.sim import errors
from vmotiond.sim import host_faults
from vmotiond.sim import images as images_mod
from vmotiond.sim import model
from vmotiond.sim import states
from vmotiond.sim import timeline as timeline_mod

DEFAULT_PROJECT = "6f70656e737461636b20342065766572"
DEFAULT_USER = "fake"
# Nova's default_availability_zone: the zone of hosts in no zone's
# aggregate.
DEFAULT_ZONE = "nova"
# A standby host is disabled as 'vmotiond-manage host set --role standby'
# disables it; a service disabled with any other reason is an operator's,
# and its host receives no instance.
STANDBY_REASON = "vmotiond: standby host, kept out of scheduling"


class SimCloud(host_faults.HostFaults, chaos_controls.ChaosControls):
    """A simulated OpenStack cloud that needs no thread of its own."""

    def __init__(self, clock: clock_mod.Clock | None = None,
                 seed: int | None = None, report_interval: float = 10.0,
                 service_down_time: float = 60.0, rpc_timeout: float = 60.0,
                 max_limit: int = 1000,
                 shared_host_ip: str | None = None) -> None:
        self.clock = clock or clock_mod.Clock()
        self.lock = threading.RLock()
        self.state = cloud_state.CloudState()
        self.timeline = timeline_mod.Timeline()
        self.chaos = chaos_mod.Chaos(seed)
        self.report_interval = report_interval
        self.service_down_time = service_down_time
        self.rpc_timeout = rpc_timeout
        self.max_limit = max_limit
        self.network_id = model.new_uuid()
        self.subnet_id = model.new_uuid()
        self.public_network_id = model.new_uuid()
        self._fixed_ips = ipaddress.ip_network("10.0.0.0/8").hosts()
        self._public_ips = ipaddress.ip_network("172.16.0.0/12").hosts()
        # Management addresses on loopback: a probe of a simulated host
        # never leaves this machine.
        self._host_ips = ipaddress.ip_network("127.128.0.0/16").hosts()
        # One host_ip for every host, as Nova's fake driver reports.
        self.shared_host_ip = shared_host_ip
        # The image service's images (``glance``), by id.
        self.images = images_mod.defaults(DEFAULT_PROJECT)

    # Time ----------------------------------------------------------------
    def tick(self) -> datetime.datetime:
        """Fire due events; return now. Call with the lock held."""
        now = self.clock.now()
        self.timeline.run_due(now)
        return now

    def is_up(self, host: model.Host,
              now: datetime.datetime | None = None) -> bool:
        return model.service_is_up(
            host, self.report_interval, self.service_down_time,
            now or self.clock.now())

    def updated_at(self, host: model.Host,
                   now: datetime.datetime) -> datetime.datetime:
        return model.service_updated_at(host, self.report_interval, now)

    def advance(self, seconds: float) -> datetime.datetime:
        """Move a ``FakeClock`` forward and fire what became due."""
        if not isinstance(self.clock, clock_mod.FakeClock):
            raise errors.BadRequest("The clock is real; it cannot advance.")
        self.clock.advance(seconds)
        with self.lock:
            return self.tick()

    # Building ------------------------------------------------------------
    def add_flavor(self, name: str, vcpus: int, ram: int, disk: int,
                   flavor_id: str | None = None, **kw: Any) -> model.Flavor:
        with self.lock:
            flavor = model.Flavor(flavor_id or str(len(self.state.flavors)
                                                   + 1),
                                  name, vcpus, ram, disk, **kw)
            self.state.flavors[flavor.id] = flavor
            return flavor

    def flavor(self, name_or_id: str) -> model.Flavor:
        flavors = self.state.flavors
        if name_or_id in flavors:
            return flavors[name_or_id]
        for flavor in flavors.values():
            if flavor.name == name_or_id:
                return flavor
        raise errors.NotFound("Flavor %s could not be found." % name_or_id)

    def add_host(self, name: str, zone: str = DEFAULT_ZONE,
                 role: str = "normal",
                 vcpus: int = 32, memory_mb: int = 131072,
                 disk_gb: int = 2000, disabled: bool | None = None,
                 **kw: Any) -> model.Host:
        """Add a compute host whose nova-compute runs from now on.

        A ``standby`` host is disabled (kept out of scheduling) unless
        ``disabled`` says otherwise. The heartbeat phase is random, as on a
        real cloud where hosts did not all start in the same second.
        """
        with self.lock:
            now = self.tick()
            if disabled is None:
                disabled = role == "standby"
            phase = self.chaos.rng.uniform(0, self.report_interval)
            host = model.Host(
                name=name, zone=zone, role=role,
                service_id=self.state.next_id(),
                service_uuid=model.new_uuid(),
                hypervisor_id=self.state.next_id(),
                node_uuid=model.new_uuid(),
                host_ip=self.shared_host_ip or str(next(self._host_ips)),
                vcpus=vcpus,
                memory_mb=memory_mb, disk_gb=disk_gb, disabled=disabled,
                disabled_reason=STANDBY_REASON if (
                    disabled and role == "standby") else None,
                hb_start=now - datetime.timedelta(seconds=phase),
                booted_at=now, **kw)
            return self.state.add_host(host)

    # Host aggregates: a host's zone is its aggregates' as in Nova.
    def add_aggregate(self, name: str, hosts: Iterable[str] = (),
                      zone: str | None = None) -> model.Aggregate:
        """A host aggregate (in ``zone`` if given) with ``hosts``."""
        with self.lock:
            aggregate = self.state.add_aggregate(name, zone, self.tick())
            for host in hosts:
                self.aggregate_add_host(aggregate, host)
            return aggregate

    def aggregate_add_host(self, aggregate: model.Aggregate,
                           host: str) -> None:
        with self.lock:
            self.state.host(host)
            if host in aggregate.hosts:
                raise errors.Conflict("Aggregate %d already has host %s."
                                      % (aggregate.id, host))
            aggregate.hosts.append(host)
            self._aggregate_changed(aggregate, [host])

    def aggregate_remove_host(self, aggregate: model.Aggregate,
                              host: str) -> None:
        with self.lock:
            if host not in aggregate.hosts:
                raise errors.NotFound(
                    "Cannot remove host %s in aggregate %d"
                    % (host, aggregate.id))
            aggregate.hosts.remove(host)
            self._aggregate_changed(aggregate, [host])

    def aggregate_set_metadata(self, aggregate: model.Aggregate,
                               metadata: dict[str, str | None]) -> None:
        """Set the keys given; a None value deletes its key."""
        with self.lock:
            for key, value in metadata.items():
                if value is None:
                    aggregate.metadata.pop(key, None)
                else:
                    aggregate.metadata[key] = value
            self._aggregate_changed(aggregate, aggregate.hosts)

    def _aggregate_changed(self, aggregate: model.Aggregate,
                           hosts: Iterable[str]) -> None:
        aggregate.updated_at = self.tick()
        for name in hosts:
            host = self.state.hosts.get(name)
            if host is not None:
                host.zone = self.state.zone_of(name, DEFAULT_ZONE)

    def add_server_group(self, name: str, policy: str = "anti-affinity",
                         project_id: str = DEFAULT_PROJECT
                         ) -> model.ServerGroup:
        with self.lock:
            group = model.ServerGroup(model.new_uuid(), name, policy,
                                      project_id, DEFAULT_USER)
            self.state.groups[group.id] = group
            return group

    def add_server(self, host: str | None, flavor: str,
                   name: str | None = None,
                   vm_state: str = states.ACTIVE,
                   project_id: str = DEFAULT_PROJECT,
                   user_id: str = DEFAULT_USER, group_id: str | None = None,
                   metadata: dict[str, str] | None = None,
                   pinned_az: str | None = None, port: bool = True,
                   floating_ip: bool = False,
                   server_id: str | None = None,
                   volume_backed: bool = False,
                   image_id: str | None = None) -> model.Server:
        """Add a server in ``vm_state`` on ``host`` (no scheduling);
        ``volume_backed``: booted from a volume (no image); ``image_id``:
        booted from this image (``images``), not the default one."""
        with self.lock:
            now = self.tick()
            if vm_state not in states.VM_STATES:
                raise errors.BadRequest("Unknown vm_state %s" % vm_state)
            if host is not None:
                self.state.host(host)
            seq = len(self.state.order)
            server = model.Server(
                id=server_id or model.new_uuid(),
                name=name or "server-%d" % seq, project_id=project_id,
                user_id=user_id, flavor=self.flavor(flavor),
                vm_state=vm_state, host=host, seq=seq, created_at=now,
                updated_at=now, group_id=group_id,
                power_state=states.POWER_OF_VM_STATE[vm_state],
                metadata=dict(metadata or {}), pinned_az=pinned_az)
            if volume_backed or image_id:
                server.image_id = "" if volume_backed else str(image_id)
            if vm_state == states.SHELVED_OFFLOADED:
                server.host = None
            self.state.add_server(server)
            if group_id is not None:
                self.state.groups[group_id].members.append(server.id)
            if port:
                p = self.add_port(server.id, project_id, server.host)
                if floating_ip:
                    self.add_floating_ip(p.id)
            return server

    def add_port(self, device_id: str, project_id: str = DEFAULT_PROJECT,
                 host: str | None = None) -> model.Port:
        with self.lock:
            mac = "fa:16:3e:%02x:%02x:%02x" % tuple(
                self.chaos.rng.randrange(256) for _ in range(3))
            return self.state.add_port(model.Port(
                id=model.new_uuid(), network_id=self.network_id,
                subnet_id=self.subnet_id, device_id=device_id,
                mac_address=mac, ip_address=str(next(self._fixed_ips)),
                project_id=project_id, binding_host=host))

    def add_floating_ip(self, port_id: str | None = None,
                        project_id: str = DEFAULT_PROJECT
                        ) -> model.FloatingIp:
        with self.lock:
            now = self.tick()
            fip = model.FloatingIp(
                id=model.new_uuid(), address=str(next(self._public_ips)),
                network_id=self.public_network_id, project_id=project_id)
            self.state.add_fip(fip)
            if port_id is not None:
                self.state.bind_fip(fip, self.state.ports[port_id], now)
            return fip

    def host_view(self, name: str) -> dict[str, Any]:
        """What the tests may read about a host, including the probe."""
        with self.lock:
            now = self.tick()
            host = self.state.host(name)
            return {
                "name": host.name, "zone": host.zone, "role": host.role,
                "compute_running": host.compute_running,
                "probe_reachable": host.probe_reachable,
                "state": "up" if self.is_up(host, now) else "down",
                "status": "disabled" if host.disabled else "enabled",
                "disabled_reason": host.disabled_reason,
                "forced_down": host.forced_down,
                "updated_at": self.updated_at(host, now).isoformat(),
                "servers": sorted(self.state.by_host.get(name, {})),
                "usage": self.state.usage(name),
                "service_id": host.service_uuid,
                "hypervisor_id": host.node_uuid,
            }

    def settle(self, max_seconds: float = 3600.0) -> None:
        """With a FakeClock, advance until no event is pending."""
        deadline = self.clock.now() + datetime.timedelta(seconds=max_seconds)
        while True:
            with self.lock:
                due = self.timeline.next_due()
            if due is None or due > deadline:
                return
            gap = (due - self.clock.now()).total_seconds()
            self.advance(max(gap, 0.0))

