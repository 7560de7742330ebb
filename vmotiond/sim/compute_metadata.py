"""Nova servers' metadata: list, merge, replace, and one item's show, set
and delete."""

from typing import Any

from vmotiond.sim import compute_servers as servers
from vmotiond.sim import errors
from vmotiond.sim import wsgi


def add_routes(add: Any) -> None:
    add("GET", "/servers/{server_id}/metadata", list_metadata,
        "servers.metadata")
    add("POST", "/servers/{server_id}/metadata", update_metadata,
        "servers.metadata.update")
    add("PUT", "/servers/{server_id}/metadata", replace_metadata,
        "servers.metadata.update")
    add("GET", "/servers/{server_id}/metadata/{key}", show_metadata_item,
        "servers.metadata")
    add("PUT", "/servers/{server_id}/metadata/{key}", set_metadata_item,
        "servers.metadata.update")
    add("DELETE", "/servers/{server_id}/metadata/{key}",
        delete_metadata_item, "servers.metadata.update")


def _meta_body(ctx: wsgi.Context, key: str) -> dict[str, str]:
    body = ctx.body()
    if not isinstance(body, dict) or not isinstance(body.get(key), dict):
        raise errors.BadRequest("Malformed request body")
    return {str(k): str(v) for k, v in body[key].items()}


def list_metadata(app: Any, ctx: wsgi.Context, server_id: str
                  ) -> wsgi.Reply:
    """GET /servers/{id}/metadata: 200."""
    return wsgi.Reply(200, {"metadata": dict(
        servers.get(app, ctx, server_id).metadata)})


def update_metadata(app: Any, ctx: wsgi.Context, server_id: str
                    ) -> wsgi.Reply:
    """POST /servers/{id}/metadata (merge): 200."""
    server = servers.get(app, ctx, server_id)
    server.metadata.update(_meta_body(ctx, "metadata"))
    return wsgi.Reply(200, {"metadata": dict(server.metadata)})


def replace_metadata(app: Any, ctx: wsgi.Context, server_id: str
                     ) -> wsgi.Reply:
    """PUT /servers/{id}/metadata (replace): 200."""
    server = servers.get(app, ctx, server_id)
    server.metadata = _meta_body(ctx, "metadata")
    return wsgi.Reply(200, {"metadata": dict(server.metadata)})


def show_metadata_item(app: Any, ctx: wsgi.Context, server_id: str,
                       key: str) -> wsgi.Reply:
    """GET /servers/{id}/metadata/{key}: 200."""
    server = servers.get(app, ctx, server_id)
    if key not in server.metadata:
        raise errors.NotFound("Metadata item was not found")
    return wsgi.Reply(200, {"meta": {key: server.metadata[key]}})


def set_metadata_item(app: Any, ctx: wsgi.Context, server_id: str,
                      key: str) -> wsgi.Reply:
    """PUT /servers/{id}/metadata/{key}: 200."""
    server = servers.get(app, ctx, server_id)
    meta = _meta_body(ctx, "meta")
    if list(meta) != [key]:
        raise errors.BadRequest("Request body and URI mismatch")
    server.metadata[key] = meta[key]
    return wsgi.Reply(200, {"meta": meta})


def delete_metadata_item(app: Any, ctx: wsgi.Context, server_id: str,
                         key: str) -> wsgi.Reply:
    """DELETE /servers/{id}/metadata/{key}: 204."""
    server = servers.get(app, ctx, server_id)
    if server.metadata.pop(key, None) is None:
        raise errors.NotFound("Metadata item was not found")
    return wsgi.Reply(204)
