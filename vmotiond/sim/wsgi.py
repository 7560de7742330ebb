"""The small WSGI toolkit the simulated services share.

One route table per service (method + path template -> handler + an
operation name used by fault injection and latency), a request context,
microversion parsing, and the JSON reply.
"""

from collections.abc import Callable
import dataclasses
import json
import re
from typing import Any
import uuid

import webob

from vmotiond.sim import errors


@dataclasses.dataclass
class Reply:
    """What a handler returns: status, JSON body, headers, extra delay."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    delay: float = 0.0


@dataclasses.dataclass
class Token:
    """A validated Keystone token as the services see it."""

    id: str
    user_id: str
    user_name: str
    project_id: str | None
    roles: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


@dataclasses.dataclass
class Context:
    """One request as a handler sees it."""

    request: webob.Request
    token: Token | None
    version: tuple[int, int]
    url: str                       # this service's versioned base URL
    params: dict[str, str]
    _body: Any = None
    _parsed: bool = False

    def at_least(self, version: str) -> bool:
        major, minor = version.split(".")
        return self.version >= (int(major), int(minor))

    def query(self, name: str) -> str | None:
        value: str | None = self.request.GET.get(name)
        return value

    def query_all(self, name: str) -> list[str]:
        values: list[str] = self.request.GET.getall(name)
        return values

    def body(self) -> Any:
        """The JSON body; ``BadRequest('Malformed request body')`` if bad."""
        if not self._parsed:
            raw = self.request.body
            self._parsed = True
            if raw:
                try:
                    self._body = json.loads(raw)
                except ValueError:
                    raise errors.BadRequest("Malformed request body") from None
        return self._body

    @property
    def is_admin(self) -> bool:
        return self.token is not None and self.token.is_admin


Handler = Callable[..., Reply]


@dataclasses.dataclass
class Route:
    method: str
    regex: re.Pattern[str]
    handler: Handler
    op: str
    admin: bool


class Router:
    """Method + path template (``/servers/{server_id}``) to a handler."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, op: str,
            admin: bool = False) -> None:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self.routes.append(Route(method, re.compile("^%s/?$" % pattern),
                                 handler, op, admin))

    def match(self, method: str, path: str
              ) -> tuple[Route, dict[str, str]]:
        """Return the route and path parameters, or raise 404/405."""
        allowed = []
        for route in self.routes:
            found = route.regex.match(path)
            if found is None:
                continue
            if route.method == method or (method == "HEAD"
                                          and route.method == "GET"):
                return route, found.groupdict()
            allowed.append(route.method)
        if allowed:
            raise MethodNotAllowed(sorted(set(allowed)))
        raise NoRoute()


class NoRoute(errors.NotFound):
    """No route for the path: the service has no such resource at all."""

    def __init__(self) -> None:
        super().__init__("The resource could not be found.")


class MethodNotAllowed(errors.SimError):
    code = 405

    def __init__(self, allowed: list[str]) -> None:
        super().__init__("The method specified is not allowed for this "
                         "resource.")
        self.allowed = allowed


_VERSION_RE = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


def parse_version(raw: str | None, default: tuple[int, int],
                  minimum: tuple[int, int], maximum: tuple[int, int]
                  ) -> tuple[int, int]:
    """A microversion string to a tuple; 400 if malformed, 406 if out."""
    if raw is None:
        return default
    raw = raw.strip()
    if raw == "latest":
        return maximum
    found = _VERSION_RE.match(raw)
    if found is None:
        raise errors.BadRequest(
            "API Version String %s is of invalid format. Must be of format "
            "MajorNum.MinorNum." % raw)
    version = (int(found.group(1)), int(found.group(2)))
    if not minimum <= version <= maximum:
        raise errors.NotAcceptable(
            "Version %s is not supported by the API. Minimum is %s and "
            "maximum is %s." % (raw, fmt(minimum), fmt(maximum)))
    return version


def header_version(request: webob.Request, service: str,
                   legacy: str | None = None) -> str | None:
    """The version asked for ``service`` in ``OpenStack-API-Version``."""
    value: str | None = request.headers.get("OpenStack-API-Version")
    if value:
        for part in value.split(","):
            words = part.split()
            if len(words) == 2 and words[0].lower() == service:
                return words[1]
    if legacy:
        legacy_value: str | None = request.headers.get(legacy)
        return legacy_value
    return None


def fmt(version: tuple[int, int]) -> str:
    return "%d.%d" % version


def request_id() -> str:
    return "req-%s" % uuid.uuid4()


def json_response(status: int, body: Any,
                  headers: dict[str, str] | None = None) -> webob.Response:
    response = webob.Response(status=status)
    if body is not None:
        response.content_type = "application/json"
        response.charset = None
        response.body = json.dumps(body, default=str).encode()
    else:
        response.content_type = None
        response.body = b""
    response.headers["x-openstack-request-id"] = request_id()
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def unauthorized(auth_url: str) -> webob.Response:
    """keystonemiddleware's 401."""
    return json_response(401, {"error": {
        "code": 401, "title": "Unauthorized",
        "message": "The request you have made requires authentication."}},
        {"WWW-Authenticate": 'Keystone uri="%s"' % auth_url})
