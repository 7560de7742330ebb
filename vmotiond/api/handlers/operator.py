"""The operator's actions: ``POST /v1/operator/.../action`` (1.6; the
hosts' ``sync`` from 1.7).

Each sends the engine the RPC request ``vmotiond-manage`` sends for the
same action (``vmotiond.api.actions`` reads the body) and answers with
what the engine returns: 202 when the request started work (a
notification, a vmove taken up again), 200 when it is done. The engine's
refusals keep its message: 400 for bad input, 404 for what does not
exist, 409 for a state that forbids the action; no engine answering is a
503 and nothing was done.
"""

from typing import Any

import webob

from vmotiond import exception
from vmotiond.api import actions
from vmotiond.api import errors
from vmotiond.api import microversion
from vmotiond.api import params
from vmotiond.api import policies
from vmotiond.api import util
from vmotiond.api.handlers import notifications
from vmotiond.api.handlers import vmoves


def _body(req: webob.Request) -> dict[str, Any]:
    length = req.content_length
    if length is not None and length > actions.MAX_BODY:
        raise actions.invalid("The body is larger than %d bytes."
                              % actions.MAX_BODY)
    raw = req.body_file.read(actions.MAX_BODY + 1)
    return actions.decode(raw, req.content_type)


def ask(req: webob.Request, method: str, **kwargs: Any) -> Any:
    """The engine's answer to ``method``, or its refusal as an HTTP
    error."""
    engine = req.environ.get(util.ENV_ENGINE)
    if engine is None:
        raise util.HTTPError(503, errors.ENGINE_UNAVAILABLE,
                             "This API process has no link to an engine.")
    try:
        return engine.ask(method, **kwargs)
    except (exception.EngineUnavailable, exception.EngineNoReply) as exc:
        raise util.HTTPError(503, errors.ENGINE_UNAVAILABLE, exc.message,
                             {"Retry-After": "5"}) from None
    except exception.InvalidInput as exc:
        raise util.HTTPError(400, errors.ACTION_INVALID,
                             exc.message) from None
    except exception.NotFound as exc:
        raise util.HTTPError(404, errors.NOT_FOUND, exc.message) from None
    except exception.Conflict as exc:
        raise util.HTTPError(409, errors.ACTION_CONFLICT,
                             exc.message) from None
    except exception.VmotiondError as exc:
        raise util.HTTPError(500, errors.ENGINE_FAILED,
                             exc.message) from None


def _send(req: webob.Request,
          request: actions.EngineRequest) -> webob.Response:
    """Ask the engine; its answer, or its refusal as an HTTP error."""
    answer = ask(req, request.method, **request.kwargs)
    return util.json_response({request.wraps: answer},
                              status=202 if request.starts else 200)


@microversion.version_handler("1.6")
def host_action(req: webob.Request, host_name: str) -> webob.Response:
    """POST /v1/operator/hosts/{name}/action: set, drain, move_back,
    release."""
    util.authorize(req, policies.OPERATOR_HOSTS)
    body = _body(req)
    if not params.is_storable(host_name):
        raise exception.NotFound(kind="Host", ident=host_name)
    return _send(req, actions.host_action(host_name, body))


@microversion.version_handler("1.7")
def hosts_action(req: webob.Request) -> webob.Response:
    """POST /v1/operator/hosts/action: sync (the hosts from Nova now)."""
    util.authorize(req, policies.OPERATOR_HOSTS)
    return _send(req, actions.hosts_action(_body(req)))


@microversion.version_handler("1.6")
def instances_action(req: webob.Request) -> webob.Response:
    """POST /v1/operator/instances/action: migrate, reset_state."""
    util.authorize(req, policies.OPERATOR_INSTANCES)
    return _send(req, actions.instances_action(_body(req)))


@microversion.version_handler("1.6")
def vmove_action(req: webob.Request, vmove_id: str) -> webob.Response:
    """POST /v1/operator/vmoves/{id}/action: redo, reset, delete."""
    util.authorize(req, policies.OPERATOR_VMOVES)
    body = _body(req)
    row = vmoves.lookup(req, vmove_id)
    return _send(req, actions.vmove_action(row.uuid, body))


@microversion.version_handler("1.6")
def notification_action(req: webob.Request,
                        notification_id: str) -> webob.Response:
    """POST /v1/operator/notifications/{id}/action: abort; from 1.7 redo
    or reset its vmoves together."""
    util.authorize(req, policies.OPERATOR_NOTIFICATIONS)
    body = _body(req)
    row = notifications.lookup(req, notification_id)
    return _send(req, actions.notification_action(
        row.uuid, body, microversion.is_at_least(req, "1.7")))
