"""Custom migration: chosen instances to a chosen host, live or cold.

The notification's payload::

    {"instances": ["<uuid>", ...],
     "destination": "compute-2" | "*" | null,   # "*": Nova's scheduler
     "mode": "auto" | "live" | "cold"}           # auto: by the state

``destination`` null lets the planner choose (standby first, then the
weighted score), as a drain does. A named host is checked for every
instance like any target (up, enabled or standby, in the instance's zone,
room for it, its server group's policy); an instance that does not fit
it, or whose state Nova refuses for the kind of move (a rescued instance
cannot live-migrate), is ``ignored`` with the reason and never tried.
"""

from typing import Any

from vmotiond.db import models
from vmotiond.engine.deciding import intents
from vmotiond.engine.deciding import planner
from vmotiond.engine.deciding.records import Plan
from vmotiond.engine.workflows import server_groups
from vmotiond.engine.workflows import workflow


def payload(instances: list[str], destination: str | None,
            mode: str) -> dict[str, Any]:
    """The stored request of a custom migration."""
    return {"instances": list(instances), "destination": destination,
            "mode": mode}


class CustomMigration(workflow.Workflow):
    """Runs ``CUSTOM_MIGRATION`` notifications."""

    kind = "custom migration"

    def plan(self, notification: models.Notification) -> Plan:
        request = notification.payload or {}
        servers = [workflow.get_server(self.s.cloud, sid)
                   for sid in request.get("instances", ())]
        servers, groups = server_groups.of_servers(self.s.cloud, servers)
        targets = workflow.targets(self.s.db, self.s.cloud, {})
        return planner.plan_custom(
            servers, targets, self.s.options,
            destination=request.get("destination"),
            mode=request.get("mode", intents.MODE_AUTO),
            server_groups=groups)
