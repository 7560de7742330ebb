"""A keystoneauth adapter stand-in that answers from a handler."""

from collections.abc import Callable
import json
from typing import Any

import requests


def response(status: int, body: Any = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp.reason = "reason %d" % status
    if body is None:
        resp._content = b""
    elif isinstance(body, (bytes, str)):
        resp._content = body.encode() if isinstance(body, str) else body
    else:
        resp._content = json.dumps(body).encode()
        resp.headers["Content-Type"] = "application/json"
    return resp


Handler = Callable[[str, str, dict[str, Any]], Any]


class FakeAdapter:
    """Records each request; ``handler(method, url, kwargs)`` returns a
    ``requests.Response`` or raises."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def request(self, url: str, method: str, **kwargs: Any
                ) -> requests.Response:
        self.calls.append((method, url, kwargs))
        return self.handler(method, url, kwargs)


class FakeConnection:
    def __init__(self, compute: FakeAdapter, placement: FakeAdapter,
                 network: FakeAdapter) -> None:
        self.compute = compute
        self.placement = placement
        self.network = network


def routes(table: dict[tuple[str, str], Any]) -> Handler:
    """A handler answering ``(method, url)`` from ``table``; a callable
    value is called with the request's kwargs; unknown routes get 404."""
    def handler(method: str, url: str, kwargs: dict[str, Any]) -> Any:
        value = table.get((method, url))
        if value is None:
            return response(404, {"itemNotFound": {
                "code": 404, "message": "no route %s %s" % (method, url)}})
        if callable(value):
            value = value(kwargs)
        if isinstance(value, requests.Response):
            return value
        return response(200, value)
    return handler
