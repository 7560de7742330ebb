"""How the engine records plans and reads them back (over ``db.api``).

A vmove row has no column for its steps, so each vmove's plan (its step
keys, the status it should end in, its order) is kept in a first pseudo-step
named ``plan`` that succeeds at once. The vmoves are written together in one
transaction before anything moves; each one's plan step is written by the
worker that runs it, right before its first call to the cloud (so the first
moves need not wait for a hundred small writes). A vmove found without it on
resume had no call made for it yet, and is planned again from the instance
as it is.
"""

from collections.abc import Mapping
import dataclasses
from typing import Any

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond.db import api as db_api
from vmotiond.engine import names
from vmotiond.engine.plan import Plan


@dataclasses.dataclass(frozen=True)
class MoveSpec:
    """A vmove's plan as stored: steps, order, final status."""

    steps: tuple[str, ...]
    order: int
    final_status: str | None = None
    original_status: str | None = None
    ignored_reason: str | None = None

    def to_context(self) -> dict[str, Any]:
        return {"steps": list(self.steps), "order": self.order,
                "final_status": self.final_status,
                "original_status": self.original_status,
                "ignored_reason": self.ignored_reason}

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> "MoveSpec":
        return cls(steps=tuple(context.get("steps") or ()),
                   order=int(context.get("order", 0)),
                   final_status=context.get("final_status"),
                   original_status=context.get("original_status"),
                   ignored_reason=context.get("ignored_reason"))


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

    Moves are ``pending``; ignored instances are ``ignored`` with their
    message and end time (and, when they found no target, a plan step
    saying so). Each vmove names its instance's project from the start.
    Return the moves' plans by vmove uuid, not yet stored.
    """
    now = clock.now()
    values: list[dict[str, Any]] = []
    for move in plan.moves:
        values.append({"instance_uuid": move.server.id,
                       "instance_name": move.server.name,
                       "source_host": move.source_host,
                       "dest_host": move.dest_host,
                       "type": move.move_type,
                       "priority": move.priority,
                       "project_id": move.server.project_id or None,
                       "status": constants.PENDING})
    for item in plan.ignored:
        values.append({"instance_uuid": item.server.id,
                       "instance_name": item.server.name,
                       "source_host": item.source_host,
                       "type": item.move_type,
                       "priority": item.priority,
                       "project_id": item.server.project_id or None,
                       "status": constants.IGNORED,
                       "message": item.message,
                       "start_time": now, "end_time": now})
    rows = db.vmoves_create(notification_uuid, values)
    specs = {}
    for order, (row, move) in enumerate(zip(rows[:len(plan.moves)],
                                            plan.moves, strict=True)):
        specs[row.uuid] = MoveSpec(move.steps, order, move.final_status,
                                   move.server.status)
    for row, item in zip(rows[len(plan.moves):], plan.ignored,
                         strict=True):
        if item.reason in names.UNPLACED_REASONS:
            _write_spec(db, row.uuid, {"steps": [], "order": -1,
                                       "ignored_reason": item.reason})
    return specs


def _write_spec(db: db_api.Database, vmove_uuid: str,
                spec: Mapping[str, Any]) -> None:
    step = db.step_start(vmove_uuid, names.PLAN, context=spec)
    db.step_finish(step.id, constants.SUCCEEDED,
                   result="%d step(s) planned" % len(spec.get("steps", ())),
                   context=spec)


def write_spec(db: db_api.Database, vmove_uuid: str,
               spec: Mapping[str, Any]) -> None:
    """Store the plan of one vmove (re-planned on resume)."""
    _write_spec(db, vmove_uuid, spec)


def read_steps(db: db_api.Database, vmove_uuid: str
               ) -> tuple[MoveSpec | None, list[StepRecord]]:
    """Return a vmove's stored plan (None if missing) and its steps."""
    spec = None
    done = []
    for row in db.step_list(vmove_uuid):
        if row.name == names.PLAN:
            if row.status == constants.SUCCEEDED:
                spec = MoveSpec.from_context(row.context or {})
            continue
        done.append(StepRecord(row.name, row.status, row.result,
                               row.context or {}))
    return spec, done
