"""The REST client of the plugin: vmotiond's ``/v1`` over OSC's session.

The endpoint is the ``instance-ha`` entry of the Keystone catalog (the one
Masakari's clients use); every request carries the microversion as
``OpenStack-API-Version: instance-ha X.Y``. Of the plugin's imports this
one module touches HTTP, through the keystoneauth1 session OSC made.
"""

from collections.abc import Iterable
from collections.abc import Sequence
import re
from typing import Any
from urllib import parse

SERVICE_TYPE = "instance-ha"
HEADER = "OpenStack-API-Version"
# The version the plugin's commands exist from (hosts, vmoves, steps).
MIN_VERSION = "1.4"
_VERSION_RE = re.compile(r"^([1-9]\d*)\.(0|[1-9]\d*)$")

Query = Sequence[tuple[str, str]]


class ClientError(Exception):
    """An answer the command cannot use, with the API's own message."""


def parse_version(text: str) -> tuple[int, int]:
    """Return ``(major, minor)`` of ``X.Y``; raise ClientError."""
    match = _VERSION_RE.match(text.strip())
    if match is None:
        raise ClientError("Invalid vmotiond API version %r: use X.Y, "
                          "e.g. %s." % (text, MIN_VERSION))
    return int(match.group(1)), int(match.group(2))


def api_root(endpoint: str) -> str:
    """Return the ``.../v1`` URL of a catalog endpoint.

    The catalog may name the API's root (``http://h:15868``), its ``/v1``
    or, as Masakari's entries do, ``/v1/<project_id>``; the plugin's paths
    follow ``/v1``.
    """
    parts = parse.urlsplit(endpoint)
    segments = [s for s in parts.path.split("/") if s]
    if "v1" in segments:
        segments = segments[:segments.index("v1") + 1]
    else:
        segments.append("v1")
    return parse.urlunsplit((parts.scheme, parts.netloc,
                             "/" + "/".join(segments), "", ""))


def sort_query(sort: str | None) -> list[tuple[str, str]]:
    """Turn ``key[:dir],...`` into repeated ``sort_key``/``sort_dir``.

    A key without a direction sorts descending, the API's default; each
    key gets its direction so none borrows another's.
    """
    if not sort:
        return []
    keys: list[tuple[str, str]] = []
    dirs: list[tuple[str, str]] = []
    for item in sort.split(","):
        key, _sep, direction = item.strip().partition(":")
        if not key:
            raise ClientError("Invalid --sort %r: use key[:asc|desc],..."
                              % sort)
        keys.append(("sort_key", key))
        dirs.append(("sort_dir", direction or "desc"))
    return keys + dirs


def filters(**values: str | Iterable[str] | None) -> list[tuple[str, str]]:
    """The query of the filters given (a list repeats its parameter)."""
    query: list[tuple[str, str]] = []
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, str):
            query.append((name, value))
        else:
            query.extend((name, v) for v in value)
    return query


def require(version: str, minimum: str, what: str) -> None:
    """Refuse a command the asked version does not have yet."""
    if parse_version(version) < parse_version(minimum):
        raise ClientError(
            "%s needs vmotiond API version %s or later, not %s "
            "(--os-vmotiond-api-version, OS_VMOTIOND_API_VERSION)."
            % (what, minimum, version))


def error_message(status: int, body: Any, text: str) -> str:
    """The API's fault message (``{"kind": {"message": ...}}``)."""
    if isinstance(body, dict) and len(body) == 1:
        fault = next(iter(body.values()))
        if isinstance(fault, dict) and fault.get("message"):
            return "%s (HTTP %d)" % (fault["message"], status)
    return "HTTP %d: %s" % (status, text.strip()[:200] or "no body")


class Client:
    """GETs on vmotiond's API at one microversion."""

    def __init__(self, session: Any, version: str,
                 interface: str | None = None,
                 region_name: str | None = None) -> None:
        parse_version(version)
        self.session = session
        self.version = version
        self.interface = interface
        self.region_name = region_name
        self._root: str | None = None

    @property
    def root(self) -> str:
        if self._root is None:
            endpoint = self.session.get_endpoint(
                service_type=SERVICE_TYPE, interface=self.interface,
                region_name=self.region_name)
            if not endpoint:
                raise ClientError(
                    "No %s endpoint in the catalog (interface %s, region "
                    "%s)." % (SERVICE_TYPE, self.interface,
                              self.region_name))
            self._root = api_root(str(endpoint))
        return self._root

    def get(self, path: str, query: Query = (),
            url: str | None = None) -> Any:
        """GET ``path`` under ``/v1`` (or ``url``) and return its JSON."""
        headers = {HEADER: "%s %s" % (SERVICE_TYPE, self.version),
                   "Accept": "application/json"}
        response = self.session.get(
            url or self.root + path, headers=headers,
            params=list(query) or None, raise_exc=False)
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or body is None:
            raise ClientError(error_message(response.status_code, body,
                                            response.text))
        return body

    def list(self, path: str, name: str, query: Query = (),
             follow: bool = True) -> list[dict[str, Any]]:
        """The items of a list, with every next page when ``follow``."""
        body = self.get(path, query)
        items: list[dict[str, Any]] = list(body[name])
        while follow:
            links = body.get(name + "_links") or []
            nexts = [link["href"] for link in links
                     if link.get("rel") == "next"]
            if not nexts:
                break
            body = self.get(path, url=nexts[0])
            if not body[name]:
                break
            items.extend(body[name])
        return items

    def one(self, path: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self.get(path)[name]
        return found

    @staticmethod
    def quote(ident: str) -> str:
        return parse.quote(ident, safe="")
