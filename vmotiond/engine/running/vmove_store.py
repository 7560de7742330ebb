"""How the engine records plans and reads them back (over ``db.api``).

A vmove's plan (its step keys, the status it should end in, its order) is
its ``plan`` column, written with the vmove itself: every vmove of a
notification is written in one transaction before anything moves. Its
steps in ``vmove_steps`` are the ones run.
"""

from collections.abc import Mapping
import dataclasses
from typing import Any

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond.db import api as db_api
from vmotiond.db import models
from vmotiond.engine.deciding import names
from vmotiond.engine.deciding.records import Plan


@dataclasses.dataclass(frozen=True)
class MoveSpec:
    """A vmove's plan: steps, order, final status (stored as the JSON of
    ``to_context`` in the vmove's ``plan`` column)."""

    steps: tuple[str, ...]
    order: int
    final_status: str | None = None
    original_status: str | None = None
    ignored_reason: str | None = None
    note: str | None = None         # said in its message, first and last

    def to_context(self) -> dict[str, Any]:
        return {"steps": list(self.steps), "order": self.order,
                "final_status": self.final_status,
                "original_status": self.original_status,
                "ignored_reason": self.ignored_reason,
                "note": self.note}

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> "MoveSpec":
        return cls(steps=tuple(context.get("steps") or ()),
                   order=int(context.get("order", 0)),
                   final_status=context.get("final_status"),
                   original_status=context.get("original_status"),
                   ignored_reason=context.get("ignored_reason"),
                   note=context.get("note"))


@dataclasses.dataclass(frozen=True)
class StepRecord:
    """A finished step of a vmove as the runner resumes from it."""

    key: str
    status: str
    result: str | None
    context: Mapping[str, Any]


def write_plan(db: db_api.Database, clock: clock_mod.Clock,
               notification_uuid: str, plan: Plan) -> dict[str, MoveSpec]:
    """Write one vmove per planned or ignored instance in one transaction.

    Moves are ``pending`` with their plan; ignored instances are
    ``ignored`` with their message and end time (and, when they found no
    target, a plan without steps saying so). Each vmove names its
    instance's project from the start. Return the moves' plans by vmove
    uuid.
    """
    now = clock.now()
    specs = [MoveSpec(move.steps, order, move.final_status,
                      move.server.status, note=move.note)
             for order, move in enumerate(plan.moves)]
    values: list[dict[str, Any]] = []
    for move, spec in zip(plan.moves, specs, strict=True):
        values.append({"instance_uuid": move.server.id,
                       "instance_name": move.server.name,
                       "source_host": move.source_host,
                       "dest_host": move.dest_host,
                       "type": move.move_type,
                       "priority": move.priority,
                       "project_id": move.server.project_id or None,
                       "status": constants.PENDING,
                       "message": move.note,
                       "plan": spec.to_context()})
    for item in plan.ignored:
        unplaced = item.reason in names.UNPLACED_REASONS
        values.append({"instance_uuid": item.server.id,
                       "instance_name": item.server.name,
                       "source_host": item.source_host,
                       "type": item.move_type,
                       "priority": item.priority,
                       "project_id": item.server.project_id or None,
                       "status": constants.IGNORED,
                       "message": item.message,
                       "start_time": now, "end_time": now,
                       "plan": MoveSpec((), -1, ignored_reason=item.reason)
                       .to_context() if unplaced else None})
    uuids = db.vmoves_insert(notification_uuid, values)
    return dict(zip(uuids[:len(specs)], specs, strict=True))


def plan_of(row: models.VMove) -> MoveSpec | None:
    """A vmove's stored plan; None if it has none."""
    return None if row.plan is None else MoveSpec.from_context(row.plan)


def read_steps(db: db_api.Database, vmove_uuid: str) -> list[StepRecord]:
    """The steps a vmove ran, in the order they began."""
    return [StepRecord(row.name, row.status, row.result, row.context or {})
            for row in db.step_list(vmove_uuid)]
