"""Inventory sync: copy what the cloud knows of each host into ``hosts``.

The host's UUID (its Nova compute node's, which Nova keeps stable and
which notifications carry as ``source_host_uuid``), management IP,
availability zone, logical CPUs, RAM and disk total/used, instance
count, the compute service's state and status (what ``GET /v1/hosts``
shows). New hosts appear; hosts the cloud no longer
reports are soft-deleted by the writer (``Database.hosts_sync``).

Written once for its three callers: the monitor's cycle every
``[monitor] sync_interval`` (``vmotiond.monitor.inventory``),
``vmotiond-manage host sync``, and the engine's ``host_sync`` RPC method
behind the console's "Sync from OpenStack".
"""

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from oslo_log import log as logging

from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records as cloud_records

LOG = logging.getLogger(__name__)


def inventory_items(services: Sequence[cloud_records.ComputeService],
                    capacities: Sequence[cloud_records.HostCapacity],
                    ) -> list[dict[str, Any]]:
    """Rows for ``hosts_sync``: one per nova-compute service (pure).

    A host with a service but no hypervisor yet gets zero capacity and
    keeps the uuid it had (none for a new host).
    """
    by_host = {c.host: c for c in capacities}
    items = []
    for svc in sorted(services, key=lambda s: s.host):
        item: dict[str, Any] = {
            "name": svc.host,
            "service_id": svc.id,
            "availability_zone": svc.zone,
            "service_state": svc.state,
            "service_status": svc.status,
            "forced_down": svc.forced_down,
            "disabled_reason": svc.disabled_reason,
            "last_heartbeat": svc.updated_at,
        }
        cap = by_host.get(svc.host)
        if cap is not None:
            item.update({
                "uuid": cap.hypervisor_id,
                "hypervisor_id": cap.hypervisor_id,
                "management_ip": cap.host_ip,
                "vcpus_total": cap.vcpus_total,
                "vcpus_used": cap.vcpus_used,
                "memory_mb_total": cap.memory_mb_total,
                "memory_mb_used": cap.memory_mb_used,
                "disk_gb_total": cap.disk_gb_total,
                "disk_gb_used": cap.disk_gb_used,
                "running_instances": cap.running_vms,
            })
        items.append(item)
    return items


# Writes the rows of ``inventory_items``; returns the counts of created,
# updated and deleted hosts.
Writer = Callable[[list[dict[str, Any]]], Mapping[str, int]]


def sync(cloud: cloud_base.Cloud, write: Writer) -> dict[str, int]:
    """Read the cloud once and make the hosts table match it (``write``).

    Returns counts of created, updated and deleted hosts. Raises the cloud's
    errors (``CloudUnavailable``...) without writing anything.
    """
    services = cloud.list_compute_services()
    capacities = cloud.list_host_capacities()
    counts = dict(write(inventory_items(services, capacities)))
    LOG.info("Inventory sync: %(created)s created, %(updated)s updated, "
             "%(deleted)s deleted", counts)
    return counts

