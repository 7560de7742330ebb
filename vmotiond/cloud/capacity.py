"""Host capacity from Nova's hypervisors and Placement.

Nova's hypervisors API stopped reporting resources at microversion 2.88;
Placement is the truth for capacity and usage, with allocation ratios and
reserved amounts applied. Placement has no bulk endpoint for inventories
or usages (``/resource_providers/{uuid}/inventories`` and ``.../usages`` are
per provider; ``/usages`` sums per project). The only read that covers
every provider at once is ``GET /allocation_candidates``, whose
``provider_summaries`` (microversion >= 1.27) give each provider's
``capacity`` = (total - reserved) * allocation_ratio and ``used`` for every
resource class. It lists only providers with room for what is asked
(``VCPU:1``), so a full host is read alone, which costs two calls but only
for full hosts.

So one cycle in ``bulk`` mode is: hypervisors list (paginated), resource
providers list, allocation candidates, plus two calls per full host. Its
records are *effective*: ``*_total`` is the capacity with ratio and reserved
folded in, ``*_reserved`` is 0 and ``*_ratio`` 1.0; the ``*_free``
properties are exact. ``exact`` mode reads inventories and usages of every
provider (two calls per host) and reports raw totals, reserved and ratios.
"""

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from oslo_log import log as logging

from vmotiond import exception
from vmotiond.cloud import http
from vmotiond.cloud import records

LOG = logging.getLogger(__name__)

CLASSES = ("VCPU", "MEMORY_MB", "DISK_GB")
BULK = "bulk"
EXACT = "exact"

# (total, reserved, ratio, used) per resource class.
Amounts = dict[str, tuple[int, int, float, int]]


def amounts_from_summary(summary: Mapping[str, Any]) -> Amounts:
    """Effective amounts from one entry of ``provider_summaries``."""
    resources = summary.get("resources") or {}
    out: Amounts = {}
    for rc in CLASSES:
        res = resources.get(rc)
        if res:
            out[rc] = (int(res.get("capacity", 0)), 0, 1.0,
                       int(res.get("used", 0)))
    return out


def amounts_from_inventories(inventories: Mapping[str, Any],
                             usages: Mapping[str, Any]) -> Amounts:
    """Exact amounts from a provider's inventories and usages bodies."""
    out: Amounts = {}
    for rc in CLASSES:
        inv = inventories.get(rc)
        if inv:
            out[rc] = (int(inv.get("total", 0)), int(inv.get("reserved", 0)),
                       float(inv.get("allocation_ratio", 1.0)),
                       int(usages.get(rc, 0)))
    return out


def host_capacity(hypervisor: Mapping[str, Any],
                  amounts: Amounts) -> records.HostCapacity:
    """Join one hypervisor (microversion >= 2.53) and its amounts."""
    service = hypervisor.get("service") or {}
    cpu = amounts.get("VCPU", (0, 0, 1.0, 0))
    ram = amounts.get("MEMORY_MB", (0, 0, 1.0, 0))
    disk = amounts.get("DISK_GB", (0, 0, 1.0, 0))
    return records.HostCapacity(
        host=service.get("host") or hypervisor["hypervisor_hostname"],
        hypervisor_id=str(hypervisor["id"]),
        host_ip=hypervisor.get("host_ip"),
        vcpus_total=cpu[0], vcpus_reserved=cpu[1], cpu_allocation_ratio=cpu[2],
        vcpus_used=cpu[3],
        memory_mb_total=ram[0], memory_mb_reserved=ram[1],
        ram_allocation_ratio=ram[2], memory_mb_used=ram[3],
        disk_gb_total=disk[0], disk_gb_reserved=disk[1],
        disk_allocation_ratio=disk[2], disk_gb_used=disk[3],
        running_vms=int(hypervisor.get("running_vms") or 0),
    )


class CapacityReader:
    """Reads ``HostCapacity`` records with the fewest calls (see module)."""

    def __init__(self, compute: http.ApiClient, placement: http.ApiClient,
                 hypervisor_version: str, mode: str = BULK,
                 page_size: int | None = None) -> None:
        self.compute = compute
        self.placement = placement
        self.hypervisor_version = hypervisor_version
        self.mode = mode
        self.page_size = page_size

    def read(self) -> list[records.HostCapacity]:
        hypervisors = self.compute.list_paged(
            "os-hypervisors/detail", "hypervisors", "list hypervisors",
            microversion=self.hypervisor_version, page_size=self.page_size)
        body = self.placement.get("resource_providers",
                                  "list resource providers") or {}
        providers = {rp["name"]: rp for rp in body.get("resource_providers",
                                                       ())
                     if not rp.get("parent_provider_uuid")}
        summaries = self._summaries() if self.mode == BULK else {}
        out = []
        for hyp in hypervisors:
            rp = providers.get(hyp.get("hypervisor_hostname"))
            if rp is None:
                LOG.debug("Hypervisor %s has no resource provider yet",
                          hyp.get("hypervisor_hostname"))
                continue
            summary = summaries.get(rp["uuid"])
            amounts = (amounts_from_summary(summary) if summary is not None
                       else self._read_provider(rp["uuid"]))
            if amounts is not None:
                out.append(host_capacity(hyp, amounts))
        return out

    def _summaries(self) -> dict[str, Any]:
        try:
            body = self.placement.get(
                "allocation_candidates", "list allocation candidates",
                params={"resources": "VCPU:1"}) or {}
        except exception.CloudNotFound:
            LOG.warning("Placement has no allocation candidates; reading "
                        "providers one by one")
            return {}
        return dict(body.get("provider_summaries") or {})

    def _read_provider(self, uuid: str) -> Amounts | None:
        get: Callable[[str, str], Any] = self.placement.get
        try:
            inv = get("resource_providers/%s/inventories" % uuid,
                      "get inventories") or {}
            use = get("resource_providers/%s/usages" % uuid,
                      "get usages") or {}
        except exception.CloudNotFound:
            LOG.debug("Resource provider %s went away", uuid)
            return None
        return amounts_from_inventories(inv.get("inventories") or {},
                                        use.get("usages") or {})
