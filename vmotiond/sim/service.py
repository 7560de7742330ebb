"""The request pipeline every simulated API service shares.

discovery -> token (401) -> partition -> route (404/405) -> microversion
(400/406) -> policy (403) -> injected faults (500/503/time-out) -> handler
under the cloud lock -> delays. Subclasses give the route table, the
version handling and the error body shape of their real counterpart.
"""

import threading
from typing import Any

import webob
import webob.exc

from vmotiond.sim import errors
from vmotiond.sim import wsgi

_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed",
           406: "Not Acceptable", 409: "Conflict",
           500: "Internal Server Error", 503: "Service Unavailable",
           504: "Gateway Timeout"}


class ServiceApp:
    """Base WSGI application of one simulated service."""

    name = "service"
    # Nova answers a path it has no route for with webob's own page (HTML
    # unless the client asks for JSON), not with an API error.
    page_for_no_route = False

    def __init__(self, cloud: Any, identity: Any, url: str,
                 auth_url: str, hold: threading.Event) -> None:
        self.cloud = cloud
        self.identity = identity
        self.url = url.rstrip("/")          # unversioned service URL
        self.auth_url = auth_url
        self.hold = hold                    # set when the server stops
        self.router = wsgi.Router()
        self.add_routes()

    # To override ---------------------------------------------------------
    def add_routes(self) -> None:
        raise NotImplementedError

    def discovery(self, request: webob.Request) -> webob.Response | None:
        """Answer unauthenticated version documents, else None."""
        return None

    def versioned_path(self, path: str) -> str | None:
        """Strip the version prefix of ``path``; None if not versioned."""
        return path

    def version(self, request: webob.Request) -> tuple[int, int]:
        return (1, 0)

    def version_headers(self, version: tuple[int, int]) -> dict[str, str]:
        return {}

    def versioned_url(self) -> str:
        return self.url

    def op_name(self, route: wsgi.Route, ctx: wsgi.Context) -> str:
        return "%s.%s" % (self.name, route.op)

    def error(self, code: int, message: str) -> Any:
        return {"error": {"code": code, "message": message,
                          "title": _TITLES.get(code, "Error")}}

    # Pipeline ------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = webob.Request(environ)
        response = self.handle(request)
        return response(environ, start_response)

    def _fail(self, exc: errors.SimError,
              version: tuple[int, int] | None = None) -> webob.Response:
        if isinstance(exc, wsgi.NoRoute) and self.page_for_no_route:
            page: webob.Response = webob.exc.HTTPNotFound()
            return page
        headers = self.version_headers(version) if version else {}
        if isinstance(exc, wsgi.MethodNotAllowed):
            headers["Allow"] = ", ".join(exc.allowed)
        return wsgi.json_response(exc.code, self.error(exc.code, exc.message),
                                  headers)

    def handle(self, request: webob.Request) -> webob.Response:
        found = self.discovery(request)
        if found is not None:
            return found
        token = self.identity.validate(request.headers.get("X-Auth-Token"))
        if token is None:
            return wsgi.unauthorized(self.auth_url)
        blocked = self._partitioned(token)
        if blocked is not None:
            return blocked
        path = self.versioned_path(request.path_info)
        version = None
        try:
            if path is None:
                raise wsgi.NoRoute()
            route, params = self.router.match(request.method, path)
            version = self.version(request)
            ctx = wsgi.Context(request, token, version, self.versioned_url(),
                               params)
            if route.admin and not token.is_admin:
                raise errors.Forbidden(
                    "Policy doesn't allow %s to be performed." % route.op)
            op = self.op_name(route, ctx)
            return self._run(route, ctx, op, params, version)
        except errors.SimError as exc:
            return self._fail(exc, version)

    def _partitioned(self, token: wsgi.Token) -> webob.Response | None:
        partition = self.cloud.chaos.partition
        if partition is None:
            return None
        if partition.users is not None and token.user_name not in (
                partition.users):
            return None
        if partition.mode == "timeout":
            self.hold.wait(partition.seconds)
        return wsgi.json_response(503, self.error(
            503, "The server is currently unavailable. Please try again at "
                 "a later time."))

    def _run(self, route: wsgi.Route, ctx: wsgi.Context, op: str,
             params: dict[str, str], version: tuple[int, int]
             ) -> webob.Response:
        acting = route.method not in ("GET", "HEAD")
        if not acting:
            return self._answer(route, ctx, op, params, version)
        chaos = self.cloud.chaos
        with self.cloud.lock:
            chaos.acting += 1
            chaos.acting_peak = max(chaos.acting_peak, chaos.acting)
        try:
            return self._answer(route, ctx, op, params, version)
        finally:
            with self.cloud.lock:
                chaos.acting -= 1

    def _answer(self, route: wsgi.Route, ctx: wsgi.Context, op: str,
                params: dict[str, str], version: tuple[int, int]
                ) -> webob.Response:
        chaos = self.cloud.chaos
        with self.cloud.lock:
            rule = chaos.take(op, ("http_500", "http_503", "timeout"),
                              server_id=params.get("server_id"))
        if rule is not None and rule.kind in ("http_500", "http_503"):
            code = 500 if rule.kind == "http_500" else 503
            return self._fail(errors.SimError(
                "Injected fault on %s" % op, code), version)
        if rule is not None and not rule.apply:
            self.hold.wait(rule.seconds)
            return self._fail(errors.SimError("Injected time-out", 504),
                              version)
        try:
            with self.cloud.lock:
                reply = route.handler(ctx, **params)
        except errors.SimError:
            self.after_call(ctx, op, params, False)
            raise
        self.after_call(ctx, op, params, True)
        delay = reply.delay + chaos.http_delay(op)
        if rule is not None:
            delay += rule.seconds
        if delay > 0:
            self.hold.wait(delay)
        headers = self.version_headers(version)
        headers.update(reply.headers)
        return wsgi.json_response(reply.status, reply.body, headers)

    def after_call(self, ctx: wsgi.Context, op: str,
                   params: dict[str, str], accepted: bool) -> None:
        """Hook: count calls (Nova counts server actions)."""
