"""Failover headroom, read from the cloud: ``capacity check``.

Gathers once what ``deciding.headroom.check`` needs (Nova's compute
services, Placement's capacities, the hosts table, every instance, every
server group, every host aggregate: six reads, whatever the number of
hosts; then one read per distinct image of the instances; aggregates and
images the cloud fails to give are unknown, as in a recovery's plan) and
returns its verdict, or a plain, JSON-safe view of it for
``vmotiond-manage capacity check``, ``GET /v1/capacity`` and the engine's
periodic check.
"""

from typing import Any

from vmotiond import clock as clock_mod
from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import images
from vmotiond.db import api as db_api
from vmotiond.engine.deciding import headroom
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.workflows import workflow


def check(db: db_api.Database, cloud: cloud_base.Cloud,
          options: PlanOptions) -> headroom.Headroom:
    """Whether the loss of each compute host could be absorbed now."""
    capacities = {c.host: c for c in cloud.list_host_capacities()}
    rows = {r.name: r for r in db.host_list()}
    facts = [workflow.facts_of(s, rows.get(s.host), capacities.get(s.host))
             for s in cloud.list_compute_services()]
    servers = cloud.list_servers()
    doing = "checking the failover headroom"
    return headroom.check(facts, servers, cloud.list_server_groups(),
                          options, workflow.aggregates(cloud, doing),
                          images.read(cloud, servers, doing))


def view(found: headroom.Headroom, clock: clock_mod.Clock
         ) -> dict[str, Any]:
    """``found`` as plain data: the verdict first, then every host."""
    now = clock.now()
    return {
        "checked_at": now.isoformat(sep=" ", timespec="seconds"),
        "survives_largest": found.survives_largest,
        "largest_host": found.largest,
        "unabsorbable": list(found.unabsorbable),
        "hosts": [{
            "host": h.host, "zone": h.zone, "role": h.role,
            "absorbable": h.absorbable, "instances": h.moved,
            "memory_mb": h.memory_mb, "vcpus": h.vcpus,
            "disk_gb": h.disk_gb,
            "unplaced": [{"instance_uuid": i.server.id,
                          "instance_name": i.server.name,
                          "reason": i.reason, "message": i.message}
                         for i in h.unplaced]} for h in found.losses]}
