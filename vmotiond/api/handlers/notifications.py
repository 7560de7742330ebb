"""Notifications: Masakari's ``GET /v1/notifications[/{id}]``."""

from collections.abc import Collection
from collections.abc import Iterable
from typing import Any

import webob

from vmotiond import constants
from vmotiond.api import microversion
from vmotiond.api import params
from vmotiond.api import policies
from vmotiond.api import util
from vmotiond.db import models

SORT_KEYS = ("created_at", "updated_at", "generated_time", "type", "status",
             "host", "source_host_uuid")
_FILTERS = ("status", "type", "host", "generated-since", "source_host_uuid")


def serialize(row: models.Notification) -> dict[str, Any]:
    """Masakari's notification fields, plus ``hostname`` and ``message``.

    ``source_host_uuid`` is the host's uuid when the notification was
    written (its Nova compute node's), null when it was not known."""
    return {
        "id": row.id,
        "notification_uuid": row.uuid,
        "type": row.type,
        "hostname": row.host,
        "source_host_uuid": row.source_host_uuid,
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
    database = util.database(req)
    rows, limit = params.search(
        req, query, SORT_KEYS, database.notification_get_by_id,
        lambda **page: database.notification_list(
            status=query.choices("status", constants.NOTIFICATION_STATUSES),
            type=query.choices("type", constants.NOTIFICATION_TYPES),
            host=query.name("host"),
            source_host_uuid=params.canonical_uuid(
                query.uuid("source_host_uuid")),
            generated_since=query.time("generated-since"), **page))
    items = [serialize(row) for row in rows]
    return util.json_response(params.page(req, "notifications", items, limit,
                                          "notification_uuid"))


@microversion.version_handler("1.0")
def show_notification(req: webob.Request,
                      notification_id: str) -> webob.Response:
    """GET /v1/notifications/{id}: 200 with ``notification``.

    From 1.1 on it carries ``recovery_workflow_details`` in Masakari's
    shape: one item per task (a step name of the vmoves), its progress
    details telling when it started, each instance it ended for, and
    when it ended for all. From 1.7 on, ``fenced_at``: when a recovery
    fenced the host (null before, or for the other types).
    """
    util.authorize(req, policies.NOTIFICATIONS_SHOW)
    row = lookup(req, notification_id)
    body = serialize(row)
    if microversion.is_at_least(req, "1.7"):
        body["fenced_at"] = util.timestamp(row.fenced_at)
    if microversion.is_at_least(req, "1.1"):
        body["recovery_workflow_details"] = workflow_details(
            util.database(req).step_list_by_notification(row.uuid))
    return util.json_response({"notification": body})


_STATES = {constants.SUCCEEDED: "SUCCESS", constants.FAILED: "FAILURE",
           constants.ONGOING: "RUNNING", constants.PENDING: "PENDING",
           constants.IGNORED: "SKIPPED"}


def workflow_details(steps: Iterable[tuple[models.VMoveStep, str]]
                     ) -> list[dict[str, Any]]:
    """Masakari's ``recovery_workflow_details`` of the steps ``(step,
    instance_uuid)`` of a notification, in order of id: one item per step
    name, in the order the names first ran; of a step redone, the last
    attempt counts."""
    latest: dict[tuple[str, str], tuple[models.VMoveStep, str]] = {}
    for step, instance in steps:
        latest[(step.name, step.vmove_uuid)] = (step, instance)
    tasks: dict[str, list[tuple[models.VMoveStep, str]]] = {}
    for step, instance in sorted(latest.values(), key=lambda s: s[0].id):
        tasks.setdefault(step.name, []).append((step, instance))
    return [_task(name, runs) for name, runs in tasks.items()]


def task_state(statuses: Collection[str]) -> str:
    """A task's Masakari state from the statuses of its steps: failed if
    one failed, running while one runs, skipped if all were skipped."""
    for status in (constants.FAILED, constants.ONGOING, constants.PENDING):
        if status in statuses:
            return _STATES[status]
    if set(statuses) == {constants.IGNORED}:
        return _STATES[constants.IGNORED]
    return _STATES[constants.SUCCEEDED]


def _task(name: str, runs: list[tuple[models.VMoveStep, str]]
          ) -> dict[str, Any]:
    total = len(runs)
    started = min((s.started_at for s, _ in runs if s.started_at),
                  default=None)
    details = [{"timestamp": util.timestamp(started),
                "message": "%s started for %d instance(s)" % (name, total),
                "progress": 0.0}]
    ended = sorted((s for s in runs if s[0].ended_at is not None),
                   key=lambda s: (s[0].ended_at, s[0].id))
    for count, (step, instance) in enumerate(ended, 1):
        details.append({
            "timestamp": util.timestamp(step.ended_at),
            "message": "instance %s: %s%s" % (
                instance, step.status,
                ": " + step.result if step.result else ""),
            "progress": round(count / total, 2)})
    statuses = [s.status for s, _ in runs]
    if len(ended) == total:
        details.append({
            "timestamp": util.timestamp(ended[-1][0].ended_at),
            "message": "%s ended: %s" % (name, ", ".join(
                "%d %s" % (statuses.count(status), status)
                for status in constants.VMOVE_DONE_STATUSES
                if status in statuses)),
            "progress": 1.0})
    return {"name": name, "state": task_state(statuses),
            "progress": round(len(ended) / total, 2),
            "progress_details": details}
