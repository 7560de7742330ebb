"""Nova v2.1: the application, discovery, microversions, and the
services, hypervisors, flavors and migrations resources.

Servers live in ``compute_servers`` (their metadata in ``compute_metadata``),
server groups in ``compute_groups``.
"""

import functools
import re
from typing import Any

import webob

from vmotiond.sim import compute_aggregates
from vmotiond.sim import compute_groups
from vmotiond.sim import compute_metadata
from vmotiond.sim import compute_pages as pages
from vmotiond.sim import compute_servers
from vmotiond.sim import compute_views as views
from vmotiond.sim import errors
from vmotiond.sim import model
from vmotiond.sim import service
from vmotiond.sim import services
from vmotiond.sim import wsgi

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 100)

_FAULT_NAMES = {400: "badRequest", 401: "unauthorized", 403: "forbidden",
                404: "itemNotFound", 405: "badMethod",
                409: "conflictingRequest", 413: "overLimit",
                415: "badMediaType", 429: "overLimit", 501: "notImplemented",
                503: "serviceUnavailable"}
_PROJECT_IN_PATH = re.compile(r"^/[0-9a-f]{32}(?=/|$)")


class NovaApp(service.ServiceApp):
    """The compute API under ``/compute``."""

    name = "compute"
    max_version = MAX_VERSION
    page_for_no_route = True

    def add_routes(self) -> None:
        r = self.router

        def add(method: str, path: str, fn: Any, op: str,
                admin: bool = False) -> None:
            r.add(method, path, functools.partial(fn, self), op, admin)

        add("GET", "/os-services", list_services, "services.list", True)
        add("PUT", "/os-services/{service_id}", update_service,
            "services.update", True)
        add("GET", "/os-hypervisors", list_hypervisors, "hypervisors.list",
            True)
        add("GET", "/os-hypervisors/detail",
            functools.partial(list_hypervisors, detail=True),
            "hypervisors.list", True)
        add("GET", "/os-hypervisors/{hypervisor_id}", show_hypervisor,
            "hypervisors.show", True)
        add("GET", "/flavors", list_flavors, "flavors.list")
        add("GET", "/flavors/detail",
            functools.partial(list_flavors, detail=True), "flavors.list")
        add("GET", "/flavors/{flavor_id}", show_flavor, "flavors.show")
        compute_groups.add_routes(add)
        compute_aggregates.add_routes(add)
        add("GET", "/os-migrations", list_migrations, "migrations.list",
            True)
        add("GET", "/os-availability-zone/detail", list_zones,
            "availability_zones.list", True)
        compute_servers.add_routes(self, add)
        compute_metadata.add_routes(add)

    # Discovery and versions ---------------------------------------------
    def _version_doc(self) -> dict[str, Any]:
        return {"id": "v2.1", "status": "CURRENT",
                "version": wsgi.fmt(self.max_version),
                "min_version": wsgi.fmt(MIN_VERSION),
                "updated": "2013-07-23T11:33:21Z",
                "links": [{"rel": "self", "href": self.url + "/v2.1/"},
                          {"rel": "describedby", "type": "text/html",
                           "href": "http://docs.openstack.org/"}],
                "media-types": [{
                    "base": "application/json",
                    "type": "application/vnd.openstack.compute+json;"
                            "version=2.1"}]}

    def discovery(self, request: webob.Request) -> webob.Response | None:
        path = request.path_info.rstrip("/")
        if request.method != "GET":
            return None
        if path == "":
            return wsgi.json_response(200, {"versions": [
                {"id": "v2.0", "status": "SUPPORTED", "version": "",
                 "min_version": "", "updated": "2011-01-21T11:33:21Z",
                 "links": [{"rel": "self", "href": self.url + "/v2/"}]},
                self._version_doc()]})
        if path == "/v2.1":
            return wsgi.json_response(200, {"version": self._version_doc()},
                                      self.version_headers(MIN_VERSION))
        return None

    def versioned_path(self, path: str) -> str | None:
        if not path.startswith("/v2.1/"):
            return None
        path = path[len("/v2.1"):]
        return _PROJECT_IN_PATH.sub("", path, count=1)

    def versioned_url(self) -> str:
        return self.url + "/v2.1"

    def version(self, request: webob.Request) -> tuple[int, int]:
        raw = wsgi.header_version(request, "compute",
                                  "X-OpenStack-Nova-API-Version")
        return wsgi.parse_version(raw, MIN_VERSION, MIN_VERSION,
                                  self.max_version)

    def version_headers(self, version: tuple[int, int]) -> dict[str, str]:
        return {"OpenStack-API-Version": "compute %s" % wsgi.fmt(version),
                "X-OpenStack-Nova-API-Version": wsgi.fmt(version),
                "Vary": "OpenStack-API-Version, X-OpenStack-Nova-API-Version"}

    def error(self, code: int, message: str) -> Any:
        return {_FAULT_NAMES.get(code, "computeFault"): {
            "code": code, "message": message}}

    def op_name(self, route: wsgi.Route, ctx: wsgi.Context) -> str:
        if route.op == "servers.action":
            return "compute.action.%s" % compute_servers.action_name(ctx)
        return "compute.%s" % route.op

    def after_call(self, ctx: wsgi.Context, op: str,
                   params: dict[str, str], accepted: bool) -> None:
        if op.startswith("compute.action.") and "server_id" in params:
            with self.cloud.lock:
                self.cloud.chaos.record_call(
                    params["server_id"], op[len("compute.action."):],
                    accepted)


# Services -----------------------------------------------------------------

def list_services(app: NovaApp, ctx: wsgi.Context) -> wsgi.Reply:
    """GET /os-services: 200."""
    cloud = app.cloud
    now = cloud.tick()
    host, binary = ctx.query("host"), ctx.query("binary")
    hosts = cloud.state.hosts.values()
    if host:
        hosts = [h for h in hosts if h.name == host]
    if binary and binary != "nova-compute":
        hosts = []
    return wsgi.Reply(200, {"services": [
        views.service(cloud, h, now, ctx) for h in hosts]})


def update_service(app: NovaApp, ctx: wsgi.Context,
                   service_id: str) -> wsgi.Reply:
    """PUT /os-services/{id} (2.53+) or /os-services/{action}: 200."""
    cloud = app.cloud
    body = ctx.body() or {}
    if not isinstance(body, dict):
        raise errors.BadRequest("Malformed request body")
    if ctx.at_least("2.53"):
        host = services.by_uuid(cloud, service_id)
        hang = services.update(cloud, host, body)
        detail = views.service(cloud, host, cloud.tick(), ctx)
        return wsgi.Reply(200, {"service": detail}, delay=hang)
    actions = {"enable", "disable", "disable-log-reason"}
    if ctx.at_least("2.11"):
        actions.add("force-down")
    if service_id not in actions:
        raise errors.NotFound("Unknown action")
    for field in ("host", "binary"):
        if field not in body:
            raise errors.BadRequest(
                "Invalid input for field/attribute %s. Value: None. "
                "'%s' is a required property" % (field, field))
    host = services.by_host(cloud, body["host"], body["binary"])
    out: dict[str, Any] = {"host": host.name, "binary": "nova-compute"}
    if service_id == "force-down":
        if "forced_down" not in body:
            raise errors.BadRequest("Missing forced_down field")
        hang = services.update(cloud, host,
                               {"forced_down": body["forced_down"]})
        out["forced_down"] = host.forced_down
    else:
        change: dict[str, Any] = {
            "status": "enabled" if service_id == "enable" else "disabled"}
        if service_id == "disable-log-reason":
            if "disabled_reason" not in body:
                raise errors.BadRequest("Missing disabled reason field")
            change["disabled_reason"] = body["disabled_reason"]
        hang = services.update(cloud, host, change)
        out["status"] = change["status"]
        if change.get("disabled_reason"):
            out["disabled_reason"] = change["disabled_reason"]
    return wsgi.Reply(200, {"service": out}, delay=hang)


# Hypervisors --------------------------------------------------------------

def list_hypervisors(app: NovaApp, ctx: wsgi.Context,
                     detail: bool = False) -> wsgi.Reply:
    """GET /os-hypervisors[/detail]: 200, paginated from 2.33."""
    cloud = app.cloud
    now = cloud.tick()
    hosts = list(cloud.state.hosts.values())
    pattern = ctx.query("hypervisor_hostname_pattern")
    if pattern:
        hosts = [h for h in hosts if pattern in h.name]
        if not hosts:
            raise errors.NotFound("No hypervisor matching '%s' could be "
                                  "found." % pattern)
    with_servers = ctx.at_least("2.53") and ctx.query("with_servers") in (
        "true", "True", "1", "yes")
    body: dict[str, Any] = {}
    if ctx.at_least("2.33"):
        limit = pages.limit_of(ctx, cloud.max_limit)
        marker = ctx.query("marker")
        if marker is not None:
            key = (lambda h: h.node_uuid) if ctx.at_least("2.53") else (
                lambda h: str(h.hypervisor_id))
            index = next((i for i, h in enumerate(hosts)
                          if key(h) == marker), None)
            if index is None:
                raise errors.BadRequest("marker [%s] not found" % marker)
            hosts = hosts[index + 1:]
        hosts = hosts[:limit]
        if hosts and len(hosts) == limit:
            last = hosts[-1]
            body["hypervisors_links"] = pages.next_link(
                ctx, "os-hypervisors/detail" if detail else "os-hypervisors",
                last.node_uuid if ctx.at_least("2.53")
                else str(last.hypervisor_id))
    body["hypervisors"] = [
        views.hypervisor(cloud, h, now, ctx, detail,
                         _servers_of(cloud, h) if with_servers else None)
        for h in hosts]
    return wsgi.Reply(200, body)


def _servers_of(cloud: Any, host: model.Host) -> list[model.Server]:
    return sorted(cloud.state.by_host.get(host.name, {}).values(),
                  key=lambda s: s.seq)


def show_hypervisor(app: NovaApp, ctx: wsgi.Context,
                    hypervisor_id: str) -> wsgi.Reply:
    """GET /os-hypervisors/{id}: 200."""
    cloud = app.cloud
    now = cloud.tick()
    host = cloud.state.hosts_by_node_uuid.get(hypervisor_id)
    if host is None:
        host = next((h for h in cloud.state.hosts.values()
                     if str(h.hypervisor_id) == hypervisor_id), None)
    if host is None:
        raise errors.NotFound("Hypervisor with ID '%s' could not be found."
                              % hypervisor_id)
    return wsgi.Reply(200, {"hypervisor": views.hypervisor(
        cloud, host, now, ctx, True)})


# Flavors ------------------------------------------------------------------

def list_flavors(app: NovaApp, ctx: wsgi.Context,
                 detail: bool = False) -> wsgi.Reply:
    """GET /flavors[/detail]: 200."""
    return wsgi.Reply(200, {"flavors": [
        views.flavor(f, ctx, detail)
        for f in app.cloud.state.flavors.values()]})


def show_flavor(app: NovaApp, ctx: wsgi.Context, flavor_id: str
                ) -> wsgi.Reply:
    """GET /flavors/{id}: 200."""
    flavor = app.cloud.state.flavors.get(flavor_id)
    if flavor is None:
        raise errors.NotFound("Flavor %s could not be found." % flavor_id)
    return wsgi.Reply(200, {"flavor": views.flavor(flavor, ctx, True)})


# Migrations ---------------------------------------------------------------

def list_migrations(app: NovaApp, ctx: wsgi.Context) -> wsgi.Reply:
    """GET /os-migrations: 200, newest first, paginated from 2.59."""
    cloud = app.cloud
    cloud.tick()
    server_id = ctx.query("instance_uuid")
    if server_id is not None:
        found = list(cloud.state.migrations_by_server.get(server_id, []))
    else:
        found = list(cloud.state.migrations)
    wanted = {k: ctx.query(k) for k in ("migration_type", "status",
                                        "source_compute")}
    host = ctx.query("host")
    found = [m for m in found
             if (not wanted["migration_type"]
                 or m.migration_type == wanted["migration_type"])
             and (not wanted["status"] or m.status == wanted["status"])
             and (not wanted["source_compute"]
                  or m.source_compute == wanted["source_compute"])
             and (not host or host in (m.source_compute, m.dest_compute))]
    found.reverse()
    body: dict[str, Any] = {}
    if ctx.at_least("2.59"):
        marker = ctx.query("marker")
        if marker is not None:
            index = next((i for i, m in enumerate(found)
                          if m.uuid == marker), None)
            if index is None:
                raise errors.NotFound("Marker %s could not be found."
                                      % marker)
            found = found[index + 1:]
        limit = pages.limit_of(ctx, cloud.max_limit)
        found = found[:limit]
        if found and len(found) == limit:
            body["migrations_links"] = pages.next_link(
                ctx, "os-migrations", found[-1].uuid)
    body["migrations"] = [views.migration(m, ctx) for m in found]
    return wsgi.Reply(200, body)


def list_zones(app: NovaApp, ctx: wsgi.Context) -> wsgi.Reply:
    """GET /os-availability-zone/detail: 200."""
    cloud = app.cloud
    now = cloud.tick()
    zones: dict[str, dict[str, Any]] = {}
    for host in cloud.state.hosts.values():
        zones.setdefault(host.zone, {})[host.name] = {"nova-compute": {
            "available": cloud.is_up(host, now) and not host.disabled,
            "active": not host.disabled,
            "updated_at": views.iso(cloud.updated_at(host, now))}}
    return wsgi.Reply(200, {"availabilityZoneInfo": [
        {"zoneName": name, "zoneState": {"available": True},
         "hosts": hosts} for name, hosts in zones.items()]})
