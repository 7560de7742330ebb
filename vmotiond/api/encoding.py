"""Refuse requests whose path or query string is not UTF-8 (400).

WSGI servers pass the percent-decoded path as bytes in latin-1 (PEP 3333);
webob decodes it and the query string as UTF-8 only when asked, so an
escape such as ``%ff`` would fail deep in a handler. Checked once, here.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from vmotiond.api import errors
from vmotiond.api import util

WSGIApp = Callable[..., Any]


def undecodable(environ: dict[str, Any]) -> str | None:
    """Name the part of the request that is not UTF-8, if one is not."""
    for key, part in (("SCRIPT_NAME", "path"), ("PATH_INFO", "path"),
                      ("QUERY_STRING", "query string")):
        value = environ.get(key, "")
        raw = value.encode("latin-1", "replace")
        if key == "QUERY_STRING":
            raw = unquote_to_bytes(raw.replace(b"+", b" "))
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return part
    return None


class Utf8Only:
    """WSGI middleware answering 400 to a request that is not UTF-8."""

    def __init__(self, application: WSGIApp) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Any:
        part = undecodable(environ)
        if part is None:
            return self.application(environ, start_response)
        rid = environ.get("openstack.request_id")
        response = util.error_response(
            400, errors.REQUEST_NOT_UTF8,
            "The request's %s is not valid UTF-8 once percent-decoded."
            % part, str(rid) if rid is not None else None)
        return response(environ, start_response)
