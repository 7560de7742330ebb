"""Placement: resource providers, inventories, usages, allocations and
allocation candidates, computed from the simulated hosts and servers.

A host's provider UUID is its compute node (hypervisor) UUID, as in Nova.
"""

import functools
from typing import Any

import webob

from vmotiond.sim import errors
from vmotiond.sim import model
from vmotiond.sim import service
from vmotiond.sim import wsgi

MIN_VERSION = (1, 0)
MAX_VERSION = (1, 39)
CLASSES = ("VCPU", "MEMORY_MB", "DISK_GB")
_CODES = {409: "placement.concurrent_update"}


class PlacementApp(service.ServiceApp):
    """The placement API under ``/placement``."""

    name = "placement"

    def add_routes(self) -> None:
        def add(method: str, path: str, fn: Any, op: str) -> None:
            self.router.add(method, path, functools.partial(fn, self), op,
                            admin=True)

        add("GET", "/resource_providers", list_providers, "providers.list")
        add("GET", "/resource_providers/{uuid}", show_provider,
            "providers.show")
        add("GET", "/resource_providers/{uuid}/inventories",
            list_inventories, "inventories.list")
        add("PUT", "/resource_providers/{uuid}/inventories",
            put_inventories, "inventories.update")
        add("GET", "/resource_providers/{uuid}/inventories/{rc}",
            show_inventory, "inventories.show")
        add("PUT", "/resource_providers/{uuid}/inventories/{rc}",
            put_inventory, "inventories.update")
        add("GET", "/resource_providers/{uuid}/usages", provider_usages,
            "usages.show")
        add("GET", "/resource_providers/{uuid}/allocations",
            provider_allocations, "allocations.list")
        add("GET", "/resource_providers/{uuid}/traits", provider_traits,
            "traits.list")
        add("GET", "/resource_providers/{uuid}/aggregates",
            provider_aggregates, "aggregates.list")
        add("GET", "/allocations/{consumer}", consumer_allocations,
            "allocations.show")
        add("GET", "/allocation_candidates", allocation_candidates,
            "allocation_candidates.list")

    def discovery(self, request: webob.Request) -> webob.Response | None:
        if request.method == "GET" and request.path_info.rstrip("/") == "":
            return wsgi.json_response(200, {"versions": [{
                "id": "v1.0", "max_version": wsgi.fmt(MAX_VERSION),
                "min_version": wsgi.fmt(MIN_VERSION), "status": "CURRENT",
                "links": [{"rel": "self", "href": ""}]}]})
        return None

    def version(self, request: webob.Request) -> tuple[int, int]:
        return wsgi.parse_version(
            wsgi.header_version(request, "placement"), MIN_VERSION,
            MIN_VERSION, MAX_VERSION)

    def version_headers(self, version: tuple[int, int]) -> dict[str, str]:
        return {"OpenStack-API-Version": "placement %s" % wsgi.fmt(version),
                "Vary": "openstack-api-version"}

    def error(self, code: int, message: str) -> Any:
        titles = {400: "Bad Request", 403: "Forbidden", 404: "Not Found",
                  405: "Method Not Allowed", 406: "Not Acceptable",
                  409: "Conflict", 500: "Internal Server Error",
                  503: "Service Unavailable"}
        return {"errors": [{
            "status": code, "title": titles.get(code, "Error"),
            "detail": message, "request_id": wsgi.request_id(),
            "code": _CODES.get(code, "placement.undefined_code")}]}


def _host(app: PlacementApp, uuid: str) -> model.Host:
    host: model.Host | None = app.cloud.state.hosts_by_node_uuid.get(uuid)
    if host is None:
        raise errors.NotFound("No resource provider with uuid %s found"
                              % uuid)
    return host


def _provider(app: PlacementApp, host: model.Host, ctx: wsgi.Context
              ) -> dict[str, Any]:
    base = "/resource_providers/%s" % host.node_uuid
    body: dict[str, Any] = {
        "uuid": host.node_uuid, "name": host.name,
        "generation": host.rp_generation,
        "links": [{"rel": "self", "href": base},
                  {"rel": "inventories", "href": base + "/inventories"},
                  {"rel": "usages", "href": base + "/usages"}]}
    if ctx.at_least("1.14"):
        body["parent_provider_uuid"] = None
        body["root_provider_uuid"] = host.node_uuid
    return body


def _inventory(host: model.Host, rc: str) -> dict[str, Any]:
    total, reserved, ratio = {
        "VCPU": (host.vcpus, host.vcpus_reserved, host.cpu_allocation_ratio),
        "MEMORY_MB": (host.memory_mb, host.memory_mb_reserved,
                      host.ram_allocation_ratio),
        "DISK_GB": (host.disk_gb, host.disk_gb_reserved,
                    host.disk_allocation_ratio)}[rc]
    return {"total": total, "reserved": reserved, "min_unit": 1,
            "max_unit": total, "step_size": 1, "allocation_ratio": ratio}


def list_providers(app: PlacementApp, ctx: wsgi.Context) -> wsgi.Reply:
    """GET /resource_providers: 200."""
    app.cloud.tick()
    hosts = list(app.cloud.state.hosts.values())
    name, uuid = ctx.query("name"), ctx.query("uuid")
    if name:
        hosts = [h for h in hosts if h.name == name]
    if uuid:
        hosts = [h for h in hosts if h.node_uuid == uuid]
    wanted = _resources(ctx.query("resources"))
    if wanted:
        hosts = [h for h in hosts if _fits(app, h, wanted)]
    return wsgi.Reply(200, {"resource_providers": [
        _provider(app, h, ctx) for h in hosts]})


def show_provider(app: PlacementApp, ctx: wsgi.Context, uuid: str
                  ) -> wsgi.Reply:
    """GET /resource_providers/{uuid}: 200."""
    return wsgi.Reply(200, _provider(app, _host(app, uuid), ctx))


def _provider_reply(host: model.Host, body: dict[str, Any]) -> wsgi.Reply:
    """200 with ``body`` and the provider's generation."""
    body["resource_provider_generation"] = host.rp_generation
    return wsgi.Reply(200, body)


def list_inventories(app: PlacementApp, ctx: wsgi.Context, uuid: str
                     ) -> wsgi.Reply:
    """GET /resource_providers/{uuid}/inventories: 200."""
    host = _host(app, uuid)
    return _provider_reply(host, {
        "inventories": {rc: _inventory(host, rc) for rc in CLASSES}})


def show_inventory(app: PlacementApp, ctx: wsgi.Context, uuid: str,
                   rc: str) -> wsgi.Reply:
    """GET /resource_providers/{uuid}/inventories/{rc}: 200."""
    host = _host(app, uuid)
    if rc not in CLASSES:
        raise errors.NotFound("No inventory of class %s for %s" % (rc, uuid))
    return _provider_reply(host, _inventory(host, rc))


_FIELDS = {"VCPU": ("vcpus", "vcpus_reserved", "cpu_allocation_ratio"),
           "MEMORY_MB": ("memory_mb", "memory_mb_reserved",
                         "ram_allocation_ratio"),
           "DISK_GB": ("disk_gb", "disk_gb_reserved",
                       "disk_allocation_ratio")}


def _apply(host: model.Host, rc: str, inv: dict[str, Any]) -> None:
    if rc not in CLASSES or not isinstance(inv, dict) or "total" not in inv:
        raise errors.BadRequest("Unable to update inventory: bad %s" % rc)
    total, reserved, ratio = _FIELDS[rc]
    setattr(host, total, int(inv["total"]))
    setattr(host, reserved, int(inv.get("reserved", 0)))
    setattr(host, ratio, float(inv.get("allocation_ratio", 1.0)))


def _check_generation(host: model.Host, body: Any) -> None:
    if not isinstance(body, dict) or \
            "resource_provider_generation" not in body:
        raise errors.BadRequest("'resource_provider_generation' is a "
                                "required property")
    if body["resource_provider_generation"] != host.rp_generation:
        raise errors.Conflict("resource provider generation conflict")


def put_inventories(app: PlacementApp, ctx: wsgi.Context, uuid: str
                    ) -> wsgi.Reply:
    """PUT /resource_providers/{uuid}/inventories: 200."""
    host = _host(app, uuid)
    body = ctx.body()
    _check_generation(host, body)
    for rc, inv in (body.get("inventories") or {}).items():
        _apply(host, rc, inv)
    host.rp_generation += 1
    return list_inventories(app, ctx, uuid)


def put_inventory(app: PlacementApp, ctx: wsgi.Context, uuid: str,
                  rc: str) -> wsgi.Reply:
    """PUT /resource_providers/{uuid}/inventories/{rc}: 200."""
    host = _host(app, uuid)
    body = ctx.body()
    _check_generation(host, body)
    _apply(host, rc, body)
    host.rp_generation += 1
    return show_inventory(app, ctx, uuid, rc)


def provider_usages(app: PlacementApp, ctx: wsgi.Context, uuid: str
                    ) -> wsgi.Reply:
    """GET /resource_providers/{uuid}/usages: 200."""
    app.cloud.tick()
    host = _host(app, uuid)
    return _provider_reply(host, {
        "usages": app.cloud.state.usage(host.name)})


def provider_allocations(app: PlacementApp, ctx: wsgi.Context, uuid: str
                         ) -> wsgi.Reply:
    """GET /resource_providers/{uuid}/allocations: 200."""
    app.cloud.tick()
    host = _host(app, uuid)
    allocations = {}
    for server in app.cloud.state.alloc_by_host.get(host.name, {}).values():
        consumer = server.allocs[host.name]
        allocations[consumer] = {"resources": server.resources}
    return _provider_reply(host, {"allocations": allocations})


def provider_traits(app: PlacementApp, ctx: wsgi.Context, uuid: str
                    ) -> wsgi.Reply:
    """GET /resource_providers/{uuid}/traits: 200."""
    host = _host(app, uuid)
    traits = ["COMPUTE_STATUS_DISABLED"] if host.disabled else []
    return _provider_reply(host, {"traits": traits})


def provider_aggregates(app: PlacementApp, ctx: wsgi.Context, uuid: str
                        ) -> wsgi.Reply:
    """GET /resource_providers/{uuid}/aggregates: 200."""
    host = _host(app, uuid)
    body: dict[str, Any] = {"aggregates": []}
    if ctx.at_least("1.19"):
        body["resource_provider_generation"] = host.rp_generation
    return wsgi.Reply(200, body)


def consumer_allocations(app: PlacementApp, ctx: wsgi.Context,
                         consumer: str) -> wsgi.Reply:
    """GET /allocations/{consumer}: 200 (empty when unknown)."""
    cloud = app.cloud
    cloud.tick()
    state = cloud.state
    server = state.servers.get(consumer)
    holders = [server] if server is not None else [
        s for m in state.migrations if m.uuid == consumer
        for s in [state.servers.get(m.server_id)] if s is not None]
    allocations = {}
    owner = None
    for holder in holders:
        for host_name, who in holder.allocs.items():
            if who == consumer:
                host = state.hosts[host_name]
                allocations[host.node_uuid] = {
                    "generation": host.rp_generation,
                    "resources": holder.resources}
                owner = holder
    body: dict[str, Any] = {"allocations": allocations}
    if owner is not None and ctx.at_least("1.12"):
        body["project_id"] = owner.project_id
        body["user_id"] = owner.user_id
    if owner is not None and ctx.at_least("1.28"):
        body["consumer_generation"] = 1
    return wsgi.Reply(200, body)


def _resources(raw: str | None) -> dict[str, int]:
    if not raw:
        return {}
    out = {}
    for part in raw.split(","):
        rc, _, amount = part.partition(":")
        try:
            out[rc.strip()] = int(amount)
        except ValueError:
            raise errors.BadRequest("Badly formed resources parameter. "
                                    "Expected resources query string "
                                    "parameter in form: ?resources="
                                    "VCPU:2,MEMORY_MB:1024. Got: %s." % raw
                                    ) from None
    for rc in out:
        if rc not in CLASSES:
            raise errors.BadRequest("Invalid resource class in resources "
                                    "parameter: No such resource class %s."
                                    % rc)
    return out


def _fits(app: PlacementApp, host: model.Host, wanted: dict[str, int]
          ) -> bool:
    used = app.cloud.state.usage(host.name)
    return all(used[rc] + n <= host.capacity(rc) for rc, n in wanted.items())


def allocation_candidates(app: PlacementApp, ctx: wsgi.Context
                          ) -> wsgi.Reply:
    """GET /allocation_candidates?resources=...: 200."""
    app.cloud.tick()
    if not ctx.at_least("1.10"):
        raise errors.NotFound("The resource could not be found.")
    wanted = _resources(ctx.query("resources"))
    if not wanted:
        raise errors.BadRequest("'resources' is a required property")
    limit = ctx.query("limit")
    requests, summaries = [], {}
    for host in app.cloud.state.hosts.values():
        if not _fits(app, host, wanted):
            continue
        if ctx.at_least("1.12"):
            allocation: Any = {host.node_uuid: {"resources": dict(wanted)}}
        else:
            allocation = [{"resource_provider": {"uuid": host.node_uuid},
                           "resources": dict(wanted)}]
        requests.append({"allocations": allocation})
        used = app.cloud.state.usage(host.name)
        summary: dict[str, Any] = {"resources": {
            rc: {"capacity": int(host.capacity(rc)), "used": used[rc]}
            for rc in CLASSES}}
        if ctx.at_least("1.17"):
            summary["traits"] = []
        if ctx.at_least("1.29"):
            summary["parent_provider_uuid"] = None
            summary["root_provider_uuid"] = host.node_uuid
        summaries[host.node_uuid] = summary
        if limit is not None and len(requests) >= int(limit):
            break
    return wsgi.Reply(200, {"allocation_requests": requests,
                            "provider_summaries": summaries})
