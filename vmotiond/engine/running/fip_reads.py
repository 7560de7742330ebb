"""Floating IPs of the ports of instances that landed, read together.

After a move, ``rebind_floating_ips`` reads the floating IPs of its
instance's recorded ports. The instances a poll sees land go on at once,
so their reads meet; a ``combiner.Combiner`` makes the reads that meet
one list call (``port_id`` repeated, at most ``CHUNK`` ports a call).
Each caller gets the floating IPs of its own ports, as its own call would
have answered; a failed call fails every read it carried.
"""

from collections.abc import Iterable

from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records
from vmotiond.engine.running import combiner

# Ports per list call: about 47 bytes of URL each (``port_id=<uuid>&``).
CHUNK = 50


class FipReads:
    """``list_floating_ips(port_ids)`` of ``cloud``, concurrent calls in
    one request."""

    def __init__(self, cloud: cloud_base.Cloud) -> None:
        self.cloud = cloud
        self._reads: combiner.Combiner[
            list[str], list[records.FloatingIp]] = combiner.Combiner(
                self._read, take=_fitting)

    def of_ports(self, port_ids: Iterable[str]) -> list[records.FloatingIp]:
        """The floating IPs bound to ``port_ids``."""
        ports = sorted(set(port_ids))
        return self._reads.call(ports) if ports else []

    def _read(self, batch: list[list[str]]
              ) -> list[list[records.FloatingIp] | Exception]:
        ports = sorted(set().union(*batch))
        found = self.cloud.list_floating_ips(port_ids=ports)
        return [[fip for fip in found if fip.port_id in mine]
                for mine in map(set, batch)]


def _fitting(waiting: list[list[str]]) -> int:
    """How many of the ``waiting`` reads (oldest first) one call of at
    most CHUNK ports carries (the first, whatever its size)."""
    ports: set[str] = set()
    for count, mine in enumerate(waiting):
        if count and len(ports.union(mine)) > CHUNK:
            return count
        ports.update(mine)
    return len(waiting)
