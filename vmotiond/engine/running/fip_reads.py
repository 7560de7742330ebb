"""Floating IPs of the ports of instances that landed, read together.

After a move, ``rebind_floating_ips`` reads the floating IPs of its
instance's recorded ports. The instances a poll sees land go on at once,
so their reads meet: a read that finds none in progress is made at once,
alone; the reads that come while one is in progress wait for it, then
go together in one list call (``port_id`` repeated, at most ``CHUNK``
ports a call), made by the first of them. Each caller gets the floating
IPs of its own ports, as its own call would have answered; a failed call
fails every read it carried.
"""

from collections.abc import Iterable
import threading

from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records

# Ports per list call: about 47 bytes of URL each (``port_id=<uuid>&``).
CHUNK = 50


class _Read:
    def __init__(self, port_ids: list[str]) -> None:
        self.port_ids = port_ids
        self.result: list[records.FloatingIp] | Exception | None = None
        self.event = threading.Event()
        self.lead = False


class FipReads:
    """``list_floating_ips(port_ids)`` of ``cloud``, concurrent calls in
    one request."""

    def __init__(self, cloud: cloud_base.Cloud) -> None:
        self.cloud = cloud
        self._lock = threading.Lock()
        self._queue: list[_Read] = []
        self._busy = False

    def of_ports(self, port_ids: Iterable[str]) -> list[records.FloatingIp]:
        """The floating IPs bound to ``port_ids``."""
        read = _Read(sorted(set(port_ids)))
        if not read.port_ids:
            return []
        with self._lock:
            self._queue.append(read)
            lead = read.lead = not self._busy
            self._busy = True
        while True:
            if lead:
                self._lead()
            read.event.wait()
            if read.result is not None:
                break
            lead = read.lead
        if isinstance(read.result, Exception):
            raise read.result
        return read.result

    def _lead(self) -> None:
        """Read for what waits (up to CHUNK ports); hand the lead to the
        first read still waiting, if any."""
        with self._lock:
            batch: list[_Read] = []
            ports: set[str] = set()
            while self._queue and (not batch or len(
                    ports | set(self._queue[0].port_ids)) <= CHUNK):
                batch.append(self._queue.pop(0))
                ports.update(batch[-1].port_ids)
        result: list[records.FloatingIp] | Exception
        try:
            result = self.cloud.list_floating_ips(port_ids=sorted(ports))
        except Exception as exc:
            result = exc
        finally:
            with self._lock:
                if self._queue:
                    nxt = self._queue[0]
                    nxt.lead = True
                    nxt.event.set()
                else:
                    self._busy = False
        for read in batch:
            if isinstance(result, Exception):
                read.result = result
            else:
                mine = set(read.port_ids)
                read.result = [fip for fip in result if fip.port_id in mine]
            read.event.set()
