"""The last line: anything uncaught is logged and becomes a 500."""

from collections.abc import Callable
from typing import Any

from oslo_log import log as logging
import webob

from vmotiond.api import errors
from vmotiond.api import util

LOG = logging.getLogger(__name__)


class FaultWrapper:
    """WSGI middleware turning uncaught exceptions into a JSON 500."""

    def __init__(self, application: Callable[..., Any]) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Any:
        try:
            return self.application(environ, start_response)
        except Exception:
            req = webob.Request(environ)
            # The raw environ: webob's decoded path may be what failed.
            LOG.exception("Uncaught error serving %s %r",
                          environ.get("REQUEST_METHOD"),
                          environ.get("PATH_INFO"))
            rid = util.request_id(req)
            response = util.error_response(
                500, errors.INTERNAL,
                "An unexpected error occurred; the vmotiond-api log has "
                "the details (request %s)." % rid, rid)
            return response(environ, start_response)
