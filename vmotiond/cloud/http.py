"""One OpenStack service reached through its openstacksdk proxy.

Every request names its microversion, disables keystoneauth's own retries
(the ``Retrier`` owns retrying), carries the configured timeout, and turns
failures into ``vmotiond.exception`` errors through ``errors``. The endpoint
of the service is logged once, when first answered. A client made with
``optional=True`` (the network service) remembers that the cloud has no such
service the first time it finds out, logs it once, and from then on fails
every call at once with ``CloudServiceMissing``. A client ``retried_by``
another retrier shares what the first found out (adapter, endpoint, a
missing service), so each is discovered and logged once per connection.
"""

from collections.abc import Callable
import copy
import dataclasses
import os
import threading
from typing import Any
import urllib.parse

from keystoneauth1 import adapter as ksa_adapter
from keystoneauth1 import exceptions as ksa_exc
from openstack import exceptions as sdk_exc
from oslo_log import log as logging

from vmotiond import exception
from vmotiond import metrics
from vmotiond.cloud import errors
from vmotiond.cloud import retry

LOG = logging.getLogger(__name__)

# The header naming the service's id of a request, as in its logs.
REQUEST_ID = "x-openstack-request-id"


# An adapter, or a callable returning one: openstacksdk runs version
# discovery when a proxy is first taken, which must fail like a call.
AdapterSource = ksa_adapter.Adapter | Callable[[], ksa_adapter.Adapter]


_NETRC = ("~/.netrc", "~/_netrc")


def skip_environment(session: Any) -> bool:
    """Stop the requests session under ``session`` (keystoneauth's) from
    reading the environment on every request, which costs about as much
    CPU as the rest of a request's preparation, when what it would read
    can be read once: no proxy (any ``*_proxy``), no netrc file. A CA
    bundle in ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` becomes the
    session's ``verify`` when it would have been used (``verify`` is
    True). Return whether the environment is no longer read."""
    http = getattr(session, "session", None)
    if http is None:
        return False
    names = {name.upper() for name in os.environ}
    if any(name.endswith("_PROXY") for name in names) or \
            "NETRC" in names or \
            any(os.path.exists(os.path.expanduser(path))
                for path in _NETRC):
        return False
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or \
        os.environ.get("CURL_CA_BUNDLE")
    if bundle and getattr(session, "verify", None) is True:
        session.verify = bundle
    http.trust_env = False
    return True


@dataclasses.dataclass
class _Found:
    """What the clients of one service over one connection found out."""

    adapter: ksa_adapter.Adapter | None = None
    base: str | None = None         # the endpoint, once known
    missing: str | None = None      # why the service is absent
    announced: bool = False
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


class ApiClient:
    """JSON requests to one service, retried and with errors mapped."""

    def __init__(self, adapter: AdapterSource, service: str,
                 retrier: retry.Retrier, timeout: float,
                 microversion: str | None = None,
                 optional: bool = False,
                 pages_are_errors: bool = False) -> None:
        self._source = adapter
        self._found = _Found()
        self.service = service
        self.retrier = retrier
        self.timeout = timeout
        self.microversion = microversion
        self.optional = optional
        self.pages_are_errors = pages_are_errors

    def retried_by(self, retrier: retry.Retrier) -> "ApiClient":
        """This client with ``retrier``, sharing what it found out."""
        other = copy.copy(self)
        other.retrier = retrier
        return other

    @property
    def missing(self) -> str | None:
        """Why the service is absent; None while it is not known to be."""
        return self._found.missing

    def request(self, method: str, path: str, call: str, *,
                json: Any = None, params: Any = None,
                microversion: str | None = None,
                idempotent: bool = True) -> Any:
        """Send one request (retried) and return its decoded JSON body,
        or None when the answer has no body."""
        return self.exchange(method, path, call, json=json, params=params,
                             microversion=microversion,
                             idempotent=idempotent)[0]

    def act(self, method: str, path: str, call: str, *, json: Any = None,
            microversion: str | None = None,
            idempotent: bool = False) -> str | None:
        """Send a request that changes something (retried); return the
        service's id of the request answered (``x-openstack-request-id``),
        None when it gave none. The id is logged."""
        request_id = self.exchange(method, path, call, json=json,
                                   microversion=microversion,
                                   idempotent=idempotent)[1]
        LOG.info("%s %s accepted (request %s)", self.service, call,
                 request_id)
        return request_id

    def exchange(self, method: str, path: str, call: str, *,
                 json: Any = None, params: Any = None,
                 microversion: str | None = None,
                 idempotent: bool = True) -> tuple[Any, str | None]:
        """Send one request (retried); return its decoded JSON body (None
        when there is none) and its request id."""
        version = microversion or self.microversion
        what = "%s %s" % (self.service, call)
        if self.missing is not None:
            raise exception.CloudServiceMissing(
                service=self.service, call=call, reason=self.missing)

        def attempt() -> tuple[Any, str | None]:
            return self._send(method, path, call, json, params, version,
                              idempotent)

        try:
            answer: tuple[Any, str | None] = self.retrier.run(attempt, what)
            return answer
        except exception.CloudServiceMissing as error:
            if not self.optional:
                raise
            missing = error
        # Logged outside the handler: the log gets the cause, no traceback.
        self._remember_missing(str(missing.kwargs["reason"]))
        raise missing

    def _remember_missing(self, reason: str) -> None:
        found = self._found
        with found.lock:
            if found.missing is not None:
                return
            found.missing = reason
        LOG.warning("The cloud has no %s service (%s); vmotiond makes no %s "
                    "call until it restarts", self.service, reason,
                    self.service)

    def _announce(self) -> None:
        """Log the endpoint the first answer came from."""
        found = self._found
        if found.announced:
            return
        with found.lock:
            if found.announced:
                return
            found.announced = True
        try:
            endpoint = self.adapter.get_endpoint()
        except (ksa_exc.ClientException, AttributeError):
            return
        LOG.info("%s endpoint in use: %s", self.service, endpoint)

    def endpoint(self) -> str | None:
        """The service's endpoint (no trailing slash), None when it
        cannot be told (no such service, discovery failing...)."""
        try:
            return str(self.adapter.get_endpoint()).rstrip("/")
        except (ksa_exc.ClientException, sdk_exc.SDKException,
                AttributeError):
            return None

    @property
    def adapter(self) -> ksa_adapter.Adapter:
        """The service's adapter, taken (and discovered) on first use."""
        if self._found.adapter is not None:
            return self._found.adapter
        source = self._source
        adapter: ksa_adapter.Adapter
        if callable(source) and not hasattr(source, "request"):
            adapter = source()
        else:
            adapter = source  # type: ignore[assignment]
        self._found.adapter = adapter
        return adapter

    def _url(self, adapter: ksa_adapter.Adapter, path: str) -> str:
        """``path`` under the service's endpoint, found in the catalog
        once (keystoneauth would look it up again for every request, a
        quarter of a request's CPU); ``path`` alone, for keystoneauth to
        place, while it is not known or is a template."""
        found = self._found
        if found.base is None:
            try:
                endpoint = adapter.get_endpoint()
            except (ksa_exc.ClientException, sdk_exc.SDKException,
                    AttributeError):
                endpoint = None
            if not isinstance(endpoint, str) or not endpoint or \
                    "%(" in endpoint:
                return path
            found.base = endpoint.rstrip("/")
        return "%s/%s" % (found.base, path.lstrip("/"))

    def get(self, path: str, call: str, params: Any = None,
            microversion: str | None = None) -> Any:
        return self.request("GET", path, call, params=params,
                            microversion=microversion)

    def list_paged(self, path: str, key: str, call: str,
                   params: dict[str, Any] | None = None,
                   microversion: str | None = None,
                   page_size: int | None = None) -> list[dict[str, Any]]:
        """Return every item of a list that may come in pages.

        Follows the ``<key>_links`` ``next`` link of Nova and Neutron by its
        ``marker``, re-asking ``path`` so a proxy's link prefix cannot
        mislead; each page is one (retried) request.
        """
        query: dict[str, Any] = dict(params or {})
        if page_size:
            query["limit"] = page_size
        items: list[dict[str, Any]] = []
        seen_markers: set[str] = set()
        while True:
            body = self.get(path, call, params=query,
                            microversion=microversion) or {}
            page = body.get(key) or []
            items.extend(page)
            marker = next_marker(body.get(key + "_links") or [])
            if not marker or not page or marker in seen_markers:
                return items
            seen_markers.add(marker)
            query["marker"] = marker

    def _send(self, method: str, path: str, call: str, json: Any,
              params: Any, microversion: str | None,
              idempotent: bool) -> tuple[Any, str | None]:
        kwargs: dict[str, Any] = dict(
            raise_exc=False, connect_retries=0, status_code_retries=0,
            timeout=self.timeout)
        if json is not None:
            kwargs["json"] = json
        if params:
            kwargs["params"] = params
        if microversion:
            kwargs["microversion"] = microversion
        LOG.debug("%s %s %s (microversion %s)", self.service, method, path,
                  microversion)
        try:
            adapter = self.adapter
            response = adapter.request(self._url(adapter, path), method,
                                       **kwargs)
        except ksa_exc.ClientException as error:
            metrics.CLOUD_ERRORS.labels(self.service, call,
                                        metrics.NO_STATUS).inc()
            raise errors.from_transport(error, self.service, call,
                                        idempotent) from error
        except sdk_exc.SDKException as error:
            raise errors.from_sdk(error, self.service, call) from error
        self._announce()
        if response.status_code >= 400:
            metrics.CLOUD_ERRORS.labels(self.service, call,
                                        str(response.status_code)).inc()
            raise errors.from_response(response, self.service, call,
                                       idempotent, self.pages_are_errors)
        request_id = response.headers.get(REQUEST_ID)
        if response.status_code == 204 or not response.content:
            return None, request_id
        try:
            return response.json(), request_id
        except ValueError:
            return None, request_id


def next_marker(links: list[dict[str, Any]]) -> str | None:
    """The ``marker`` of a list's ``next`` link, or None."""
    for link in links:
        if link.get("rel") == "next" and link.get("href"):
            query = urllib.parse.urlparse(link["href"]).query
            markers = urllib.parse.parse_qs(query).get("marker")
            if markers:
                return str(markers[-1])
    return None
