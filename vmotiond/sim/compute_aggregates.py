"""Nova host aggregates (``/os-aggregates``): name, hosts, metadata and
the availability zone they give their hosts."""

from typing import Any

from vmotiond.sim import compute_servers
from vmotiond.sim import compute_views as views
from vmotiond.sim import errors
from vmotiond.sim import model
from vmotiond.sim import wsgi


def add_routes(add: Any) -> None:
    add("GET", "/os-aggregates", list_aggregates, "aggregates.list", True)
    add("POST", "/os-aggregates", create_aggregate, "aggregates.create",
        True)
    add("GET", "/os-aggregates/{aggregate_id}", show_aggregate,
        "aggregates.show", True)
    add("DELETE", "/os-aggregates/{aggregate_id}", delete_aggregate,
        "aggregates.delete", True)
    add("POST", "/os-aggregates/{aggregate_id}/action", aggregate_action,
        "aggregates.action", True)


def view(aggregate: model.Aggregate, ctx: wsgi.Context,
         full: bool = True) -> dict[str, Any]:
    """Nova's view; ``full=False`` is create's, without hosts and
    metadata."""
    body: dict[str, Any] = {
        "availability_zone": aggregate.availability_zone,
        "created_at": views.iso(aggregate.created_at),
        "deleted": False, "deleted_at": None, "id": aggregate.id,
        "name": aggregate.name,
        "updated_at": views.iso(aggregate.updated_at)}
    if full:
        body["hosts"] = list(aggregate.hosts)
        body["metadata"] = dict(aggregate.metadata)
    if ctx.at_least("2.41"):
        body["uuid"] = aggregate.uuid
    return body


def list_aggregates(app: Any, ctx: wsgi.Context) -> wsgi.Reply:
    """GET /os-aggregates: 200, every aggregate (Nova does not page)."""
    return wsgi.Reply(200, {"aggregates": [
        view(a, ctx) for a in app.cloud.state.aggregates.values()]})


def show_aggregate(app: Any, ctx: wsgi.Context, aggregate_id: str
                   ) -> wsgi.Reply:
    """GET /os-aggregates/{id}: 200."""
    return wsgi.Reply(200, {"aggregate": view(
        app.cloud.state.aggregate(aggregate_id), ctx)})


def create_aggregate(app: Any, ctx: wsgi.Context) -> wsgi.Reply:
    """POST /os-aggregates: 200, without hosts and metadata."""
    body = ctx.body()
    spec = body.get("aggregate") if isinstance(body, dict) else None
    name = spec.get("name") if isinstance(spec, dict) else None
    zone = spec.get("availability_zone") if isinstance(spec, dict) else None
    for field, value in (("name", name), ("availability_zone", zone)):
        if value is None and field == "availability_zone":
            continue
        if (not isinstance(value, str) or not value.strip()
                or value != value.strip() or len(value) > 255):
            raise errors.BadRequest("Invalid input for field/attribute "
                                    "%s." % field)
    aggregate = app.cloud.add_aggregate(str(name), zone=zone)
    return wsgi.Reply(200, {"aggregate": view(aggregate, ctx, full=False)})


def delete_aggregate(app: Any, ctx: wsgi.Context, aggregate_id: str
                     ) -> wsgi.Reply:
    """DELETE /os-aggregates/{id}: 200; refused while it has hosts."""
    aggregate = app.cloud.state.aggregate(aggregate_id)
    if aggregate.hosts:
        raise errors.BadRequest(
            "Cannot remove host from aggregate %s. Reason: Host aggregate "
            "is not empty." % aggregate_id)
    del app.cloud.state.aggregates[aggregate.id]
    return wsgi.Reply(200)


def aggregate_action(app: Any, ctx: wsgi.Context, aggregate_id: str
                     ) -> wsgi.Reply:
    """POST /os-aggregates/{id}/action: add_host, remove_host,
    set_metadata; 200 with the aggregate."""
    action = compute_servers.action_name(ctx)
    arg = ctx.body()[action]
    cloud = app.cloud
    if action in ("add_host", "remove_host"):
        host = arg.get("host") if isinstance(arg, dict) else None
        if not isinstance(host, str):
            raise errors.BadRequest("Invalid input for field/attribute "
                                    "%s." % action)
        if action == "add_host":
            cloud.state.host(host)
            aggregate = cloud.state.aggregate(aggregate_id)
            cloud.aggregate_add_host(aggregate, host)
        else:
            try:
                aggregate = cloud.state.aggregate(aggregate_id)
            except errors.NotFound:
                raise errors.NotFound(
                    "Cannot remove host %s in aggregate %s"
                    % (host, aggregate_id)) from None
            cloud.aggregate_remove_host(aggregate, host)
    elif action == "set_metadata":
        metadata = arg.get("metadata") if isinstance(arg, dict) else None
        if not isinstance(metadata, dict):
            raise errors.BadRequest("Invalid input for field/attribute "
                                    "set_metadata.")
        aggregate = cloud.state.aggregate(aggregate_id)
        cloud.aggregate_set_metadata(aggregate, metadata)
    else:
        raise errors.BadRequest("There is no such action: %s" % action)
    return wsgi.Reply(200, {"aggregate": view(aggregate, ctx)})
