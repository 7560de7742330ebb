"""The route table, and dispatch: the one place errors become HTTP.

Every path and method the API serves is in ``ROUTE_DECLARATIONS``; a
known path asked with another method answers 405 with an ``Allow`` header
generated from the table. The operator's actions (under
``OPERATOR_PREFIX``) are left out when ``[api] operator_actions`` is off,
so they answer 404. Domain exceptions, policy refusals and database
outages become HTTP errors here, each with a stable error code.
"""

from collections.abc import Callable
import re
from typing import Any

from oslo_context import context as context_mod
from oslo_db import exception as db_exc
from oslo_log import log as logging
from oslo_policy import policy as oslo_policy
import webob

from vmotiond import exception
from vmotiond.api import errors
from vmotiond.api import microversion
from vmotiond.api import util
from vmotiond.api.handlers import alerts
from vmotiond.api.handlers import hosts
from vmotiond.api.handlers import instances
from vmotiond.api.handlers import notifications
from vmotiond.api.handlers import openapi
from vmotiond.api.handlers import operator
from vmotiond.api.handlers import steps
from vmotiond.api.handlers import versions
from vmotiond.api.handlers import vmoves

LOG = logging.getLogger(__name__)

Handler = Callable[..., webob.Response]

ROUTE_DECLARATIONS: dict[str, dict[str, Handler]] = {
    "/": {"GET": versions.list_versions},
    "/v1": {"GET": versions.show_version},
    "/openapi.json": {"GET": openapi.show_document},
    "/v1/notifications": {"GET": notifications.list_notifications},
    "/v1/notifications/{notification_id}": {
        "GET": notifications.show_notification},
    "/v1/notifications/{notification_id}/vmoves": {
        "GET": vmoves.list_notification_vmoves},
    "/v1/notifications/{notification_id}/vmoves/{vmove_id}": {
        "GET": vmoves.show_notification_vmove},
    "/v1/vmoves": {"GET": vmoves.list_vmoves},
    "/v1/vmoves/{vmove_id}": {"GET": vmoves.show_vmove},
    "/v1/vmoves/{vmove_id}/steps": {"GET": steps.list_steps},
    "/v1/hosts": {"GET": hosts.list_hosts},
    "/v1/hosts/{host_name}": {"GET": hosts.show_host},
    "/v1/alerts": {"GET": alerts.list_alerts},
    "/v1/alerts/{alert_id}": {"GET": alerts.show_alert},
    "/v1/operator/hosts/action": {"POST": operator.hosts_action},
    "/v1/operator/hosts/{host_name}/action": {"POST": operator.host_action},
    "/v1/operator/instances/action": {"POST": operator.instances_action},
    "/v1/operator/hosts/{host_name}/instances": {
        "GET": instances.list_host_instances},
    "/v1/operator/instances": {"GET": instances.list_instances},
    "/v1/operator/instances/targets": {"GET": instances.list_targets},
    "/v1/operator/vmoves/{vmove_id}/action": {"POST": operator.vmove_action},
    "/v1/operator/notifications/{notification_id}/action": {
        "POST": operator.notification_action},
}

OPERATOR_PREFIX = "/v1/operator/"

# Paths answered without a token: version discovery and the API document.
PUBLIC_PATHS = frozenset({"/", "/v1", "/openapi.json"})

# Masakari's catalog entries end in the project (/v1/%(tenant_id)s), so
# its clients ask /v1/{project_id}/notifications...: a Keystone project id
# (32 hex digits, or a UUID with dashes) after /v1 is taken as that.
_PROJECT_SEGMENT = re.compile(
    r"^/v1/(?P<project_id>[0-9a-fA-F]{32}|[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4})"
    r"{3}-[0-9a-fA-F]{12})(?=/|$)")


def _compile(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return re.compile("^%s$" % pattern)


def served_routes(operator_actions: bool) -> dict[str, dict[str, Handler]]:
    """The route table, without the operator's actions when they are off."""
    return {path: methods for path, methods in ROUTE_DECLARATIONS.items()
            if operator_actions or not path.startswith(OPERATOR_PREFIX)}


def route_path(path: str) -> tuple[str, str | None]:
    """Return the path to route and the project id the URL names, if any.

    The routed path has no trailing slash (``/`` stays) and no project
    segment: ``/v1/{project_id}/vmoves`` routes as ``/v1/vmoves``.
    """
    found = _PROJECT_SEGMENT.match(path)
    if found is None:
        return path.rstrip("/") or "/", None
    rest = path[found.end():].rstrip("/")
    return "/v1" + rest, found.group("project_id")


class Router:
    """A WSGI app dispatching on ``ROUTE_DECLARATIONS``."""

    def __init__(self, conf: Any, database: Any, policy: Any,
                 routes: dict[str, dict[str, Handler]] | None = None,
                 engine: Any = None) -> None:
        """``database``, ``policy`` and ``engine`` (what the operator's
        actions ask: ``ask(method, **kwargs)``) reach handlers through the
        environ."""
        self._extras = {util.ENV_CONF: conf, util.ENV_DATABASE: database,
                        util.ENV_POLICY: policy, util.ENV_ENGINE: engine}
        table = routes if routes is not None else served_routes(
            conf.api.operator_actions)
        self._routes = [(_compile(template), methods)
                        for template, methods in table.items()]

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Any:
        environ.update(self._extras)
        req = webob.Request(environ)
        response = self.dispatch(req)
        return response(environ, start_response)

    def dispatch(self, req: webob.Request) -> webob.Response:
        """Route ``req``; turn every known failure into its HTTP answer."""
        headers: dict[str, str] = {}
        try:
            path, url_project = route_path(req.path_info)
            handler, kwargs = self._match(req.method, path)
            version = microversion.extract(req)
            headers = microversion.response_headers(version)
            _check_version(handler, version)
            req.environ[util.ENV_VERSION] = version
            context = context_mod.RequestContext.from_environ(req.environ)
            _check_project(url_project, context)
            req.environ[util.ENV_CONTEXT] = context
            response = handler(req, **kwargs)
        except util.HTTPError as exc:
            return _error(req, exc.status, exc.code, exc.message,
                          {**headers, **exc.headers})
        except exception.NotFound as exc:
            return _error(req, 404, errors.NOT_FOUND, exc.message, headers)
        except exception.InvalidInput as exc:
            return _error(req, 400, errors.QUERY_INVALID, exc.message,
                          headers)
        except oslo_policy.PolicyNotAuthorized as exc:
            LOG.info("Refused %s %s: %s", req.method, req.path, exc)
            return _error(req, 403, errors.FORBIDDEN,
                          "Forbidden: %s." % exc, headers)
        except (exception.DatabaseUnavailable, db_exc.DBConnectionError) \
                as exc:
            LOG.warning("Database unavailable for %s %s: %s", req.method,
                        req.path, exc)
            return _error(req, 503, errors.DATABASE_UNAVAILABLE,
                          "The database is unavailable; try again later.",
                          {**headers, "Retry-After": "5"})
        response.headers.update(headers)
        return conditional(req, response)

    def _match(self, method: str, path: str
               ) -> tuple[Handler, dict[str, str]]:
        for pattern, methods in self._routes:
            found = pattern.match(path)
            if found is None:
                continue
            handler = methods.get(method)
            if handler is None:
                allowed = ", ".join(sorted(methods))
                raise util.HTTPError(
                    405, errors.METHOD_NOT_ALLOWED,
                    "The method %s is not allowed for %s; allowed: %s."
                    % (method, path, allowed), {"Allow": allowed})
            return handler, found.groupdict()
        raise util.not_found("No resource at %s." % path,
                             errors.ROUTE_NOT_FOUND)


def conditional(req: webob.Request, response: webob.Response
                ) -> webob.Response:
    """Tag a GET's 200 with an ETag; 304 when If-None-Match names it."""
    if req.method not in ("GET", "HEAD") or response.status_int != 200:
        return response
    tag = util.etag(response.body)
    response.headers["ETag"] = tag
    if not util.etag_matches(req.headers.get("If-None-Match"), tag):
        return response
    unchanged = webob.Response(status=304)
    for name, value in response.headers.items():
        if name.lower() not in ("content-type", "content-length"):
            unchanged.headers[name] = value
    return unchanged


def _check_project(url_project: str | None,
                   context: context_mod.RequestContext) -> None:
    """400 when the URL names another project than the token's, as Nova."""
    if url_project is None or context.project_id is None:
        return
    if url_project != context.project_id:
        raise util.bad_request(
            "Malformed request URL: the URL's project_id %s does not match "
            "the token's project_id %s." % (url_project, context.project_id),
            errors.PROJECT_MISMATCH)


def _check_version(handler: Handler, version: microversion.Version) -> None:
    needed = microversion.min_version_of(handler)
    if version < needed:
        raise util.not_found(
            "This resource needs microversion %s or later; send the "
            "header '%s: %s %s'." % (
                microversion.to_string(needed), microversion.HEADER,
                microversion.SERVICE_TYPE, microversion.to_string(needed)),
            errors.VERSION_TOO_LOW)


def _error(req: webob.Request, status: int, code: str, message: str,
           headers: dict[str, str]) -> webob.Response:
    return util.error_response(status, code, message, util.request_id(req),
                               headers)
