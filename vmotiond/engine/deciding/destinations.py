"""Which hosts may receive a selection of instances. Pure.

The operator's pages offer as the target of a custom migration only the
hosts the planner would accept: for each candidate, the plan of moving
the whole selection there (``planner.plan_custom`` with that host as the
destination, as ``CUSTOM_MIGRATION`` plans it) places every instance. A
host the plan leaves an instance off (its source, another zone, no room,
its server group's policy, not usable) is refused with the planner's
sentence.
"""

from collections.abc import Mapping
from collections.abc import Sequence

from vmotiond.cloud import records
from vmotiond.engine.deciding import intents
from vmotiond.engine.deciding import planner
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.deciding.records import ServerGroup
from vmotiond.engine.deciding.records import TargetHost


def refusals(servers: Sequence[records.Server],
             targets: Sequence[TargetHost], options: PlanOptions,
             mode: str = intents.MODE_AUTO,
             server_groups: Mapping[str, ServerGroup] | None = None
             ) -> dict[str, str | None]:
    """For each host of ``targets``, why the planner would not move all
    of ``servers`` (members of ``server_groups``) there (the first
    instance it leaves off), or None when it would place every one."""
    found: dict[str, str | None] = {}
    for target in targets:
        if target.unusable is not None:
            found[target.name] = target.unusable
            continue
        plan = planner.plan_custom(servers, (target,), options,
                                   destination=target.name, mode=mode,
                                   server_groups=server_groups)
        unplaced = plan.unplaced
        found[target.name] = None if not unplaced else "%s: %s" % (
            unplaced[0].server.name or unplaced[0].server.id,
            unplaced[0].message)
    return found
