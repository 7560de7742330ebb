"""Neutron v2.0: ports and floating IPs (list, show, associate), and the
agents (list): one Open vSwitch agent per compute host."""

from collections.abc import Iterable
from collections.abc import Mapping
import functools
from typing import Any
from typing import TypeVar
import uuid

import webob

from vmotiond.sim import compute_views as views
from vmotiond.sim import errors
from vmotiond.sim import model
from vmotiond.sim import service
from vmotiond.sim import wsgi

T = TypeVar("T")

_TYPES = {400: "HTTPBadRequest", 401: "HTTPUnauthorized",
          403: "HTTPForbidden", 404: "HTTPNotFound",
          405: "HTTPMethodNotAllowed", 409: "HTTPConflict",
          500: "HTTPInternalServerError", 503: "HTTPServiceUnavailable"}


class NotFoundAs(errors.NotFound):
    """A 404 with a Neutron error type (``PortNotFound``...)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class NeutronApp(service.ServiceApp):
    """The networking API under ``/network``."""

    name = "network"

    def add_routes(self) -> None:
        def add(method: str, path: str, fn: Any, op: str) -> None:
            self.router.add(method, path, functools.partial(fn, self), op)

        add("GET", "/ports", list_ports, "ports.list")
        add("GET", "/ports/{port_id}", show_port, "ports.show")
        add("GET", "/floatingips", list_fips, "floatingips.list")
        add("GET", "/floatingips/{fip_id}", show_fip, "floatingips.show")
        add("PUT", "/floatingips/{fip_id}", update_fip, "floatingips.update")
        add("GET", "/agents", list_agents, "agents.list")

    def discovery(self, request: webob.Request) -> webob.Response | None:
        path = request.path_info.rstrip("/")
        if request.method != "GET":
            return None
        if path == "":
            return wsgi.json_response(200, {"versions": [{
                "id": "v2.0", "status": "CURRENT",
                "links": [{"href": self.url + "/v2.0/", "rel": "self"}]}]})
        if path == "/v2.0":
            return wsgi.json_response(200, {"resources": [
                {"name": name, "collection": name + "s",
                 "links": [{"href": "%s/v2.0/%ss" % (self.url, name),
                            "rel": "self"}]}
                for name in ("port", "floatingip", "agent")]})
        return None

    def versioned_path(self, path: str) -> str | None:
        if not path.startswith("/v2.0/"):
            return None
        path = path[len("/v2.0"):]
        return path[:-5] if path.endswith(".json") else path

    def versioned_url(self) -> str:
        return self.url + "/v2.0"

    def error(self, code: int, message: str) -> Any:
        return {"NeutronError": {"type": _TYPES.get(code, "HTTPError"),
                                 "message": message, "detail": ""}}

    def _fail(self, exc: errors.SimError,
              version: tuple[int, int] | None = None) -> webob.Response:
        response = super()._fail(exc, version)
        if isinstance(exc, NotFoundAs):
            response.json_body = {"NeutronError": {
                "type": exc.kind, "message": exc.message, "detail": ""}}
        return response


def _mine(ctx: wsgi.Context, project_id: str) -> bool:
    return ctx.is_admin or (ctx.token is not None
                            and ctx.token.project_id == project_id)


def _port_view(port: model.Port) -> dict[str, Any]:
    return {
        "id": port.id, "name": port.name, "network_id": port.network_id,
        "tenant_id": port.project_id, "project_id": port.project_id,
        "mac_address": port.mac_address, "admin_state_up": True,
        "status": port.status, "device_id": port.device_id,
        "device_owner": "compute:nova" if port.binding_host else "",
        "fixed_ips": [{"subnet_id": port.subnet_id,
                       "ip_address": port.ip_address}],
        "binding:host_id": port.binding_host or "",
        "binding:vif_type": "ovs", "binding:vnic_type": "normal",
        "security_groups": [], "description": "", "tags": [],
        "revision_number": 1}


def _fip_view(fip: model.FloatingIp) -> dict[str, Any]:
    return {
        "id": fip.id, "floating_ip_address": fip.address,
        "floating_network_id": fip.network_id, "router_id": fip.router_id,
        "port_id": fip.port_id, "fixed_ip_address": fip.fixed_ip,
        "status": fip.status, "tenant_id": fip.project_id,
        "project_id": fip.project_id, "description": "", "tags": [],
        "revision_number": 1, "updated_at": views.isotime(fip.updated_at)
        if fip.updated_at else None}


def _indexed(index: Mapping[str, list[T]], keys: list[str],
             every: Iterable[T]) -> list[T]:
    """The items ``index`` holds under ``keys``; every item if no key."""
    if keys:
        return [item for key in keys for item in index.get(key, [])]
    return list(every)


def list_ports(app: NeutronApp, ctx: wsgi.Context) -> wsgi.Reply:
    """GET /v2.0/ports: 200."""
    app.cloud.tick()
    state = app.cloud.state
    ports = _indexed(state.ports_by_device, ctx.query_all("device_id"),
                     state.ports.values())
    ids = set(ctx.query_all("id"))
    if ids:
        ports = [p for p in ports if p.id in ids]
    return wsgi.Reply(200, {"ports": [
        _port_view(p) for p in ports if _mine(ctx, p.project_id)]})


def show_port(app: NeutronApp, ctx: wsgi.Context, port_id: str
              ) -> wsgi.Reply:
    """GET /v2.0/ports/{id}: 200."""
    port = app.cloud.state.ports.get(port_id)
    if port is None or not _mine(ctx, port.project_id):
        raise NotFoundAs("PortNotFound",
                         "Port %s could not be found." % port_id)
    return wsgi.Reply(200, {"port": _port_view(port)})


def list_fips(app: NeutronApp, ctx: wsgi.Context) -> wsgi.Reply:
    """GET /v2.0/floatingips: 200."""
    app.cloud.tick()
    state = app.cloud.state
    fips = _indexed(state.fips_by_port, ctx.query_all("port_id"),
                    state.fips.values())
    address = ctx.query("floating_ip_address")
    if address:
        fips = [f for f in fips if f.address == address]
    return wsgi.Reply(200, {"floatingips": [
        _fip_view(f) for f in fips if _mine(ctx, f.project_id)]})


def _fip(app: NeutronApp, ctx: wsgi.Context, fip_id: str
         ) -> model.FloatingIp:
    fip: model.FloatingIp | None = app.cloud.state.fips.get(fip_id)
    if fip is None or not _mine(ctx, fip.project_id):
        raise NotFoundAs("FloatingIPNotFound",
                         "Floating IP %s could not be found" % fip_id)
    return fip


def show_fip(app: NeutronApp, ctx: wsgi.Context, fip_id: str
             ) -> wsgi.Reply:
    """GET /v2.0/floatingips/{id}: 200."""
    return wsgi.Reply(200, {"floatingip": _fip_view(_fip(app, ctx, fip_id))})


def update_fip(app: NeutronApp, ctx: wsgi.Context, fip_id: str
               ) -> wsgi.Reply:
    """PUT /v2.0/floatingips/{id}: 200 (associate or disassociate)."""
    cloud = app.cloud
    now = cloud.tick()
    fip = _fip(app, ctx, fip_id)
    body = ctx.body()
    spec = body.get("floatingip") if isinstance(body, dict) else None
    if not isinstance(spec, dict):
        raise errors.BadRequest("Resource body required")
    if "port_id" in spec:
        port_id = spec["port_id"]
        port = None
        if port_id is not None:
            port = cloud.state.ports.get(port_id)
            if port is None:
                raise NotFoundAs("PortNotFound",
                                 "Port %s could not be found." % port_id)
            for other in cloud.state.fips_by_port.get(port.id, []):
                if other.id != fip.id:
                    raise errors.Conflict(
                        "Cannot associate floating IP %s (%s) with port %s "
                        "using fixed IP %s, as that fixed IP already has a "
                        "floating IP on external network %s."
                        % (fip.address, fip.id, port.id, port.ip_address,
                           fip.network_id))
        cloud.state.bind_fip(fip, port, now)
    return wsgi.Reply(200, {"floatingip": _fip_view(fip)})


def _agent_view(host: model.Host) -> dict[str, Any]:
    """The host's Open vSwitch agent as Neutron shows it: tunnels from
    the host's address, the provider network on ``br-ex``."""
    started = host.booted_at.strftime("%Y-%m-%d %H:%M:%S")
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, "ovs." + host.name)),
        "agent_type": "Open vSwitch agent",
        "binary": "neutron-openvswitch-agent",
        "topic": "N/A", "host": host.name, "availability_zone": None,
        "admin_state_up": True, "alive": host.compute_running,
        "created_at": started, "started_at": started,
        "heartbeat_timestamp": started, "description": None,
        "resources_synced": None,
        "configurations": {
            "tunneling_ip": host.host_ip, "tunnel_types": ["vxlan"],
            "bridge_mappings": {"physnet1": "br-ex"},
            "integration_bridge": "br-int", "devices": 0},
    }


def list_agents(app: NeutronApp, ctx: wsgi.Context) -> wsgi.Reply:
    """GET /v2.0/agents: 200 (admin only, as Neutron's policy); ``host``,
    ``agent_type`` and ``fields`` as Neutron takes them."""
    app.cloud.tick()
    if not ctx.is_admin:
        return wsgi.Reply(200, {"agents": []})
    hosts = set(ctx.query_all("host"))
    types = set(ctx.query_all("agent_type"))
    fields = ctx.query_all("fields")
    agents = [_agent_view(h) for h in app.cloud.state.hosts.values()
              if not hosts or h.name in hosts]
    agents = [a for a in agents if not types or a["agent_type"] in types]
    if fields:
        agents = [{k: v for k, v in a.items() if k in fields}
                  for a in agents]
    return wsgi.Reply(200, {"agents": agents})
