"""An in-memory cloud for engine unit tests (the Cloud protocol)."""

import dataclasses
import itertools
import threading

from vmotiond import clock as clock_mod
from vmotiond import exception
from vmotiond.cloud import records


class FakeCloud:
    """Servers move after ``lag`` polls of get_server; calls are counted.

    ``active_before_host``: during the last poll before landing, the server
    shows ACTIVE on its old host (as real Nova does).
    """

    def __init__(self, clock=None, lag=1, active_before_host=True,
                 fip_follows=True):
        self.clock = clock or clock_mod.FakeClock()
        self.lag = lag
        self.active_before_host = active_before_host
        self.fip_follows = fip_follows
        self.lock = threading.RLock()
        self.servers = {}
        self.server_groups = {}
        self.services = {}
        self.capacities = {}
        self.migrations = []
        self.ports = {}
        self.fips = {}
        self.calls = []
        self.fail = {}            # method -> list of exceptions to raise
        self.landing = {}         # server id -> [polls left, dest, status]
        self.land_in_error = set()
        self.before = {}
        self._ids = itertools.count(1)

    # -- set-up -----------------------------------------------------------

    def add_server(self, server, fip=None):
        self.servers[server.id] = server
        port = "port-" + server.id
        self.ports[server.id] = records.Port(port, server.id, ("10.0.0.%d" %
                                             (len(self.ports) + 2),))
        if fip:
            self.fips[fip] = records.FloatingIp(
                fip, fip, port, self.ports[server.id].fixed_ips[0])

    def add_host(self, host, zone="az1", status="enabled", capacity=None,
                 reason=None):
        self.services[host] = records.ComputeService(
            "svc-" + host, host, zone, "up", status, False, None, reason)
        if capacity is not None:
            self.capacities[host] = capacity

    def count(self, method, server_id=None):
        return sum(1 for name, args in self.calls
                   if name == method and (server_id is None
                                          or args[0] == server_id))

    def _call(self, name, *args):
        with self.lock:
            self.calls.append((name, args))
            errors = self.fail.get(name)
            if errors:
                raise errors.pop(0)

    def _set(self, server_id, **values):
        self.servers[server_id] = dataclasses.replace(
            self.servers[server_id], **values)

    # -- reads ------------------------------------------------------------

    def list_compute_services(self):
        return list(self.services.values())

    def list_aggregates(self):
        self._call("list_aggregates")
        return list(getattr(self, "aggregates", ()))

    def get_image(self, image_id):
        """From ``images`` (id -> records.Image); else a 404."""
        self._call("get_image", image_id)
        image = getattr(self, "images", {}).get(image_id)
        if image is None:
            raise exception.CloudNotFound(service="image", call="get image",
                                          reason="no image %s" % image_id)
        return image

    def list_host_capacities(self):
        return list(self.capacities.values())

    def list_servers(self, host=None):
        self._call("list_servers", host)
        return [s for s in self.servers.values()
                if host is None or s.host == host]

    def list_servers_page(self, limit, marker=None):
        """Newest first, as Nova; an unknown marker is Nova's 400."""
        self._call("list_servers_page", limit, marker)
        servers = list(reversed(list(self.servers.values())))
        start = 0
        if marker is not None:
            ids = [s.id for s in servers]
            if marker not in ids:
                raise exception.CloudRefused(service="compute", call="list",
                                             reason="marker not found")
            start = ids.index(marker) + 1
        page = servers[start:start + limit]
        following = page[-1].id if len(page) == limit else None
        return page, following

    def list_server_groups(self):
        self._call("list_server_groups", None)
        return list(self.server_groups.values())

    def get_server(self, server_id):
        with self.lock:
            self.calls.append(("get_server", (server_id,)))
            if server_id not in self.servers:
                raise exception.CloudNotFound(service="compute",
                                              call="get", reason="gone")
            self._tick(server_id)
            return self.servers[server_id]

    def _tick(self, server_id):
        pending = self.landing.get(server_id)
        if pending is None:
            return
        pending[0] -= 1
        left, dest, status, mig = pending
        if left == 1 and self.active_before_host:
            self._set(server_id, status="ACTIVE", task_state=None)
        if left <= 0:
            del self.landing[server_id]
            if server_id in self.land_in_error:
                self._set(server_id, host=dest, status="ERROR",
                          vm_state="error", task_state=None)
                self._mig(mig, "error")
                return
            self._set(server_id, host=dest, status=status,
                      vm_state=status.lower(), task_state=None)
            self._mig(mig, "done" if mig.migration_type == "evacuation"
                      else "finished")
            if not self.fip_follows:
                for fid, fip in list(self.fips.items()):
                    if fip.port_id == "port-" + server_id:
                        self.fips[fid] = dataclasses.replace(
                            fip, port_id=None, fixed_ip=None)

    def _mig(self, mig, status):
        idx = self.migrations.index(mig)
        self.migrations[idx] = dataclasses.replace(mig, status=status)

    def list_migrations(self, server_id=None, migration_type=None):
        self._call("list_migrations", server_id)
        return [m for m in self.migrations
                if (server_id is None or m.server_id == server_id)
                and (migration_type is None
                     or m.migration_type == migration_type)]

    def list_ports(self, device_id):
        self._call("list_ports", device_id)
        port = self.ports.get(device_id)
        return [port] if port else []

    def list_ports_of(self, device_ids):
        self._call("list_ports_of", tuple(device_ids))
        with self.lock:         # it fails as list_ports is told to
            errors = self.fail.get("list_ports")
            if errors:
                raise errors.pop(0)
        return [self.ports[d] for d in device_ids if d in self.ports]

    def list_network_agents(self):
        self._call("list_network_agents")
        return list(getattr(self, "agents", ()))

    def list_floating_ips(self, port_ids=None):
        self._call("list_floating_ips", port_ids)
        return [f for f in self.fips.values()
                if port_ids is None or f.port_id in port_ids]

    # -- writes -----------------------------------------------------------

    def force_down_service(self, service_id, host, forced_down=True):
        self._call("force_down_service", host, forced_down)
        self.services[host] = dataclasses.replace(
            self.services[host], forced_down=forced_down,
            state="down" if forced_down else "up")

    def disable_service(self, service_id, host, reason):
        self._call("disable_service", host, reason)
        self.services[host] = dataclasses.replace(
            self.services[host], status="disabled", disabled_reason=reason)

    def enable_service(self, service_id, host):
        self._call("enable_service", host)
        self.services[host] = dataclasses.replace(
            self.services[host], status="enabled", disabled_reason=None)

    def _move(self, kind, server_id, host, status):
        server = self.servers[server_id]
        mig = records.Migration(
            "mig-%d" % next(self._ids), server_id, server.host,
            host or "auto-host", "accepted", kind, self.clock.now(), None)
        self.migrations.append(mig)
        self.before[server_id] = server.status
        self._set(server_id, task_state="rebuilding" if kind ==
                  "evacuation" else "migrating")
        self.landing[server_id] = [self.lag, host or "auto-host", status,
                                   mig]

    def evacuate_server(self, server_id, host=None, microversion="2.94"):
        self._call("evacuate_server", server_id, host, microversion)
        with self.lock:
            server = self.servers[server_id]
            stopped = server.status == "SHUTOFF" or (
                tuple(int(x) for x in microversion.split(".")) >= (2, 95))
            self._move("evacuation", server_id, host,
                       "SHUTOFF" if stopped else "ACTIVE")

    def migrate_server(self, server_id, host=None):
        self._call("migrate_server", server_id, host)
        with self.lock:
            self._move("migration", server_id, host, "VERIFY_RESIZE")

    def live_migrate_server(self, server_id, host=None):
        self._call("live_migrate_server", server_id, host)
        with self.lock:
            self._move("live-migration", server_id, host,
                       self.servers[server_id].status)

    def confirm_resize(self, server_id):
        self._call("confirm_resize", server_id)
        self._set(server_id, status="SHUTOFF"
                  if self.before.get(server_id) == "SHUTOFF" else "ACTIVE")

    def reset_server_state(self, server_id, state):
        self._call("reset_server_state", server_id, state)
        self._set(server_id, vm_state=state, status=state.upper(),
                  task_state=None)

    def start_server(self, server_id):
        self._call("start_server", server_id)
        self._set(server_id, status="ACTIVE", vm_state="active")

    def stop_server(self, server_id):
        self._call("stop_server", server_id)
        self._set(server_id, status="SHUTOFF", vm_state="stopped")

    def pause_server(self, server_id):
        self._call("pause_server", server_id)
        self._set(server_id, status="PAUSED", vm_state="paused")

    def suspend_server(self, server_id):
        self._call("suspend_server", server_id)
        self._set(server_id, status="SUSPENDED", vm_state="suspended")

    def resume_server(self, server_id):
        self._call("resume_server", server_id)
        self._set(server_id, status="ACTIVE", vm_state="active")

    def associate_floating_ip(self, floating_ip_id, port_id):
        self._call("associate_floating_ip", floating_ip_id, port_id)
        port = next(p for p in self.ports.values() if p.id == port_id)
        self.fips[floating_ip_id] = dataclasses.replace(
            self.fips[floating_ip_id], port_id=port_id,
            fixed_ip=port.fixed_ips[0])

    def disassociate_floating_ip(self, floating_ip_id):
        self._call("disassociate_floating_ip", floating_ip_id)
        self.fips[floating_ip_id] = dataclasses.replace(
            self.fips[floating_ip_id], port_id=None, fixed_ip=None)
