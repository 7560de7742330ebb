"""The composition root of the API: the WSGI pipeline, outermost first.

http_proxy_to_wsgi -> request_id -> operator console (``/vmotion/``) ->
fault wrapper -> UTF-8 check -> healthcheck and metrics (no token) ->
auth (keystonemiddleware or noauth) -> router.
"""

from collections.abc import Callable
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
import webob

from vmotiond import engine_client
from vmotiond.api import auth
from vmotiond.api import encoding
from vmotiond.api import errors
from vmotiond.api import fault_wrap
from vmotiond.api import handler
from vmotiond.api import metrics
from vmotiond.api import policy
from vmotiond.api import util
from vmotiond.console import app as console_app
from vmotiond.db import api as db_api

LOG = logging.getLogger(__name__)

WSGIApp = Callable[..., Any]


def deploy(conf: cfg.ConfigOpts, database: db_api.Database,
           policy_obj: policy.Policy | None = None,
           engine: Any = None) -> WSGIApp:
    """Return the API's WSGI application over ``database``.

    ``engine`` is what the operator's actions ask (``ask(method,
    **kwargs)``); by default an ``EngineLink`` on the configured bus,
    which connects on the first action.
    """
    if engine is None and conf.api.operator_actions:
        engine = engine_client.EngineLink(conf)
    app: WSGIApp = handler.Router(conf, database,
                                  policy_obj or policy.Policy(conf),
                                  engine=engine)
    if conf.api.auth_strategy == "noauth":
        LOG.warning("[api] auth_strategy = noauth: the API answers anyone "
                    "without a token; use it for the local demo only.")
        app = auth.NoAuth(app)
    else:
        app = auth.KeystoneAuth(app, conf)
    if conf.api.metrics:
        app = _MountedAt(metrics.PATH, metrics.MetricsApp(database), app)
    app = _MountedAt("/healthcheck", healthcheck.Healthcheck(app, conf), app)
    app = encoding.Utf8Only(app)
    app = fault_wrap.FaultWrapper(app)
    app = console_app.Console(conf, app)
    app = request_id.RequestId(app)
    app = _ProxyHeaders(app, conf)
    return app


class _ProxyHeaders(http_proxy_to_wsgi.HTTPProxyToWSGI):
    """oslo.middleware's proxy headers rewrite, as a plain pass-through:
    its base would turn every answer into a webob response and back and
    inspect ``process_response``'s signature on every request, for a
    ``process_response`` that changes nothing."""

    def __init__(self, application: WSGIApp, conf: cfg.ConfigOpts) -> None:
        super().__init__(application, conf)
        self._next = application

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Any:
        self.process_request(webob.Request(environ))
        return self._next(environ, start_response)


class _MountedAt:
    """Send GET ``path`` to ``mounted`` (no token asked), the rest on."""

    def __init__(self, path: str, mounted: WSGIApp, application: WSGIApp
                 ) -> None:
        self._path = path
        self._mounted = mounted
        self._application = application

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "").rstrip("/") == self._path:
            if environ.get("REQUEST_METHOD") != "GET":
                return util.error_response(
                    405, errors.METHOD_NOT_ALLOWED,
                    "The method %s is not allowed for %s; allowed: GET."
                    % (environ.get("REQUEST_METHOD"), self._path),
                    headers={"Allow": "GET"})(environ, start_response)
            return self._mounted(environ, start_response)
        return self._application(environ, start_response)


def load(conf: cfg.ConfigOpts) -> WSGIApp:
    """Open the database, check it is reachable and current, deploy.

    Raises DatabaseUnavailable or SchemaOutOfDate with a clear message.
    """
    database = db_api.Database(conf)
    database.check_connection()
    database.check_schema()
    return deploy(conf, database)
