"""Alerts: ``GET /v1/alerts[/{id}]`` (vmotiond 1.5).

What an operator must look at: the monitor's alerts (mass failure,
flapping, a process failure...) and the host-down messages the engine
refused, each with its hosts and evidence.
"""

from typing import Any

import webob

from vmotiond.api import microversion
from vmotiond.api import params
from vmotiond.api import policies
from vmotiond.api import util
from vmotiond.db import models

SORT_KEYS = ("created_at", "type", "host", "source")
_FILTERS = ("type", "host")


def serialize(row: models.Alert) -> dict[str, Any]:
    return {
        "id": row.id,
        "alert_uuid": row.uuid,
        "type": row.type,
        "source": row.source,
        "host": row.host,
        "hosts": list(row.hosts or ()),
        "message": row.message,
        "evidence": row.evidence or {},
        "created_at": util.timestamp(row.created_at),
    }


@microversion.version_handler("1.5")
def list_alerts(req: webob.Request) -> webob.Response:
    """GET /v1/alerts: 200 with ``alerts``, newest first, paged."""
    util.authorize(req, policies.ALERTS_LIST)
    query = params.Query(req, _FILTERS + params.PAGING)
    database = util.database(req)

    def search(**page: Any) -> list[models.Alert]:
        types = query.name("type")
        return database.alert_list(
            host=query.name("host"),
            type=None if types is None else types.split(","), **page)

    rows, limit = params.search(req, query, SORT_KEYS,
                                database.alert_get_by_id, search)
    items = [serialize(row) for row in rows]
    return util.json_response(params.page(req, "alerts", items, limit,
                                          "alert_uuid"))


@microversion.version_handler("1.5")
def show_alert(req: webob.Request, alert_id: str) -> webob.Response:
    """GET /v1/alerts/{id}: 200 with ``alert`` (UUID or integer id)."""
    util.authorize(req, policies.ALERTS_LIST)
    database = util.database(req)
    row = params.by_ident(alert_id, database.alert_get_by_id,
                          database.alert_get)
    return util.json_response({"alert": serialize(row)})
