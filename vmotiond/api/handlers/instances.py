"""Nova's instances as the operator's pages read them (1.6).

``GET /v1/operator/hosts/{name}/instances``, ``GET /v1/operator/instances``
(a page, newest first) and ``GET /v1/operator/instances/targets`` (the
hosts vmotiond's planner accepts as the target of a selection). The API
does not call the cloud: each asks the engine over RPC
(``vmotiond.engine_client``) and answers what it returns; no engine
answering is a 503.
"""

from urllib.parse import urlencode

from oslo_utils import uuidutils
import webob

from vmotiond import engine_client as ec
from vmotiond import exception
from vmotiond.api import microversion
from vmotiond.api import params
from vmotiond.api import policies
from vmotiond.api import util
from vmotiond.api.handlers import operator


@microversion.version_handler("1.6")
def list_host_instances(req: webob.Request,
                        host_name: str) -> webob.Response:
    """GET /v1/operator/hosts/{name}/instances: 200 with ``instances``."""
    util.authorize(req, policies.OPERATOR_INSTANCES_READ)
    params.Query(req, ())
    if not params.is_storable(host_name):
        raise exception.NotFound(kind="Compute host", ident=host_name)
    return util.json_response(operator.ask(req, ec.HOST_INSTANCES,
                                           host=host_name))


@microversion.version_handler("1.6")
def list_instances(req: webob.Request) -> webob.Response:
    """GET /v1/operator/instances: one page of every instance, newest
    first, with ``instances_links`` to the next."""
    util.authorize(req, policies.OPERATOR_INSTANCES_READ)
    query = params.Query(req, ("limit", "marker"))
    limit = min(query.limit(util.conf(req).api.max_limit),
                ec.MAX_INSTANCE_PAGE)
    if limit == 0:
        raise util.bad_request("limit must be 1 or more here.")
    marker = query.uuid("marker")
    found = operator.ask(req, ec.INSTANCE_LIST, limit=limit, marker=marker)
    body = {"instances": found["instances"]}
    following = found.get("next_marker")
    if following:
        body["instances_links"] = [{"rel": "next", "href": "%s?%s" % (
            req.host_url + req.script_name + req.path_info,
            urlencode({"limit": limit, "marker": following}))}]
    return util.json_response(body)


@microversion.version_handler("1.6")
def list_targets(req: webob.Request) -> webob.Response:
    """GET /v1/operator/instances/targets?instances=UUID,...: the hosts
    the planner accepts for every one of them, and the others with why."""
    util.authorize(req, policies.OPERATOR_INSTANCES_READ)
    raw = req.GET.getall("instances")
    params.Query(req, ("instances",))
    ids = list(dict.fromkeys(v.strip() for item in raw
                             for v in item.split(",") if v.strip()))
    if not ids:
        raise util.bad_request("instances is required: instance UUIDs, "
                               "comma-separated or repeated.")
    if len(ids) > ec.MAX_TARGETS_SELECTION:
        raise util.bad_request("instances names %d instances; at most %d."
                               % (len(ids), ec.MAX_TARGETS_SELECTION))
    bad = [v for v in ids if not uuidutils.is_uuid_like(v)]
    if bad:
        raise util.bad_request("instances holds %r, not an instance UUID."
                               % bad[0])
    return util.json_response(operator.ask(req, ec.INSTANCE_TARGETS,
                                           instances=ids))
