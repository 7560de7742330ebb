"""The steps of one vmove: ``GET /v1/vmoves/{id}/steps``."""

from typing import Any

import webob

from vmotiond.api import microversion
from vmotiond.api import policies
from vmotiond.api import util
from vmotiond.api.handlers import vmoves
from vmotiond.db import models


def serialize(row: models.VMoveStep, request_ids: bool = True
              ) -> dict[str, Any]:
    """A step; ``request_ids`` (from 1.10) the ids of the requests it
    made that change something (empty: none recorded)."""
    body = {
        "id": row.id,
        "vmove_uuid": row.vmove_uuid,
        "name": row.name,
        "status": row.status,
        "attempt": row.attempt,
        "started_at": util.timestamp(row.started_at),
        "ended_at": util.timestamp(row.ended_at),
        "result": row.result,
        "context": row.context,
    }
    if request_ids:
        body["request_ids"] = list(row.request_ids or ())
    return body


@microversion.version_handler("1.4")
def list_steps(req: webob.Request, vmove_id: str) -> webob.Response:
    """GET /v1/vmoves/{id}/steps: 200 with ``steps``, in the order run
    (a project reader: of its project's vmoves only)."""
    project = util.project_scope(req, policies.STEPS_LIST)
    vmove = vmoves.lookup(req, vmove_id, project_id=project)
    rows = util.database(req).step_list(vmove.uuid)
    ids = microversion.is_at_least(req, "1.10")
    return util.json_response({"steps": [serialize(row, ids)
                                         for row in rows]})
