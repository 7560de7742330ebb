"""Nova servers: list (filters, pagination), show, actions (their
metadata: ``compute_metadata``)."""

from collections.abc import Iterable
import re
from typing import Any

from oslo_utils import strutils
from oslo_utils import timeutils

from vmotiond.sim import compute_pages as pages
from vmotiond.sim import compute_views as views
from vmotiond.sim import errors
from vmotiond.sim import model
from vmotiond.sim import moves
from vmotiond.sim import power
from vmotiond.sim import wsgi

ACTIONS = ("evacuate", "migrate", "os-migrateLive", "confirmResize",
           "revertResize", "os-resetState", "os-start", "os-stop", "rescue",
           "unrescue", "pause", "unpause", "suspend", "resume", "lock",
           "unlock")


def add_routes(app: Any, add: Any) -> None:
    add("GET", "/servers", list_servers, "servers.list")
    add("GET", "/servers/detail", list_servers_detail, "servers.list")
    add("GET", "/servers/{server_id}", show_server, "servers.show")
    add("DELETE", "/servers/{server_id}", delete_server, "servers.delete")
    add("POST", "/servers/{server_id}/action", server_action,
        "servers.action")


def action_name(ctx: wsgi.Context) -> str:
    """The single key of an action body (``evacuate``, ``os-stop``...)."""
    body = ctx.body()
    if not isinstance(body, dict) or len(body) != 1:
        raise errors.BadRequest("Malformed request body")
    return str(next(iter(body)))


# Listing ------------------------------------------------------------------

def _visible(app: Any, ctx: wsgi.Context) -> Iterable[model.Server]:
    cloud = app.cloud
    state = cloud.state
    assert ctx.token is not None
    all_tenants = ctx.query("all_tenants")
    everyone = all_tenants is not None and strutils.bool_from_string(
        all_tenants or "True", default=True)
    if everyone and not ctx.is_admin:
        raise errors.Forbidden("Policy doesn't allow "
                               "os_compute_api:servers:detail:get_all_tenants"
                               " to be performed.")
    project = ctx.query("project_id") or ctx.query("tenant_id")
    if not everyone:
        project = ctx.token.project_id
    host = ctx.query("host") if ctx.is_admin else None
    if host is not None:
        candidates: Iterable[model.Server] = sorted(
            state.by_host.get(host, {}).values(), key=lambda s: -s.seq)
    else:
        candidates = state.servers_newest_first()
    statuses = {s.upper() for s in ctx.query_all("status")}
    name = ctx.query("name")
    name_re = re.compile(name) if name else None
    zone = ctx.query("availability_zone")
    vm_state = ctx.query("vm_state")
    uuid = ctx.query("uuid")
    since = _changes_since(ctx)
    for server in candidates:
        if project is not None and server.project_id != project:
            continue
        if statuses and server.status not in statuses:
            continue
        if name_re is not None and not name_re.search(server.name):
            continue
        if vm_state is not None and server.vm_state != vm_state:
            continue
        if uuid is not None and server.id != uuid:
            continue
        # Nova keeps updated_at to the second (the database's DATETIME).
        if since is not None and server.updated_at.replace(
                microsecond=0) < since:
            continue
        if zone is not None:
            h = state.hosts.get(server.host or "")
            if h is None or h.zone != zone:
                continue
        yield server


def _changes_since(ctx: wsgi.Context) -> Any:
    """``changes-since`` as a naive UTC time, None when not asked; a value
    that is no ISO 8601 date-time is Nova's 400."""
    value = ctx.query("changes-since")
    if value is None:
        return None
    try:
        return timeutils.normalize_time(timeutils.parse_isotime(value))
    except ValueError:
        raise errors.BadRequest(
            "Invalid input for query parameters changes-since. Value: %s. "
            "'%s' is not a 'date-time'" % (value, value)) from None


def _page(app: Any, ctx: wsgi.Context
          ) -> tuple[list[model.Server], list[dict[str, str]]]:
    cloud = app.cloud
    limit = pages.limit_of(ctx, cloud.max_limit)
    marker = ctx.query("marker")
    found = _visible(app, ctx)
    if marker is not None:
        marked = cloud.state.servers.get(marker)
        if marked is None:
            raise errors.BadRequest("marker [%s] not found" % marker)
        found = (s for s in found if s.seq < marked.seq)
    page: list[model.Server] = []
    for server in found:
        if len(page) >= limit:
            break
        page.append(server)
    links: list[dict[str, str]] = []
    if page and len(page) == limit:
        links = pages.next_link(
            ctx, "servers/detail" if ctx.request.path_info.rstrip(
                "/").endswith("/detail") else "servers", page[-1].id)
    return page, links


def list_servers(app: Any, ctx: wsgi.Context) -> wsgi.Reply:
    """GET /servers: 200."""
    app.cloud.tick()
    page, links = _page(app, ctx)
    body: dict[str, Any] = {"servers": [{
        "id": s.id, "name": s.name,
        "links": [{"href": "%s/servers/%s" % (ctx.url, s.id),
                   "rel": "self"}]} for s in page]}
    if links:
        body["servers_links"] = links
    return wsgi.Reply(200, body)


def list_servers_detail(app: Any, ctx: wsgi.Context) -> wsgi.Reply:
    """GET /servers/detail: 200."""
    now = app.cloud.tick()
    page, links = _page(app, ctx)
    body: dict[str, Any] = {"servers": [
        views.server(app.cloud, s, now, ctx) for s in page]}
    if links:
        body["servers_links"] = links
    return wsgi.Reply(200, body)


def get(app: Any, ctx: wsgi.Context, server_id: str) -> model.Server:
    """Server ``server_id`` as the caller may see it, else 404."""
    server: model.Server = app.cloud.state.get_server(server_id)
    assert ctx.token is not None
    if not ctx.is_admin and server.project_id != ctx.token.project_id:
        raise errors.NotFound("Instance %s could not be found." % server_id)
    return server


def show_server(app: Any, ctx: wsgi.Context, server_id: str) -> wsgi.Reply:
    """GET /servers/{id}: 200."""
    now = app.cloud.tick()
    server = get(app, ctx, server_id)
    return wsgi.Reply(200, {"server": views.server(app.cloud, server, now,
                                                   ctx)})


def delete_server(app: Any, ctx: wsgi.Context, server_id: str
                  ) -> wsgi.Reply:
    """DELETE /servers/{id}: 204 (immediate in the simulator)."""
    app.cloud.tick()
    app.cloud.state.delete_server(get(app, ctx, server_id))
    return wsgi.Reply(204)


# Actions ------------------------------------------------------------------

def _bool(value: Any, field: str) -> bool:
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise errors.BadRequest("Invalid input for field/attribute %s. "
                                "Value: %s." % (field, value)) from None


# The fields an action's body may hold: each from the first microversion
# that has it to the first that has it no more (None: still has it).
Fields = dict[str, tuple[str, str | None]]
_MIGRATE_FIELDS: Fields = {"host": ("2.56", None)}
_EVACUATE_FIELDS: Fields = {
    "host": ("2.1", None), "adminPass": ("2.1", None),
    "onSharedStorage": ("2.1", "2.14"), "force": ("2.29", "2.68")}
_LIVE_MIGRATE_FIELDS: Fields = {
    "host": ("2.1", None), "block_migration": ("2.1", None),
    "disk_over_commit": ("2.1", "2.25"), "force": ("2.30", "2.68")}


def _extra(ctx: wsgi.Context, args: dict[str, Any],
           fields: Fields, action: str) -> None:
    """A 400 for a field ``fields`` does not allow at this microversion."""
    for key in args:
        since, until = fields.get(key, (None, None))
        if (since is None or not ctx.at_least(since)
                or (until is not None and ctx.at_least(until))):
            raise errors.BadRequest(
                "Invalid input for field/attribute %s. Value: %s. Additional "
                "properties are not allowed ('%s' was unexpected)"
                % (action, args, key))


def server_action(app: Any, ctx: wsgi.Context, server_id: str
                  ) -> wsgi.Reply:
    """POST /servers/{id}/action: status per action, as Nova."""
    cloud = app.cloud
    name = action_name(ctx)
    if name not in ACTIONS:
        raise errors.BadRequest("There is no such action: %s" % name)
    get(app, ctx, server_id)
    if not ctx.is_admin and name in ("evacuate", "migrate", "os-migrateLive",
                                     "os-resetState"):
        raise errors.Forbidden("Policy doesn't allow os_compute_api:%s to "
                               "be performed." % name)
    args = ctx.body()[name]
    if args is not None and not isinstance(args, dict):
        raise errors.BadRequest("Invalid input for field/attribute %s."
                                % name)
    args = args or {}
    if name == "evacuate":
        return _evacuate(cloud, ctx, server_id, args)
    if name == "migrate":
        _extra(ctx, args, _MIGRATE_FIELDS, name)
        moves.migrate(cloud, server_id, args.get("host"))
        return wsgi.Reply(202)
    if name == "os-migrateLive":
        return _live_migrate(cloud, ctx, server_id, args)
    if name == "confirmResize":
        moves.confirm_resize(cloud, server_id)
        return wsgi.Reply(204)
    if name == "revertResize":
        moves.revert_resize(cloud, server_id)
        return wsgi.Reply(202)
    if name == "os-resetState":
        if "state" not in args:
            raise errors.BadRequest("Invalid input for field/attribute "
                                    "os-resetState. 'state' is a required "
                                    "property")
        power.reset_state(cloud, server_id, args["state"])
        return wsgi.Reply(202)
    if name in ("lock", "unlock"):
        return _lock(cloud, ctx, server_id, name, args)
    password = power.power_action(cloud, server_id, name)
    if name == "rescue":
        return wsgi.Reply(200, {"adminPass": password})
    return wsgi.Reply(202)


def _lock(cloud: Any, ctx: wsgi.Context, server_id: str, name: str,
          args: dict[str, Any]) -> wsgi.Reply:
    if name == "unlock":
        power.unlock(cloud, server_id)
        return wsgi.Reply(202)
    reason = None
    if ctx.at_least("2.73"):
        _extra(ctx, args, {"locked_reason": ("2.73", None)}, name)
        reason = args.get("locked_reason")
        if reason is not None and (not isinstance(reason, str)
                                   or len(reason) > 255):
            raise errors.BadRequest("Invalid input for field/attribute "
                                    "locked_reason. Value: %s." % reason)
    power.lock(cloud, server_id, reason)
    return wsgi.Reply(202)


def _evacuate(cloud: Any, ctx: wsgi.Context, server_id: str,
              args: dict[str, Any]) -> wsgi.Reply:
    _extra(ctx, args, _EVACUATE_FIELDS, "evacuate")
    if not ctx.at_least("2.14") and "onSharedStorage" not in args:
        raise errors.BadRequest("Invalid input for field/attribute "
                                "evacuate. 'onSharedStorage' is a required "
                                "property")
    host = args.get("host")
    force = _bool(args.get("force", False), "force") if ctx.at_least(
        "2.29") else True
    if ctx.at_least("2.29") and force and not host:
        raise errors.BadRequest("Can't force to a non-provided destination")
    password = moves.evacuate(cloud, server_id, host,
                              force=force and host is not None,
                              stop_at_target=ctx.at_least("2.95"))
    if not ctx.at_least("2.14"):
        return wsgi.Reply(200, {"adminPass": args.get("adminPass",
                                                      password)})
    return wsgi.Reply(200, None)


def _live_migrate(cloud: Any, ctx: wsgi.Context, server_id: str,
                  args: dict[str, Any]) -> wsgi.Reply:
    _extra(ctx, args, _LIVE_MIGRATE_FIELDS, "os-migrateLive")
    for field in ("host", "block_migration"):
        if field not in args:
            raise errors.BadRequest(
                "Invalid input for field/attribute os-migrateLive. '%s' is "
                "a required property" % field)
    host = args.get("host")
    force = False
    if ctx.at_least("2.30"):
        force = _bool(args.get("force", False), "force")
        if force and not host:
            raise errors.BadRequest("Can't force to a non-provided "
                                    "destination")
    elif host:
        force = True        # before 2.30 a given host was always forced
    moves.live_migrate(cloud, server_id, host, force=force,
                       async_=ctx.at_least("2.34"))
    return wsgi.Reply(202)
