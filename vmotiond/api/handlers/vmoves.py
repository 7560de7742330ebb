"""vmoves: Masakari's (per notification) and vmotiond's (all history)."""

from collections.abc import Mapping
from typing import Any

import webob

from vmotiond import constants
from vmotiond import exception
from vmotiond.api import microversion
from vmotiond.api import params
from vmotiond.api import policies
from vmotiond.api import util
from vmotiond.api.handlers import notifications
from vmotiond.db import api as db_api
from vmotiond.db import models

SORT_KEYS = ("created_at", "updated_at", "start_time", "end_time", "type",
             "status", "instance_uuid", "instance_name", "source_host",
             "dest_host", "priority")
_MASAKARI_FILTERS = ("type", "status")
_HISTORY_FILTERS = ("type", "status", "notification_uuid", "instance_uuid",
                    "host", "since", "until")


def serialize(row: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of Masakari's vmove, exactly, from a row's columns."""
    stamp = util.timestamp
    return {
        "id": row["id"],
        "uuid": row["uuid"],
        "notification_uuid": row["notification_uuid"],
        "instance_uuid": row["instance_uuid"],
        "instance_name": row["instance_name"],
        "source_host": row["source_host"],
        "dest_host": row["dest_host"],
        "start_time": stamp(row["start_time"]),
        "end_time": stamp(row["end_time"]),
        "type": row["type"],
        "status": row["status"],
        "message": row["message"],
        "created_at": stamp(row["created_at"]),
        "updated_at": stamp(row["updated_at"]),
        "deleted_at": stamp(row["deleted_at"]),
        "deleted": bool(row["deleted"]),
    }


def serialize_full(row: Mapping[str, Any]) -> dict[str, Any]:
    """Masakari's fields plus vmotiond's priority, attempts, current step."""
    body = serialize(row)
    body["priority"] = row["priority"]
    body["attempts"] = row["attempts"]
    body["current_step"] = row["current_step"]
    return body


def lookup(req: webob.Request, ident: str,
           notification_uuid: str | None = None,
           project_id: str | None = None) -> models.VMove:
    """Return the vmove named by its UUID or integer id, or 404 (also
    when it is not of ``project_id``'s instances)."""
    database = util.database(req)
    key = params.ident(ident)
    if isinstance(key, int):
        return database.vmove_get_by_id(key, notification_uuid,
                                        project_id=project_id)
    return database.vmove_get(key, notification_uuid,
                              project_id=project_id)


def _list(req: webob.Request, query: params.Query,
          project_id: str | None = None,
          **filters: Any) -> tuple[list[dict[str, Any]], int]:
    database = util.database(req)
    if project_id is not None:
        filters["project_id"] = project_id

    def search(marker: str | None, **page: Any) -> list[dict[str, Any]]:
        if project_id is not None and marker is not None:
            _own_marker(database, marker, project_id)
        rows: list[dict[str, Any]] = database.vmove_list(
            rows=True,
            type=query.choice("type", constants.VMOVE_TYPES),
            status=query.choices("status", constants.VMOVE_STATUSES),
            marker=marker, **page, **filters)
        return rows

    return params.search(req, query, SORT_KEYS, database.vmove_get_by_id,
                         search)


def _own_marker(database: db_api.Database, marker: str,
                project_id: str) -> None:
    """A project reader pages only from one of its own vmoves."""
    try:
        database.vmove_get(marker, project_id=project_id)
    except exception.NotFound:
        raise exception.NotFound(kind="Marker", ident=marker) from None


def _page(req: webob.Request, items: list[dict[str, Any]],
          limit: int) -> webob.Response:
    return util.json_response(params.page(req, "vmoves", items, limit,
                                          "uuid"))


@microversion.version_handler("1.3")
def list_notification_vmoves(req: webob.Request,
                             notification_id: str) -> webob.Response:
    """GET /v1/notifications/{id}/vmoves: 200 with ``vmoves``."""
    util.authorize(req, policies.VMOVES_LIST)
    util.authorize(req, policies.READER)
    query = params.Query(req, _MASAKARI_FILTERS + params.PAGING)
    notification = notifications.lookup(req, notification_id)
    rows, limit = _list(req, query, notification_uuid=notification.uuid)
    return _page(req, [serialize(row) for row in rows], limit)


@microversion.version_handler("1.3")
def show_notification_vmove(req: webob.Request, notification_id: str,
                            vmove_id: str) -> webob.Response:
    """GET /v1/notifications/{id}/vmoves/{id}: 200 with ``vmove``."""
    util.authorize(req, policies.VMOVES_SHOW)
    util.authorize(req, policies.READER)
    notification = notifications.lookup(req, notification_id)
    row = lookup(req, vmove_id, notification.uuid)
    return util.json_response({"vmove": serialize(row.as_dict())})


@microversion.version_handler("1.4")
def list_vmoves(req: webob.Request) -> webob.Response:
    """GET /v1/vmoves: 200 with ``vmoves`` of every notification.

    Filters: instance_uuid, host (source or destination), type, status,
    notification_uuid, and created_at in [since, until). A project
    reader sees only its project's.
    """
    project = util.project_scope(req, policies.VMOVES_LIST)
    query = params.Query(req, _HISTORY_FILTERS + params.PAGING)
    rows, limit = _list(
        req, query, project_id=project,
        notification_uuid=query.uuid("notification_uuid"),
        instance_uuid=query.uuid("instance_uuid"), host=query.name("host"),
        since=query.time("since"), until=query.time("until"))
    return _page(req, [serialize_full(row) for row in rows], limit)


@microversion.version_handler("1.4")
def show_vmove(req: webob.Request, vmove_id: str) -> webob.Response:
    """GET /v1/vmoves/{id}: 200 with ``vmove``; a project reader's own."""
    project = util.project_scope(req, policies.VMOVES_SHOW)
    row = lookup(req, vmove_id, project_id=project)
    return util.json_response({"vmove": serialize_full(row.as_dict())})
