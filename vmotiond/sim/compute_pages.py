"""Nova's pagination: the ``limit`` query parameter and the ``next`` link."""

from urllib import parse

from vmotiond.sim import errors
from vmotiond.sim import wsgi


def limit_of(ctx: wsgi.Context, max_limit: int) -> int:
    """The page size asked for, capped at ``max_limit``."""
    raw = ctx.query("limit")
    if raw is None:
        return max_limit
    try:
        limit = int(raw)
    except ValueError:
        raise errors.BadRequest("limit param must be an integer") from None
    if limit < 0:
        raise errors.BadRequest("limit param must be positive")
    return min(limit, max_limit)


def next_link(ctx: wsgi.Context, collection: str, marker: str
              ) -> list[dict[str, str]]:
    """The ``next`` link of a full page: the same query from ``marker``."""
    params = dict(sorted(ctx.request.GET.items()))
    params["marker"] = marker
    return [{"rel": "next", "href": "%s/%s?%s" % (
        ctx.url, collection, parse.urlencode(params))}]
