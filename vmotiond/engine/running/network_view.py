"""The floating IPs of a notification's instances, read a chunk at a time.

A ``record_floating_ips`` step asks Neutron for its instance's ports and
their floating IPs: two requests per instance. A notification's steps
instead share one ``NetworkView``: the first step of a chunk of
``CHUNK`` instances (in the order the jobs run) reads the ports of the
whole chunk in one list call (``device_id`` repeated) and their floating
IPs in another, and every step of the chunk takes its instance's part,
once. Each chunk is read when its first step asks, just before its
instances move, not when the notification starts. A read that fails
(Neutron down, no network service) leaves each step of the chunk to read
its own, as without a view.
"""

from collections.abc import Iterable
import threading
from typing import Any

from oslo_log import log as logging

from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.engine.running import fip_reads

LOG = logging.getLogger(__name__)

# Instances per read: about 47 bytes of URL each (``device_id=<uuid>&``).
CHUNK = 50

# Ports (id -> fixed IPs) and floating IPs (id -> record) of one instance.
Bound = tuple[dict[str, list[str]], dict[str, dict[str, Any]]]


class _Chunk:
    def __init__(self, server_ids: list[str]) -> None:
        self.server_ids = server_ids
        self.lock = threading.Lock()
        self.bound: dict[str, Bound] | None = None
        self.tried = False


class NetworkView:
    """The ports and floating IPs of ``server_ids``, read chunk by chunk."""

    def __init__(self, cloud: cloud_base.Cloud,
                 server_ids: Iterable[str]) -> None:
        self.cloud = cloud
        # After the moves: the floating IPs of their ports, read together.
        self.fips = fip_reads.FipReads(cloud)
        ids = list(dict.fromkeys(server_ids))
        self.chunks: dict[str, _Chunk] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = _Chunk(ids[start:start + CHUNK])
            for server_id in chunk.server_ids:
                self.chunks[server_id] = chunk

    def take(self, server_id: str) -> Bound | None:
        """The instance's ports and floating IPs as its chunk was read,
        once; None when the view does not know it, has given it already,
        or could not read its chunk (the step then reads its own)."""
        chunk = self.chunks.pop(server_id, None)
        if chunk is None:
            return None
        with chunk.lock:
            if not chunk.tried:
                chunk.tried = True
                chunk.bound = self._read(chunk.server_ids)
            if chunk.bound is None:
                return None
            return chunk.bound.pop(server_id, None)

    def _read(self, server_ids: list[str]) -> dict[str, Bound] | None:
        try:
            ports = self.cloud.list_ports_of(server_ids)
            by_port: dict[str, list[dict[str, Any]]] = {}
            if ports:
                for fip in self.cloud.list_floating_ips(
                        port_ids=sorted(p.id for p in ports)):
                    by_port.setdefault(fip.port_id or "", []).append(
                        {"id": fip.id, "address": fip.address,
                         "port_id": fip.port_id, "fixed_ip": fip.fixed_ip})
        except exception.CloudError as exc:
            LOG.info("Floating IPs of %d instance(s) not read together "
                     "(%s); each reads its own", len(server_ids), exc)
            return None
        bound: dict[str, Bound] = {sid: ({}, {}) for sid in server_ids}
        for port in ports:
            if port.device_id not in bound:
                continue
            owned, fips = bound[port.device_id]
            owned[port.id] = list(port.fixed_ips)
            for record in by_port.get(port.id, []):
                fips[record["id"]] = record
        return bound
