"""Authentication in front of the router: keystonemiddleware, or noauth.

Version discovery and the OpenAPI document are public; every other path
needs a valid token. ``noauth`` is for the local demo only.
"""

from collections.abc import Callable
from typing import Any

from keystonemiddleware import auth_token
from oslo_config import cfg

from vmotiond.api import handler

WSGIApp = Callable[..., Any]


class KeystoneAuth:
    """auth_token for every path but the public ones."""

    def __init__(self, application: WSGIApp, conf: cfg.ConfigOpts) -> None:
        self._application = application
        self._auth = auth_token.AuthProtocol(
            application, {"oslo_config_config": conf})

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Any:
        path, _ = handler.route_path(environ.get("PATH_INFO", ""))
        if path in handler.PUBLIC_PATHS:
            return self._application(environ, start_response)
        return self._auth(environ, start_response)


class NoAuth:
    """Demo only: everyone is an admin unless ``X-Roles`` says otherwise.

    The project is the one the URL names, else ``noauth``.
    """

    def __init__(self, application: WSGIApp) -> None:
        self._application = application

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Any:
        environ.setdefault("HTTP_X_ROLES", "admin,reader")
        environ.setdefault("HTTP_X_USER_ID", "noauth")
        _, project = handler.route_path(environ.get("PATH_INFO", ""))
        environ.setdefault("HTTP_X_PROJECT_ID", project or "noauth")
        environ["HTTP_X_IDENTITY_STATUS"] = "Confirmed"
        return self._application(environ, start_response)
