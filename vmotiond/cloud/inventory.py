"""Inventory sync: copy what the cloud knows of each host into ``hosts``.

The host's UUID (its Nova compute node's, which Nova keeps stable and
which notifications carry as ``source_host_uuid``), management IP,
availability zone, logical CPUs, RAM and disk total/used, the compute
service's state and status, its instances (total and running) and its
networks (what ``GET /v1/hosts`` shows). New hosts appear; hosts the
cloud no longer reports are soft-deleted by the writer
(``Database.hosts_sync``).

Instances are counted from one paged listing of every project's servers
(``GET /servers/detail?all_tenants``: Nova has no per-host count since
the hypervisors' ``running_vms`` left at microversion 2.88, and no field
selection on servers): ``instances_total`` is every server whose
``OS-EXT-SRV-ATTR:host`` is the host, whatever its state;
``instances_running`` those whose status is ``ACTIVE`` (Nova's vm_state
``active``: the guest is meant to run; a guest that stops by itself is
made ``SHUTOFF`` by nova-compute's power-state sync). ``running_instances``
keeps the hypervisor's ``running_vms`` for API versions before 1.11.

Networks come from Neutron's agents (one ``GET /v2.0/agents``): per host,
each agent's ``tunneling_ip``, ``bridge_mappings`` and
``interface_mappings``. A cloud without a network service (or without the
agents extension) gives every host an empty list: its management IP is
all there is. When the agents cannot be read now (Neutron down, refused),
the sync goes on and each host keeps the networks it had.

Written once for its three callers: the monitor every ``[monitor]
sync_interval`` (``vmotiond.monitor.inventory``), ``vmotiond-manage host
sync``, and the engine's ``host_sync`` RPC method behind the console's
"Sync from OpenStack". The monitor syncs without counting (``count=False``)
and counts in a thread of its own (``count``): listing every server takes
seconds in a large cloud, and its poll cycle must not wait for it. Servers
that cannot be listed leave each host's counts as they were.
"""

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from oslo_log import log as logging

from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records as cloud_records

LOG = logging.getLogger(__name__)

RUNNING = "ACTIVE"
# What an agent's configurations say of the host's networks.
NETWORK_KEYS = ("tunneling_ip", "bridge_mappings", "interface_mappings")


def instance_counts(servers: Iterable[cloud_records.Server]
                    ) -> dict[str, tuple[int, int]]:
    """Per host, its servers' (total, running) counts (pure); servers on
    no host (never scheduled, shelved offloaded) are counted nowhere."""
    counts: dict[str, tuple[int, int]] = {}
    for server in servers:
        if not server.host:
            continue
        total, running = counts.get(server.host, (0, 0))
        counts[server.host] = (total + 1,
                               running + (server.status == RUNNING))
    return counts


def host_networks(agents: Iterable[cloud_records.NetworkAgent]
                  ) -> dict[str, list[dict[str, Any]]]:
    """Per host, one entry per agent that reports networks: its type and
    the ``NETWORK_KEYS`` it has, set (pure); sorted by type."""
    found: dict[str, list[dict[str, Any]]] = {}
    for agent in agents:
        conf = agent.configurations
        networks = {key: conf[key] for key in NETWORK_KEYS if conf.get(key)}
        if agent.host and networks:
            found.setdefault(agent.host, []).append(
                {"agent_type": agent.agent_type, **networks})
    for entries in found.values():
        entries.sort(key=lambda entry: str(entry["agent_type"]))
    return found


def inventory_items(services: Sequence[cloud_records.ComputeService],
                    capacities: Sequence[cloud_records.HostCapacity],
                    counts: Mapping[str, tuple[int, int]] | None = None,
                    networks: Mapping[str, list[dict[str, Any]]] | None
                    = None) -> list[dict[str, Any]]:
    """Rows for ``hosts_sync``: one per nova-compute service (pure).

    A host with a service but no hypervisor yet gets zero capacity and
    keeps the uuid it had (none for a new host). ``counts`` are
    ``instance_counts``, ``networks`` ``host_networks``; either None keeps
    what each host has stored (no such keys).
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
        if counts is not None:
            total, running = counts.get(svc.host, (0, 0))
            item.update(instances_total=total, instances_running=running)
        if networks is not None:
            item["networks"] = networks.get(svc.host, [])
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


def sync(cloud: cloud_base.Cloud, write: Writer, *,
         count: bool = True) -> dict[str, int]:
    """Read the cloud once and make the hosts table match it (``write``);
    with ``count``, the hosts' instances too.

    Returns counts of created, updated and deleted hosts. Raises the cloud's
    errors (``CloudUnavailable``...) without writing anything.
    """
    services = cloud.list_compute_services()
    capacities = cloud.list_host_capacities()
    instances = read_counts(cloud) if count else None
    items = inventory_items(services, capacities, instances,
                            read_networks(cloud))
    counts = dict(write(items))
    LOG.info("Inventory sync: %(created)s created, %(updated)s updated, "
             "%(deleted)s deleted", counts)
    return counts


# Sets every host's (total, running) instance counts (hosts not named:
# none); returns how many hosts' counts changed (those it wrote).
CountWriter = Callable[[Mapping[str, tuple[int, int]]], int]


def count(cloud: cloud_base.Cloud, write: CountWriter) -> int | None:
    """Count every host's instances now and write them; None, with
    nothing written, when the servers cannot be listed."""
    counts = read_counts(cloud)
    return None if counts is None else write(counts)


def read_counts(cloud: cloud_base.Cloud
                ) -> dict[str, tuple[int, int]] | None:
    """``instance_counts`` of every server; None (keep the stored counts)
    when they cannot be listed now."""
    try:
        return instance_counts(cloud.list_servers())
    except exception.CloudError as error:
        LOG.warning("Hosts' instances not counted, kept as they were: %s",
                    error)
        return None


def read_networks(cloud: cloud_base.Cloud
                  ) -> dict[str, list[dict[str, Any]]] | None:
    """``host_networks`` of the cloud's agents: none when the cloud has no
    network service or no agents extension; None (keep the stored ones)
    when they cannot be read now."""
    try:
        return host_networks(cloud.list_network_agents())
    except (exception.CloudServiceMissing, exception.CloudNotFound) as error:
        LOG.debug("No network agents: %s", error)
        return {}
    except exception.CloudError as error:
        LOG.warning("Hosts' networks not read, kept as they were: %s", error)
        return None
