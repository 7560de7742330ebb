"""Nova server groups (``/os-server-groups``) with their policies."""

from typing import Any

from vmotiond.sim import errors
from vmotiond.sim import model
from vmotiond.sim import wsgi


def add_routes(add: Any) -> None:
    add("GET", "/os-server-groups", list_groups, "server_groups.list")
    add("POST", "/os-server-groups", create_group, "server_groups.create")
    add("GET", "/os-server-groups/{group_id}", show_group,
        "server_groups.show")
    add("DELETE", "/os-server-groups/{group_id}", delete_group,
        "server_groups.delete")


def _group_view(group: model.ServerGroup, ctx: wsgi.Context
                ) -> dict[str, Any]:
    body: dict[str, Any] = {"id": group.id, "name": group.name,
                            "members": list(group.members)}
    if ctx.at_least("2.64"):
        body["policy"] = group.policy
        body["rules"] = dict(group.rules)
    else:
        body["policies"] = [group.policy]
        body["metadata"] = {}
    if ctx.at_least("2.13"):
        body["project_id"] = group.project_id
        body["user_id"] = group.user_id
    return body


def list_groups(app: Any, ctx: wsgi.Context) -> wsgi.Reply:
    """GET /os-server-groups: 200."""
    groups = app.cloud.state.groups.values()
    everyone = ctx.is_admin and ctx.query("all_projects") is not None
    if not everyone:
        groups = [g for g in groups if ctx.token is not None
                  and g.project_id == ctx.token.project_id]
    return wsgi.Reply(200, {"server_groups": [
        _group_view(g, ctx) for g in groups]})


def show_group(app: Any, ctx: wsgi.Context, group_id: str
               ) -> wsgi.Reply:
    """GET /os-server-groups/{id}: 200."""
    group = app.cloud.state.groups.get(group_id)
    if group is None:
        raise errors.NotFound("Instance group %s could not be found."
                              % group_id)
    return wsgi.Reply(200, {"server_group": _group_view(group, ctx)})


def create_group(app: Any, ctx: wsgi.Context) -> wsgi.Reply:
    """POST /os-server-groups: 200."""
    body = ctx.body() or {}
    spec = body.get("server_group") if isinstance(body, dict) else None
    if not isinstance(spec, dict) or "name" not in spec:
        raise errors.BadRequest("Invalid input for field/attribute "
                                "server_group.")
    policy = spec.get("policy") or (spec.get("policies") or [None])[0]
    if policy not in ("anti-affinity", "affinity", "soft-anti-affinity",
                      "soft-affinity"):
        raise errors.BadRequest("Invalid input for field/attribute policy.")
    assert ctx.token is not None
    group = app.cloud.add_server_group(spec["name"], policy,
                                       ctx.token.project_id or "")
    group.rules = dict(spec.get("rules") or {})
    return wsgi.Reply(200, {"server_group": _group_view(group, ctx)})


def delete_group(app: Any, ctx: wsgi.Context, group_id: str
                 ) -> wsgi.Reply:
    """DELETE /os-server-groups/{id}: 204."""
    if app.cloud.state.groups.pop(group_id, None) is None:
        raise errors.NotFound("Instance group %s could not be found."
                              % group_id)
    return wsgi.Reply(204)
