"""Priority of instances and the order they are planned and moved in.

Higher ``vmotion:priority`` runs first. Within a tier, bigger instances are
placed first (large items first packs better) and the name breaks ties, so
the order is total and the same on every run.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Protocol
from typing import TypeVar

from oslo_utils import strutils

from vmotiond.cloud import records

PRIORITY_KEY = "vmotion:priority"
EVACUATE_KEY = "vmotion:evacuate"


def priority_of(metadata: Mapping[str, str], default: int = 0) -> int:
    """Return the instance's priority tier; bad values give the default."""
    raw = metadata.get(PRIORITY_KEY)
    if raw is None:
        return default
    try:
        return int(str(raw).strip())
    except ValueError:
        return default


def opted_out(metadata: Mapping[str, str]) -> bool:
    """Whether ``vmotion:evacuate`` says the instance must not be moved."""
    raw = metadata.get(EVACUATE_KEY)
    if raw is None:
        return False
    return not strutils.bool_from_string(raw, default=True)


def sort_key(priority: int, server: records.Server
             ) -> tuple[int, int, int, int, str, str]:
    """Order: priority (high first), RAM, vCPUs, disk (big first), name."""
    return (-priority, -server.memory_mb, -server.vcpus, -server.disk_gb,
            server.name, server.id)


class HasPriority(Protocol):
    @property
    def server(self) -> records.Server: ...

    @property
    def priority(self) -> int: ...


T = TypeVar("T", bound=HasPriority)


def in_order(items: Iterable[T]) -> list[T]:
    """Return intents (anything with server and priority) in move order."""
    return sorted(items, key=lambda i: sort_key(i.priority, i.server))
