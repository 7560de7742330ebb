"""Turn HTTP answers and transport failures into ``vmotiond.exception``.

One place decides what an OpenStack failure means for the engine:

* 404 -> ``CloudNotFound``; 409 -> ``CloudConflict``;
  400, 401, 403 and other 4xx -> ``CloudRefused`` with the service's message.
* 5xx, timeouts and connection failures -> ``CloudUnavailable``. The error
  carries ``retryable=True`` when repeating the call is safe, which the
  ``Retrier`` acts on, and ``maybe_applied=True`` when a call that changes
  the cloud may have been carried out although no answer came back (a read
  timeout or a 500/502/504 on a move), so the caller must look before it
  repeats it.
"""

from typing import Any

from keystoneauth1 import exceptions as ksa_exc
import requests

from vmotiond import exception

# Answers that say the request was not processed: safe to repeat anything.
_NOT_PROCESSED = frozenset({503})
_MESSAGE_LIMIT = 500


def error_message(response: requests.Response) -> str:
    """Return the human message of an error answer of Nova, Placement,
    Neutron or Keystone, or the start of its body."""
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason or "").strip()[
            :_MESSAGE_LIMIT]
    return _message_from_body(body) or str(body)[:_MESSAGE_LIMIT]


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


def from_response(response: requests.Response, service: str, call: str,
                  idempotent: bool) -> exception.CloudError:
    """Return the error for a non-2xx ``response`` of ``service``."""
    status = response.status_code
    kwargs: dict[str, Any] = dict(service=service, call=call, status=status,
                                  reason=error_message(response))
    if status == 404:
        return exception.CloudNotFound(**kwargs)
    if status == 409:
        return exception.CloudConflict(**kwargs)
    if 400 <= status < 500:
        return exception.CloudRefused(**kwargs)
    if idempotent or status in _NOT_PROCESSED:
        return exception.CloudUnavailable(retryable=True, **kwargs)
    return exception.CloudUnavailable(maybe_applied=True, **kwargs)


def from_transport(error: Exception, service: str, call: str,
                   idempotent: bool) -> exception.CloudError:
    """Return the error for an exception raised by keystoneauth."""
    kwargs: dict[str, Any] = dict(service=service, call=call,
                                  reason=str(error) or type(error).__name__)
    if isinstance(error, ksa_exc.HttpError):   # from auth or discovery
        status = error.http_status or 0
        kwargs["status"] = status
        if status == 404:
            return exception.CloudNotFound(**kwargs)
        if status == 409:
            return exception.CloudConflict(**kwargs)
        if 400 <= status < 500:
            return exception.CloudRefused(**kwargs)
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


def is_retryable(error: exception.CloudError) -> bool:
    """Whether ``error`` may be cured by asking again."""
    return bool(error.kwargs.get("retryable"))
