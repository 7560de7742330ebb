"""The simulated cloud's records with the indexes list calls need.

:class:`CloudState` keeps servers by host, allocations by host and ports by
device, so that list calls stay fast at 2,000 hosts and 40,000 servers.
Nothing here does I/O or reads a clock; callers pass ``now``.
"""

from collections.abc import Iterator
import datetime
import itertools

from vmotiond.sim import errors
from vmotiond.sim import model


def _zero() -> dict[str, int]:
    return {"VCPU": 0, "MEMORY_MB": 0, "DISK_GB": 0}


class CloudState:
    """Every record of the cloud, with the indexes list calls need."""

    def __init__(self) -> None:
        self.hosts: dict[str, model.Host] = {}
        self.hosts_by_service_uuid: dict[str, model.Host] = {}
        self.hosts_by_node_uuid: dict[str, model.Host] = {}
        self.flavors: dict[str, model.Flavor] = {}
        self.servers: dict[str, model.Server] = {}
        self.order: list[model.Server] = []          # by seq (creation order)
        self.by_host: dict[str, dict[str, model.Server]] = {}
        self.alloc_by_host: dict[str, dict[str, model.Server]] = {}
        self.migrations: list[model.Migration] = []
        self.migrations_by_server: dict[str, list[model.Migration]] = {}
        self.groups: dict[str, model.ServerGroup] = {}
        self.aggregates: dict[int, model.Aggregate] = {}
        self.ports: dict[str, model.Port] = {}
        self.ports_by_device: dict[str, list[model.Port]] = {}
        self.fips: dict[str, model.FloatingIp] = {}
        self.fips_by_port: dict[str, list[model.FloatingIp]] = {}
        self._ids = itertools.count(1)
        self._mig_ids = itertools.count(1)
        self._agg_ids = itertools.count(1)
        self._used: dict[str, dict[str, int]] = {}

    # Hosts ---------------------------------------------------------------
    def add_host(self, host: model.Host) -> model.Host:
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

    def host(self, name: str) -> model.Host:
        try:
            return self.hosts[name]
        except KeyError:
            raise errors.NotFound(
                "Compute host %s could not be found." % name) from None

    def usage(self, host: str) -> dict[str, int]:
        """Sum of the allocations against the host's provider."""
        return dict(self._used.get(host) or _zero())

    def fits(self, host: model.Host, resources: dict[str, int]) -> bool:
        used = self.usage(host.name)
        return all(used[rc] + amount <= host.capacity(rc)
                   for rc, amount in resources.items())

    # Servers -------------------------------------------------------------
    def add_server(self, server: model.Server) -> model.Server:
        self.servers[server.id] = server
        self.order.append(server)
        if server.host is not None:
            self.by_host.setdefault(server.host, {})[server.id] = server
            self.allocate(server, server.host, server.id)
        return server

    def get_server(self, server_id: str) -> model.Server:
        server = self.servers.get(server_id)
        if server is None or server.deleted:
            raise errors.NotFound(
                "Instance %s could not be found." % server_id)
        return server

    def move_server(self, server: model.Server, host: str | None) -> None:
        """Change ``server.host`` and keep the host index right."""
        if server.host is not None:
            self.by_host.get(server.host, {}).pop(server.id, None)
        server.host = host
        if host is not None:
            self.by_host.setdefault(host, {})[server.id] = server

    def allocate(self, server: model.Server, host: str, consumer: str) -> None:
        """Hold the server's flavor on ``host`` for ``consumer``."""
        if host not in server.allocs:
            used = self._used.setdefault(host, _zero())
            for rc, amount in server.resources.items():
                used[rc] += amount
        server.allocs[host] = consumer
        self.alloc_by_host.setdefault(host, {})[server.id] = server
        self.hosts[host].rp_generation += 1

    def free(self, server: model.Server, host: str) -> None:
        if server.allocs.pop(host, None) is not None:
            self.alloc_by_host.get(host, {}).pop(server.id, None)
            used = self._used[host]
            for rc, amount in server.resources.items():
                used[rc] -= amount
            self.hosts[host].rp_generation += 1

    def delete_server(self, server: model.Server) -> None:
        for host in list(server.allocs):
            self.free(server, host)
        self.move_server(server, None)
        server.deleted = True
        del self.servers[server.id]
        for port in self.ports_by_device.pop(server.id, []):
            self.ports.pop(port.id, None)
            for fip in self.fips_by_port.pop(port.id, []):
                fip.port_id = fip.fixed_ip = None

    def servers_newest_first(self) -> Iterator[model.Server]:
        for server in reversed(self.order):
            if not server.deleted:
                yield server

    # Migrations ----------------------------------------------------------
    def add_migration(self, server: model.Server, migration_type: str,
                      status: str, dest: str | None,
                      now: datetime.datetime) -> model.Migration:
        migration = model.Migration(
            id=next(self._mig_ids), uuid=model.new_uuid(), server_id=server.id,
            migration_type=migration_type, status=status,
            source_compute=server.host, dest_compute=dest, created_at=now,
            updated_at=None, flavor_id=server.flavor.id,
            project_id=server.project_id, user_id=server.user_id)
        self.migrations.append(migration)
        self.migrations_by_server.setdefault(server.id, []).append(migration)
        return migration

    # Aggregates ----------------------------------------------------------
    def add_aggregate(self, name: str, zone: str | None,
                      now: datetime.datetime) -> model.Aggregate:
        if any(a.name == name for a in self.aggregates.values()):
            raise errors.Conflict("Aggregate %s already exists." % name)
        aggregate = model.Aggregate(id=next(self._agg_ids),
                                    uuid=model.new_uuid(), name=name,
                                    created_at=now)
        if zone:
            aggregate.metadata["availability_zone"] = zone
        self.aggregates[aggregate.id] = aggregate
        return aggregate

    def aggregate(self, aggregate_id: str) -> model.Aggregate:
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
    def add_port(self, port: model.Port) -> model.Port:
        self.ports[port.id] = port
        self.ports_by_device.setdefault(port.device_id, []).append(port)
        return port

    def add_fip(self, fip: model.FloatingIp) -> model.FloatingIp:
        self.fips[fip.id] = fip
        if fip.port_id:
            self.fips_by_port.setdefault(fip.port_id, []).append(fip)
        return fip

    def bind_fip(self, fip: model.FloatingIp, port: model.Port | None,
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
            fip.router_id = fip.router_id or model.new_uuid()
            fip.status = "ACTIVE"
            self.fips_by_port.setdefault(port.id, []).append(fip)
        fip.updated_at = now
