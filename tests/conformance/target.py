"""What a conformance scenario needs from the cloud it runs against.

A target is a cloud reachable through openstacksdk plus the levers a test
pulls outside the API: boot a server on a host, bring it to a state,
kill or revive a host. ``tests/conformance/nova`` implements it over a
real Nova (its functional fixtures, fake virt driver) and
``tests/conformance/sim`` over the simulator served on loopback HTTP.
"""

from collections.abc import Callable
import datetime
import threading
import time
from typing import Any
from typing import TypeVar

from openstack import connection

from vmotiond import clock

T = TypeVar("T")

# States a scenario can ask for; each target reaches them its own way.
STATES = ("stopped", "rescued", "paused", "suspended", "shelved")


class Target:
    """Base of the targets; subclasses fill in every ``NotImplemented``."""

    #: Names of the compute hosts, all up and enabled at the start; >= 3.
    hosts: tuple[str, ...] = ()
    #: Seconds after the last heartbeat when Nova reports a service down.
    service_down_time: float = 0.0
    #: Availability zone of the hosts.
    zone: str = "nova"

    def connection(self) -> connection.Connection:
        """An openstacksdk connection with the admin role."""
        raise NotImplementedError

    def connection_without_network(self) -> "connection.Connection":
        """A connection shaped like a clouds.yaml with ``auth_type: none``
        and endpoint overrides for compute and Placement only: openstacksdk
        then sends network calls to the compute URL."""
        raise NotImplementedError

    def boot(self, host: str, name: str = "conformance",
             state: str | None = None) -> str:
        """Boot a server on ``host``, wait until ACTIVE or, if ``state``
        is given, until in that one of ``STATES``; return its id."""
        raise NotImplementedError

    def boot_special(self, host: str, extra_specs: dict[str, str],
                     volume_backed: bool) -> str:
        """Boot an ACTIVE server on ``host`` with a flavor of its own
        (1 vCPU, 512 MB, 5 GB root disk, no ephemeral disk) holding
        ``extra_specs``, from a volume when ``volume_backed``; return its
        id."""
        raise NotImplementedError

    def kill(self, host: str) -> None:
        """Stop the host's nova-compute: heartbeats end, servers stay."""
        raise NotImplementedError

    def revive(self, host: str) -> None:
        """Start the host's nova-compute again."""
        raise NotImplementedError

    def fail_evacuations(self) -> None:
        """From now on, the rebuild of every evacuation fails on its
        destination host (the hypervisor cannot spawn it)."""
        raise NotImplementedError

    def now(self) -> datetime.datetime:
        """The time on the target's clock, naive UTC (a monitor's now)."""
        return clock.Clock().now()

    def wait_for(self, predicate: Callable[[], T], timeout: float,
                 what: str, interval: float = 0.1) -> T:
        """Poll ``predicate`` until it returns a true value; fail after
        ``timeout`` seconds. Targets with a clock of their own override
        it."""
        deadline = time.monotonic() + timeout
        pause = threading.Event()
        last: Any = None
        while True:
            last = predicate()
            if last:
                return last
            if time.monotonic() > deadline:
                raise AssertionError("timed out after %.1f s waiting for %s"
                                     % (timeout, what))
            pause.wait(interval)
