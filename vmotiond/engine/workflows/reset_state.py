"""Reset the state of chosen instances to ``active`` or ``error``.

Nova's ``os-resetState`` for one instance or a batch, recorded like a
move: a ``RESET_STATE`` notification whose payload is
``{"instances": [...], "state": "active" | "error"}`` and one vmove of type
``reset_state`` per instance with its one step ``reset_state:<state>``.
An instance Nova does not know is ``ignored``; one already in the state is
``succeeded`` with a step saying it was skipped.
"""

from typing import Any

from vmotiond import constants
from vmotiond.cloud import records
from vmotiond.db import models
from vmotiond.engine.deciding import names
from vmotiond.engine.deciding import ordering
from vmotiond.engine.deciding.records import IgnoredMove
from vmotiond.engine.deciding.records import Plan
from vmotiond.engine.deciding.records import PlannedMove
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.workflows import workflow

STATES = ("active", "error")


def payload(instances: list[str], state: str) -> dict[str, Any]:
    return {"instances": list(instances), "state": state}


def plan_reset(servers: list[records.Server], state: str,
               options: PlanOptions) -> Plan:
    """One reset per instance Nova knows; the others ignored (pure)."""
    if state not in STATES:
        raise ValueError("unknown state %s" % state)
    moves, ignored = [], []
    for server in servers:
        priority = ordering.priority_of(server.metadata,
                                        options.default_priority)
        if server.status == "DELETED" and server.host is None:
            ignored.append(IgnoredMove(
                server, None, constants.STATE_RESET, priority,
                names.IGNORE_STATE, "Nova does not know this instance "
                "(deleted?)"))
            continue
        moves.append(PlannedMove(
            server, server.host or "", server.host, constants.STATE_RESET,
            priority, (names.step_key(names.RESET_STATE, state),),
            state.upper()))
    return Plan(tuple(moves), tuple(ignored))


class ResetState(workflow.Workflow):
    """Runs ``RESET_STATE`` notifications."""

    kind = "state reset"

    def plan(self, notification: models.Notification) -> Plan:
        request = notification.payload or {}
        servers = [workflow.get_server(self.s.cloud, sid)
                   for sid in request.get("instances", ())]
        return plan_reset(servers, request.get("state", "error"),
                          self.s.options)
