"""Small helpers of the handlers: errors, JSON bodies, environ access."""

import datetime
import hashlib
import json
from typing import Any

import webob

from vmotiond.api import errors
from vmotiond.api import policies
from vmotiond.db import api as db_api

# WSGI environ keys the pipeline fills for the handlers.
ENV_CONF = "vmotiond.conf"
ENV_DATABASE = "vmotiond.database"
ENV_CONTEXT = "vmotiond.context"
ENV_POLICY = "vmotiond.policy"
ENV_VERSION = "vmotiond.microversion"
ENV_ENGINE = "vmotiond.engine"

# Masakari (Nova style) names the error envelope after the status.
_FAULT_NAMES = {
    400: "badRequest", 401: "unauthorized", 403: "forbidden",
    404: "itemNotFound", 405: "badMethod", 406: "notAcceptable",
    409: "conflictingRequest", 500: "internalServerError",
    503: "serviceUnavailable",
}

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


class HTTPError(Exception):
    """An error the API answers with ``status`` and a stable ``code``."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_request(message: str, code: str = errors.QUERY_INVALID) -> HTTPError:
    return HTTPError(400, code, message)


def not_found(message: str, code: str = errors.NOT_FOUND) -> HTTPError:
    return HTTPError(404, code, message)


def json_response(body: Any, status: int = 200,
                  headers: dict[str, str] | None = None) -> webob.Response:
    """Return a JSON response; ``body`` holds only JSON-ready values."""
    response = webob.Response(status=status, charset="utf-8",
                              content_type="application/json")
    response.body = json.dumps(body, separators=(",", ":")).encode()
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(status: int, code: str, message: str,
                   request_id: str | None = None,
                   headers: dict[str, str] | None = None
                   ) -> webob.Response:
    """Return the error body Masakari's clients parse, plus a stable code.

    ``{"itemNotFound": {"code": 404, "message": ..., "error_code": ...,
    "request_id": ...}}``: openstacksdk shows ``message``.
    """
    detail = {"code": status, "message": message, "error_code": code,
              "request_id": request_id}
    name = _FAULT_NAMES.get(status, "error")
    return json_response({name: detail}, status=status, headers=headers)


def timestamp(value: datetime.datetime | str | None) -> str | None:
    """Format a stored naive-UTC time the way Masakari does.

    Text is a time a page of rows read already formatted so (see
    ``vmotiond.db.paging.IsoTime``), and is returned as it is.
    """
    if value is None or isinstance(value, str):
        return value
    return value.isoformat(timespec="microseconds")


def request_id(req: webob.Request) -> str | None:
    value = req.environ.get("openstack.request_id")
    return str(value) if value is not None else None


def database(req: webob.Request) -> db_api.Database:
    """Return the ``vmotiond.db.api.Database`` serving this request."""
    found: db_api.Database = req.environ[ENV_DATABASE]
    return found


def conf(req: webob.Request) -> Any:
    return req.environ[ENV_CONF]


def authorize(req: webob.Request, rule: str) -> None:
    """Raise PolicyNotAuthorized unless the caller may use ``rule``."""
    req.environ[ENV_POLICY].authorize(req.environ[ENV_CONTEXT], rule)


def project_scope(req: webob.Request, rule: str) -> str | None:
    """Authorize ``rule``; return the project its answer is limited to.

    None: the caller reads the whole cloud (``vmotiond:reader``). Else
    the token's project: the caller passed ``rule`` only as a project
    reader, and sees only that project's vmoves. A caller without a
    project then is refused.
    """
    authorize(req, rule)
    policy_obj = req.environ[ENV_POLICY]
    context = req.environ[ENV_CONTEXT]
    if policy_obj.allows(context, policies.READER):
        return None
    if not context.project_id:
        policy_obj.authorize(context, policies.READER)
    return str(context.project_id)


def etag(body: bytes) -> str:
    """The strong entity tag of a response body."""
    return '"%s"' % hashlib.sha256(body).hexdigest()[:32]


def etag_matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names ``tag`` (or is ``*``).

    Weak tags (``W/"..."``) compare by their opaque part, as RFC 9110's
    weak comparison for If-None-Match asks.
    """
    if not if_none_match:
        return False
    for item in if_none_match.split(","):
        item = item.strip()
        if item == "*":
            return True
        if item.startswith("W/"):
            item = item[2:]
        if item == tag:
            return True
    return False
