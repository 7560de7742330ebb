"""Microversions: the one list of versions and the header handling.

Clients ask with ``OpenStack-API-Version: instance-ha X.Y`` (or
``latest``); no header means the minimum, as in Masakari. A handler that
needs a newer version than asked answers 404, as Masakari does.
"""

from collections.abc import Callable
import re
from typing import Any
from typing import TypeVar

import webob

from vmotiond.api import errors
from vmotiond.api import util

SERVICE_TYPE = "instance-ha"
HEADER = "OpenStack-API-Version"

# One entry per version, oldest first; never remove one.
VERSIONS = [
    "1.0",  # Masakari v1: notifications list and show.
    "1.1",  # Notification show adds recovery_workflow_details.
    "1.2",  # Masakari's segment 'enabled' flag: no change here (no segments).
    "1.3",  # GET /v1/notifications/{id}/vmoves[/{id}] (Masakari's vmoves).
    "1.4",  # vmotiond's own: /v1/hosts, /v1/vmoves[/{id}[/steps]].
    "1.5",  # /v1/alerts[/{id}]: monitor alerts, refused messages.
    "1.6",  # /v1/operator/...: the operator's actions, Nova's instances.
    "1.7",  # POST /v1/operator/hosts/action (sync); notifications'
            # fenced_at; a notification's redo and reset (its vmoves).
    "1.8",  # /v1/hosts shows each host's uuid.
    "1.9",  # /v1/capacity: the failover headroom, read by the engine.
    "1.10",  # A vmove step's request_ids: the cloud's ids of its calls.
    "1.11",  # /v1/hosts: instances_total, instances_running, networks.
]

Version = tuple[int, int]
_VERSION_RE = re.compile(r"^([1-9]\d*)\.(0|[1-9]\d*)$")
F = TypeVar("F", bound=Callable[..., Any])


def parse(text: str) -> Version:
    """Return ``(major, minor)`` of ``X.Y``; raise ValueError otherwise."""
    match = _VERSION_RE.match(text.strip())
    if match is None:
        raise ValueError(text)
    return int(match.group(1)), int(match.group(2))


MIN_VERSION = parse(VERSIONS[0])
MAX_VERSION = parse(VERSIONS[-1])


def to_string(version: Version) -> str:
    return "%d.%d" % version


def requested(headers: Any) -> str | None:
    """Return what the header asks of ``instance-ha``, or None."""
    raw = headers.get(HEADER)
    if not raw:
        return None
    for item in raw.split(","):
        parts = item.split()
        if len(parts) == 2 and parts[0].lower() == SERVICE_TYPE:
            return str(parts[1])
    return None


def extract(req: webob.Request) -> Version:
    """Return the version ``req`` asks for; raise HTTPError 400/406."""
    asked = requested(req.headers)
    if asked is None:
        return MIN_VERSION
    if asked.lower() == "latest":
        return MAX_VERSION
    try:
        version = parse(asked)
    except ValueError:
        raise util.HTTPError(
            400, errors.MICROVERSION_INVALID,
            "Invalid microversion %r: use X.Y or latest, e.g. "
            "'%s: %s %s'." % (asked, HEADER, SERVICE_TYPE, VERSIONS[-1])
        ) from None
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise util.HTTPError(
            406, errors.MICROVERSION_UNSUPPORTED,
            "Version %s is not supported by the API. Minimum is %s and "
            "maximum is %s." % (asked, VERSIONS[0], VERSIONS[-1]))
    return version


def response_headers(version: Version) -> dict[str, str]:
    return {HEADER: "%s %s" % (SERVICE_TYPE, to_string(version)),
            "Vary": HEADER}


def version_handler(min_version: str) -> Callable[[F], F]:
    """Mark a handler as existing from ``min_version`` on."""
    minimum = parse(min_version)

    def decorator(func: F) -> F:
        func.min_version = minimum  # type: ignore[attr-defined]
        return func

    return decorator


def min_version_of(handler: Callable[..., Any]) -> Version:
    found: Version = getattr(handler, "min_version", MIN_VERSION)
    return found


def is_at_least(req: webob.Request, version: str) -> bool:
    current: Version = req.environ[util.ENV_VERSION]
    return current >= parse(version)
