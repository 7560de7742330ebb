"""Query-string parsing: every bad value is a 400 with a clear message."""

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
import contextlib
import datetime
from typing import Any
from typing import TypeVar
from urllib.parse import urlencode
import uuid as uuidlib

from oslo_utils import timeutils
from oslo_utils import uuidutils
import webob

from vmotiond import exception
from vmotiond.api import errors
from vmotiond.api import util


class Query:
    """The query string of one request, checked against what is allowed."""

    def __init__(self, req: webob.Request, allowed: Iterable[str]) -> None:
        self._params = req.GET
        allowed = set(allowed)
        unknown = sorted(set(self._params.keys()) - allowed)
        if unknown:
            raise util.bad_request(
                "Unknown query parameter(s): %s. Allowed: %s."
                % (", ".join(unknown), ", ".join(sorted(allowed))),
                errors.QUERY_UNSUPPORTED)

    def one(self, name: str) -> str | None:
        """Return the single value of ``name``; 400 when repeated."""
        values = self._params.getall(name)
        if not values:
            return None
        if len(values) > 1:
            raise util.bad_request("Query parameter %s may be given once."
                                   % name)
        return str(values[0])

    def name(self, name: str) -> str | None:
        """Return a host or instance name filter; 400 if none could match.

        NUL and characters beyond the Basic Multilingual Plane are in no
        name Nova accepts, and some database connections cannot even
        compare them (MySQL utf8mb3, PostgreSQL and NUL).
        """
        value = self.one(name)
        if value is not None and not is_storable(value):
            raise util.bad_request(
                "Query parameter %s has characters no name can have."
                % name)
        return value

    def choices(self, name: str, allowed: Iterable[str]) -> list[str] | None:
        """Return the values of ``name``, repeated or comma-separated."""
        raw = self._params.getall(name)
        if not raw:
            return None
        values = [v.strip() for item in raw for v in item.split(",")]
        allowed = tuple(allowed)
        bad = [v for v in values if v not in allowed]
        if bad:
            raise util.bad_request(
                "Invalid %s %r; expected one of: %s."
                % (name, bad[0], ", ".join(allowed)))
        return values

    def choice(self, name: str, allowed: Iterable[str]) -> str | None:
        value = self.one(name)
        allowed = tuple(allowed)
        if value is not None and value not in allowed:
            raise util.bad_request("Invalid %s %r; expected one of: %s."
                                   % (name, value, ", ".join(allowed)))
        return value

    def uuid(self, name: str) -> str | None:
        value = self.one(name)
        if value is not None and not uuidutils.is_uuid_like(value):
            raise util.bad_request("Query parameter %s=%r is not a UUID."
                                   % (name, value))
        return value

    def time(self, name: str) -> datetime.datetime | None:
        """Return an ISO 8601 time as naive UTC (no zone means UTC)."""
        value = self.one(name)
        if value is None:
            return None
        try:
            return timeutils.normalize_time(timeutils.parse_isotime(value))
        except (ValueError, OverflowError):
            raise util.bad_request(
                "Query parameter %s=%r is not an ISO 8601 time, e.g. "
                "2026-01-31T12:00:00Z." % (name, value)) from None

    def limit(self, max_limit: int) -> int:
        """Return the page size: ``limit`` capped at ``max_limit``."""
        value = self.one("limit")
        if value is None:
            return max_limit
        try:
            limit = int(value)
        except ValueError:
            raise util.bad_request("limit must be an integer, not %r."
                                   % value) from None
        if limit < 0:
            raise util.bad_request("limit must be 0 or more, not %d."
                                   % limit)
        return min(limit, max_limit)

    def marker(self) -> int | str | None:
        """Return the marker: the last item's UUID, or its integer id.

        openstacksdk pages with the integer ``id`` Masakari shows.
        """
        value = self.one("marker")
        if value is None:
            return None
        try:
            return ident(value)
        except exception.NotFound:
            raise util.bad_request(
                "Query parameter marker=%r is not a UUID or an id."
                % value) from None

    def sort(self, keys: Iterable[str], default_key: str = "created_at"
             ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return the sort keys and their directions, newest first by
        default; ``sort_key`` and ``sort_dir`` repeat as in Masakari (a
        key without a direction takes the first one)."""
        sort_keys = tuple(self._params.getall("sort_key"))
        sort_dirs = tuple(self._params.getall("sort_dir"))
        for name, values, allowed in (("sort_key", sort_keys, tuple(keys)),
                                      ("sort_dir", sort_dirs,
                                       ("asc", "desc"))):
            bad = [v for v in values if v not in allowed]
            if bad:
                raise util.bad_request("Invalid %s %r; expected one of: %s."
                                       % (name, bad[0], ", ".join(allowed)))
        repeated = sorted({k for k in sort_keys if sort_keys.count(k) > 1})
        if repeated:
            raise util.bad_request("sort_key %s is given more than once."
                                   % repeated[0])
        sort_keys = sort_keys or (default_key,)
        if len(sort_dirs) > len(sort_keys):
            raise util.bad_request(
                "sort_dir is given %d times for %d sort_key(s); give at "
                "most one sort_dir per sort_key, in the same order."
                % (len(sort_dirs), len(sort_keys)))
        return sort_keys, sort_dirs or ("desc",)


PAGING = ("limit", "marker", "sort_key", "sort_dir")

T = TypeVar("T")


def search(req: webob.Request, query: Query, sort_keys: Iterable[str],
           by_id: Callable[[int], Any], rows: Callable[..., list[T]]
           ) -> tuple[list[T], int]:
    """One page of a list and its limit: ``rows`` called with the sort,
    limit and marker ``query`` asks for (an unknown marker is a 400)."""
    sort_key, sort_dir = query.sort(sort_keys)
    limit = query.limit(util.conf(req).api.max_limit)
    with marker_errors():
        marker = marker_uuid(query.marker(), by_id)
        found = rows(sort_key=sort_key, sort_dir=sort_dir, limit=limit,
                     marker=marker)
    return found, limit


def next_link(req: webob.Request, items: list[dict[str, Any]],
              limit: int, marker_key: str) -> list[dict[str, str]] | None:
    """Return Nova-style ``*_links`` with the next page when this is full.

    openstacksdk follows the ``next`` link, so it pages by UUID.
    """
    if limit == 0 or len(items) < limit:
        return None
    params = [(k, v) for k, v in req.GET.items() if k not in
              ("marker", "limit")]
    params += [("limit", str(limit)), ("marker", str(items[-1][marker_key]))]
    url = req.host_url + req.script_name + req.path_info
    return [{"rel": "next", "href": "%s?%s" % (url, urlencode(params))}]


def page(req: webob.Request, name: str, items: list[dict[str, Any]],
         limit: int, marker_key: str) -> dict[str, Any]:
    """The body of a list: ``{name: items}``, with ``{name}_links`` when
    a next page may follow."""
    body: dict[str, Any] = {name: items}
    links = next_link(req, items, limit, marker_key)
    if links:
        body[name + "_links"] = links
    return body


@contextlib.contextmanager
def marker_errors() -> Iterator[None]:
    """Turn an unknown marker into a 400, as Masakari does."""
    try:
        yield
    except exception.NotFound as exc:
        if exc.kwargs.get("kind") != "Marker":
            raise
        raise util.bad_request(
            "Marker %s could not be found in this list."
            % exc.kwargs.get("ident"), errors.MARKER_NOT_FOUND) from None


def is_storable(text: str) -> bool:
    """Say whether ``text`` can be compared with stored names."""
    return "\x00" not in text and all(ord(c) <= 0xFFFF for c in text)


def marker_uuid(marker: int | str | None,
                by_id: Callable[[int], Any]) -> str | None:
    """Return the UUID of a marker given as UUID or as integer id."""
    if not isinstance(marker, int):
        return marker
    try:
        found: str = by_id(marker).uuid
    except exception.NotFound:
        raise exception.NotFound(kind="Marker", ident=marker) from None
    return found


def canonical_uuid(value: str | None) -> str | None:
    """A UUID as Nova writes them (lower case, with dashes), or None."""
    return None if value is None else str(uuidlib.UUID(value))


def by_ident(value: str, by_id: Callable[[int], T],
             by_uuid: Callable[[str], T]) -> T:
    """The row a path id names, by its integer id or its UUID."""
    key = ident(value)
    return by_id(key) if isinstance(key, int) else by_uuid(key)


def ident(value: str) -> int | str:
    """Return a path id as Masakari's integer id or as a UUID.

    openstacksdk sends the integer ``id`` of resource objects, users send
    UUIDs; anything else cannot name a row (404, as in Masakari).
    """
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    if uuidutils.is_uuid_like(value):
        return value
    raise exception.NotFound(kind="Resource", ident=value)
