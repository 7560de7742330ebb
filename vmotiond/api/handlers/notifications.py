"""Notifications: Masakari's ``GET /v1/notifications[/{id}]``."""

from typing import Any

import webob

from vmotiond import constants
from vmotiond.api import errors
from vmotiond.api import microversion
from vmotiond.api import params
from vmotiond.api import policies
from vmotiond.api import util
from vmotiond.db import models

SORT_KEYS = ("created_at", "updated_at", "generated_time", "type", "status",
             "host")
_FILTERS = ("status", "type", "host", "generated-since", "source_host_uuid")


def serialize(row: models.Notification) -> dict[str, Any]:
    """Masakari's notification fields, plus ``hostname`` and ``message``."""
    return {
        "id": row.id,
        "notification_uuid": row.uuid,
        "type": row.type,
        "hostname": row.host,
        "source_host_uuid": None,
        "generated_time": util.timestamp(row.generated_time),
        "payload": row.payload,
        "status": row.status,
        "message": row.message,
        "created_at": util.timestamp(row.created_at),
        "updated_at": util.timestamp(row.updated_at),
        "deleted_at": util.timestamp(row.deleted_at),
        "deleted": bool(row.deleted),
    }


def lookup(req: webob.Request, ident: str) -> models.Notification:
    """Return the notification named by its UUID or integer id, or 404."""
    database = util.database(req)
    return params.by_ident(ident, database.notification_get_by_id,
                           database.notification_get)


@microversion.version_handler("1.0")
def list_notifications(req: webob.Request) -> webob.Response:
    """GET /v1/notifications: 200 with ``notifications``, newest first."""
    util.authorize(req, policies.NOTIFICATIONS_LIST)
    query = params.Query(req, _FILTERS + params.PAGING)
    if query.one("source_host_uuid") is not None:
        raise util.bad_request(
            "vmotiond has no host UUIDs; filter by host name with host=.",
            errors.QUERY_UNSUPPORTED)
    database = util.database(req)
    rows, limit = params.search(
        req, query, SORT_KEYS, database.notification_get_by_id,
        lambda **page: database.notification_list(
            status=query.choices("status", constants.NOTIFICATION_STATUSES),
            type=query.choices("type", constants.NOTIFICATION_TYPES),
            host=query.name("host"),
            generated_since=query.time("generated-since"), **page))
    items = [serialize(row) for row in rows]
    return util.json_response(params.page(req, "notifications", items, limit,
                                          "notification_uuid"))


@microversion.version_handler("1.0")
def show_notification(req: webob.Request,
                      notification_id: str) -> webob.Response:
    """GET /v1/notifications/{id}: 200 with ``notification``.

    From 1.1 on it carries ``recovery_workflow_details``: one item per
    step of every vmove, in the shape Masakari gives its tasks.
    """
    util.authorize(req, policies.NOTIFICATIONS_SHOW)
    row = lookup(req, notification_id)
    body = serialize(row)
    if microversion.is_at_least(req, "1.1"):
        steps = util.database(req).step_list_by_notification(row.uuid)
        body["recovery_workflow_details"] = [
            _workflow_item(step, instance) for step, instance in steps]
    return util.json_response({"notification": body})


_STATES = {constants.SUCCEEDED: "SUCCESS", constants.FAILED: "FAILURE",
           constants.ONGOING: "RUNNING", constants.PENDING: "PENDING",
           constants.IGNORED: "SKIPPED"}


def _workflow_item(step: models.VMoveStep, instance: str) -> dict[str, Any]:
    done = step.ended_at is not None
    details = [{"timestamp": util.timestamp(step.started_at),
                "message": "%s of instance %s started (attempt %d)"
                           % (step.name, instance, step.attempt),
                "progress": "0.0"}]
    if done:
        details.append({"timestamp": util.timestamp(step.ended_at),
                        "message": step.result or "%s of instance %s %s" % (
                            step.name, instance, step.status),
                        "progress": "1.0"})
    return {"name": step.name, "state": _STATES.get(step.status,
                                                     step.status.upper()),
            "progress": 1.0 if done else 0.0, "progress_details": details}
