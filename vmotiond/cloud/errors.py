"""Turn HTTP answers and transport failures into ``vmotiond.exception``.

One place decides what an OpenStack failure means for the engine:

* 404 -> ``CloudNotFound``; 409 -> ``CloudConflict``;
  400, 401, 403 and other 4xx -> ``CloudRefused`` with the service's message.
* A service the cloud does not have -> ``CloudServiceMissing``: no endpoint
  in the catalog, or a 404 answered with a page that is not an OpenStack
  error (another service behind the URL, as openstacksdk's ``auth_type:
  none`` resolves a missing network endpoint to the compute URL), unless
  the service answers every error with a page (Glance).
* 5xx, timeouts and connection failures -> ``CloudUnavailable``. The error
  carries ``retryable=True`` when repeating the call is safe, which the
  ``Retrier`` acts on, and ``maybe_applied=True`` when a call that changes
  the cloud may have been carried out although no answer came back (a read
  timeout or a 500/502/504 on a move), so the caller must look before it
  repeats it.
"""

import html.parser
import re
from typing import Any

from keystoneauth1 import exceptions as ksa_exc
from openstack import exceptions as sdk_exc
import requests

from vmotiond import exception

# Answers that say the request was not processed: safe to repeat anything.
_NOT_PROCESSED = frozenset({503})
_MESSAGE_LIMIT = 300
# An HTML page (or fragment), not a message that quotes "<class 'X'>".
_PAGE = re.compile(r"^\s*<|<(html|head|body|title|h[1-6]|p|br|pre)\b",
                   re.IGNORECASE)


def one_line(text: str) -> str:
    """``text`` as one line of plain words: an HTML page becomes its
    text (title and body, each said once), runs of white space one space,
    and the whole at most ``_MESSAGE_LIMIT`` characters."""
    if _PAGE.search(text):
        text = _HtmlText.of(text)
    line = " ".join(text.split())
    if len(line) > _MESSAGE_LIMIT:
        line = line[:_MESSAGE_LIMIT - 3].rstrip() + "..."
    return line


class _HtmlText(html.parser.HTMLParser):
    """The visible text of an HTML page, each fragment once; a title or
    heading is followed by a colon."""

    _HIDDEN = frozenset({"script", "style"})
    _HEADINGS = frozenset({"title", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.seen: set[str] = set()
        self.hidden = 0
        self.after_heading = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self.hidden:
            self.hidden -= 1
        if tag in self._HEADINGS and self.text:
            self.after_heading = True

    def handle_data(self, data: str) -> None:
        words = " ".join(data.split())
        if not words or self.hidden or words in self.seen:
            return
        self.seen.add(words)
        if self.text:
            self.text += ": " if self.after_heading else " "
        self.text += words
        self.after_heading = False

    @classmethod
    def of(cls, page: str) -> str:
        parser = cls()
        parser.feed(page)
        parser.close()
        return parser.text


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def error_message(response: requests.Response) -> str:
    """Return the human message of an error answer of Nova, Placement,
    Neutron or Keystone, or the text of its body, as one line."""
    body = _json(response)
    if body is None:
        return one_line(response.text or response.reason or "") or (
            "HTTP %d" % response.status_code)
    return one_line(_message_from_body(body) or str(body))


def _message_from_body(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")            # Placement
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return str(first.get("detail") or first.get("title") or "").strip()
    if len(body) == 1:                     # Nova {"badRequest": {...}},
        inner = next(iter(body.values()))  # Neutron {"NeutronError": ...}
        if isinstance(inner, dict) and "message" in inner:
            return str(inner["message"]).strip()
    if "message" in body:
        return str(body["message"]).strip()
    return None


def _with_status(status: int, message: str) -> str:
    """``message`` led by the HTTP status, so an operator reading a vmove
    or an alert tells a 503 from a 500 (a 4xx has an error class of its
    own and keeps the service's message as it is)."""
    prefix = "HTTP %d" % status
    return message if message.startswith(prefix) else "%s: %s" % (
        prefix, message)


def _refusal(status: int, kwargs: dict[str, Any]
             ) -> exception.CloudError | None:
    """The error for a 4xx ``status``; None for any other."""
    if status == 404:
        return exception.CloudNotFound(**kwargs)
    if status == 409:
        return exception.CloudConflict(**kwargs)
    if 400 <= status < 500:
        return exception.CloudRefused(**kwargs)
    return None


def from_response(response: requests.Response, service: str, call: str,
                  idempotent: bool,
                  pages_are_errors: bool = False) -> exception.CloudError:
    """Return the error for a non-2xx ``response`` of ``service``;
    ``pages_are_errors``: the service answers its errors with pages
    (Glance), so a 404 page is its own ``CloudNotFound``."""
    status = response.status_code
    kwargs: dict[str, Any] = dict(service=service, call=call, status=status,
                                  reason=error_message(response))
    if status == 404 and response.content and not pages_are_errors and \
            not isinstance(_json(response), dict):
        kwargs["reason"] = "%s answered 404 with a page that is not an " \
            "OpenStack API error (%s)" % (_url_of(response), kwargs["reason"])
        return exception.CloudServiceMissing(**kwargs)
    refusal = _refusal(status, kwargs)
    if refusal is not None:
        return refusal
    kwargs["reason"] = _with_status(status, kwargs["reason"])
    if idempotent or status in _NOT_PROCESSED:
        return exception.CloudUnavailable(retryable=True, **kwargs)
    return exception.CloudUnavailable(maybe_applied=True, **kwargs)


def from_transport(error: Exception, service: str, call: str,
                   idempotent: bool) -> exception.CloudError:
    """Return the error for an exception raised by keystoneauth."""
    kwargs: dict[str, Any] = dict(service=service, call=call,
                                  reason=one_line(str(error))
                                  or type(error).__name__)
    if isinstance(error, ksa_exc.EndpointNotFound):
        kwargs["reason"] = "no %s endpoint in the service catalog (%s)" % (
            service, kwargs["reason"])
        return exception.CloudServiceMissing(**kwargs)
    if isinstance(error, ksa_exc.HttpError):   # from auth or discovery
        status = error.http_status or 0
        kwargs["status"] = status
        refusal = _refusal(status, kwargs)
        if refusal is not None:
            return refusal
        return exception.CloudUnavailable(retryable=True, **kwargs)
    if isinstance(error, ksa_exc.ConnectTimeout):
        read_timeout = isinstance(error.__context__,
                                  requests.exceptions.ReadTimeout)
        if read_timeout and not idempotent:
            return exception.CloudUnavailable(maybe_applied=True, **kwargs)
        return exception.CloudUnavailable(retryable=True, **kwargs)
    if isinstance(error, (ksa_exc.ConnectionError, ksa_exc.DiscoveryFailure)):
        return exception.CloudUnavailable(retryable=True, **kwargs)
    # EndpointNotFound, missing auth options and the like: configuration.
    return exception.CloudUnavailable(**kwargs)


def from_sdk(error: sdk_exc.SDKException, service: str,
             call: str) -> exception.CloudError:
    """Return the error for an exception raised by openstacksdk while it
    builds the service's proxy."""
    reason = one_line(str(error)) or type(error).__name__
    if isinstance(error, sdk_exc.ServiceDisabledException):
        return exception.CloudServiceMissing(service=service, call=call,
                                             reason=reason)
    return exception.CloudUnavailable(service=service, call=call,
                                      reason=reason, retryable=True)


def _url_of(response: requests.Response) -> str:
    url = getattr(response, "url", None) or ""
    return url.split("?", 1)[0] or "its endpoint"


def is_retryable(error: exception.CloudError) -> bool:
    """Whether ``error`` may be cured by asking again."""
    return bool(error.kwargs.get("retryable"))
