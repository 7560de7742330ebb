"""Move back: return a recovered host's instances, the reverse of its last
evacuation.

The ``MOVE_BACK`` notification names the host and the evacuation
(``{"host": ..., "evacuation": "<COMPUTE_HOST notification uuid>"}``),
chosen when it is made, so a resume plans the same moves. For each vmove
that evacuated an instance off the host:

- the instance still runs where the evacuation put it, in the state it
  landed in: it goes back, by live migration if running, by cold
  migration and confirm if stopped;
- it was deleted, moved elsewhere since, or changed state: ``ignored``,
  with the reason.

Before planning, the host's fence is cleared as ``release.decide`` allows:
only when every vmove from or to the host is final and the monitor has it
healthy (``recovered`` or ``up``); its compute service is un-forced down,
enabled if vmotiond's fence disabled it, and waited for until Nova reports
it up. A service an operator disabled, or one ``[engine] leave_disabled``
keeps disabled, is left alone and nothing moves.
"""

from collections.abc import Mapping
from collections.abc import Sequence
import dataclasses
from typing import Any

from oslo_log import log as logging

from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records
from vmotiond.db import api as db_api
from vmotiond.db import models
from vmotiond.engine.deciding import eligibility
from vmotiond.engine.deciding import intents
from vmotiond.engine.deciding import names
from vmotiond.engine.deciding import ordering
from vmotiond.engine.deciding.records import IgnoredMove
from vmotiond.engine.deciding.records import MoveIntent
from vmotiond.engine.deciding.records import Plan
from vmotiond.engine.deciding.records import PlannedMove
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.running import batch as batch_mod
from vmotiond.engine.workflows import fence
from vmotiond.engine.workflows import release
from vmotiond.engine.workflows import workflow

LOG = logging.getLogger(__name__)

@dataclasses.dataclass(frozen=True)
class Evacuated:
    """An instance an evacuation moved off the host, and where to."""

    instance_uuid: str
    instance_name: str | None
    dest_host: str
    landed_status: str | None     # its status right after the evacuation
    priority: int = 0


def payload(host: str, evacuation: str, trigger: str) -> dict[str, Any]:
    return {"host": host, "evacuation": evacuation, "trigger": trigger}


def plan_move_back(host: str, evacuated: Sequence[Evacuated],
                   servers: Mapping[str, records.Server | None],
                   options: PlanOptions) -> Plan:
    """The reverse of an evacuation of ``host`` (pure).

    ``servers`` maps each instance to what Nova reports now (None: gone).
    """
    wanted: list[MoveIntent] = []
    ignored: list[IgnoredMove] = []
    for item in evacuated:
        server = servers.get(item.instance_uuid)

        def ignore(reason: str, message: str,
                   srv: records.Server | None = server,
                   it: Evacuated = item) -> None:
            ignored.append(IgnoredMove(
                srv or workflow.missing_server(it.instance_uuid,
                                              it.instance_name),
                srv.host if srv else it.dest_host, constants.MIGRATION,
                it.priority, reason, message))

        if server is None or (server.host is None
                              and server.status == "DELETED"):
            ignore(names.IGNORE_STATE, "deleted since the evacuation")
            continue
        if server.host == host:
            ignore(names.IGNORE_ALREADY_MOVED, "already back on host %s"
                   % host)
            continue
        if server.host != item.dest_host:
            ignore(names.IGNORE_ALREADY_MOVED, "moved since the evacuation: "
                   "on host %s, the evacuation put it on %s"
                   % (server.host, item.dest_host))
            continue
        if item.landed_status and server.status != item.landed_status:
            ignore(names.IGNORE_STATE, "changed state since the evacuation: "
                   "%s then, %s now" % (item.landed_status, server.status))
            continue
        decision = intents.planned_move(server, server.host, options)
        if isinstance(decision, IgnoredMove):
            ignored.append(decision)
        else:
            wanted.append(decision)
    moves = tuple(PlannedMove(i.server, i.source_host, host, i.move_type,
                              i.priority, i.steps, i.final_status)
                  for i in ordering.in_order(wanted))
    return Plan(moves, tuple(ignored))


def last_evacuation(db: db_api.Database, host: str
                    ) -> models.Notification | None:
    """The newest ended recovery of ``host`` that moved an instance."""
    for note in db.notification_list(host=host, type=constants.COMPUTE_HOST):
        if note.status not in batch_mod.DONE:
            continue
        for row in db.vmove_list(notification_uuid=note.uuid,
                                 status=(constants.SUCCEEDED,)):
            if row.type == constants.EVACUATION and row.source_host == host:
                return note
    return None


def evacuated(db: db_api.Database, evacuation_uuid: str, host: str
              ) -> list[Evacuated]:
    """The instances that evacuation moved off ``host``, in its order."""
    out = []
    for row in db.vmove_list(notification_uuid=evacuation_uuid,
                             status=(constants.SUCCEEDED,), sort_dir="asc"):
        if row.type != constants.EVACUATION or row.source_host != host \
                or not row.dest_host:
            continue
        out.append(Evacuated(row.instance_uuid, row.instance_name,
                             row.dest_host, _landed(db, row.uuid),
                             row.priority))
    return out


def _landed(db: db_api.Database, vmove_uuid: str) -> str | None:
    status = None
    for step in db.step_list(vmove_uuid):
        context = step.context or {}
        if step.status == constants.SUCCEEDED and context.get("status"):
            status = str(context["status"])
    return status


def build_plan(db: db_api.Database, cloud: cloud_base.Cloud,
               options: PlanOptions, host: str, evacuation_uuid: str
               ) -> Plan:
    """Read the evacuation and the instances now; plan (no side effect)."""
    items = evacuated(db, evacuation_uuid, host)
    servers: dict[str, records.Server | None] = {}
    for item in items:
        try:
            servers[item.instance_uuid] = cloud.get_server(
                item.instance_uuid)
        except exception.CloudNotFound:
            servers[item.instance_uuid] = None
    return plan_move_back(host, items, servers, options)


def health_problem(db: db_api.Database, service: records.ComputeService
                   ) -> str | None:
    """Why ``service``'s host may not take its instances back
    (``eligibility.refusal`` of a ``MOVE_BACK``), or None."""
    refused = eligibility.refusal(constants.MOVE_BACK,
                                  workflow.host_facts(db, service))
    if refused is None:
        return None
    if refused.code == eligibility.OPERATOR_DISABLED:
        return ("its compute service was disabled by an operator (%s); "
                "enable it first" % (service.disabled_reason or "no reason"))
    return refused.message


def unfence_problem(plan: release.Release, service: records.ComputeService
                    ) -> str | None:
    """Why lifting the fence as ``plan`` says would not let ``service``'s
    host receive its instances (pure), or None."""
    if plan.refused:
        return plan.refused
    if service.status == "disabled" and not plan.enable:
        return "%s, enable it in Nova first" % (
            plan.kept or "its compute service stays disabled")
    return None


class MoveBack(workflow.Workflow):
    """Runs ``MOVE_BACK`` notifications."""

    kind = "move-back"

    def prepare(self, notification: models.Notification) -> None:
        host = str(notification.host)
        service = workflow.service_or_end(self.s.cloud, host)
        problem = health_problem(self.s.db, service)
        if problem is not None:
            raise workflow.Ended(constants.NOTIFICATION_IGNORED,
                                 "host %s: %s; nothing was moved"
                                 % (host, problem))
        plan = release.judge(self.s.db, self.s.conf, service,
                             own=notification.uuid)
        problem = unfence_problem(plan, service)
        if problem is not None:
            raise workflow.Ended(constants.NOTIFICATION_IGNORED,
                                 "host %s: %s; nothing was moved"
                                 % (host, problem))
        self.unfence(service, plan)

    def unfence(self, service: records.ComputeService,
                plan: release.Release) -> None:
        """Clear the fence and wait until Nova reports the service up."""
        cloud, host = self.s.cloud, service.host
        done: list[str] = []
        release.lift(cloud, service, plan, done, receiving=True)
        if done:
            LOG.info("Host %s: %s", host, "; ".join(done))
        deadline = self.s.clock.monotonic() + \
            self.s.conf.engine.unfence_timeout
        interval = self.s.conf.engine.poll_interval
        while True:
            current = workflow.service_of(cloud, host)
            if current is not None and current.state == "up" and \
                    current.status == "enabled" and not current.forced_down:
                fence.record(self.s.db, current)
                return
            if self.s.clock.monotonic() >= deadline:
                raise workflow.Ended(
                    constants.NOTIFICATION_FAILED,
                    "the compute service of %s was not up %.0f s after its "
                    "fence was cleared; nothing was moved"
                    % (host, self.s.conf.engine.unfence_timeout))
            if self.s.clock.wait(self.s.stop, interval):
                raise exception.Interrupted(reason="stopping while "
                                            "unfencing %s" % host)

    def plan(self, notification: models.Notification) -> Plan:
        request = notification.payload or {}
        return build_plan(self.s.db, self.s.cloud, self.s.options,
                          str(notification.host),
                          str(request.get("evacuation")))
