"""The failover headroom: ``GET /v1/capacity`` (1.9).

Whether the loss of each compute host could be absorbed by the others
now, as the planner would evacuate it (standby hosts first, zones,
capacity and server groups honoured): the answer of ``vmotiond-manage
capacity check --format json``. The API does not read the cloud: it asks
the engine over RPC (``vmotiond.engine_client``); no engine answering is
a 503.
"""

import webob

from vmotiond import engine_client as ec
from vmotiond.api import microversion
from vmotiond.api import params
from vmotiond.api import policies
from vmotiond.api import util
from vmotiond.api.handlers import operator


@microversion.version_handler("1.9")
def show_capacity(req: webob.Request) -> webob.Response:
    """GET /v1/capacity: 200 with ``capacity``."""
    util.authorize(req, policies.CAPACITY_SHOW)
    params.Query(req, ())
    return util.json_response({"capacity": operator.ask(
        req, ec.CAPACITY_CHECK)})
