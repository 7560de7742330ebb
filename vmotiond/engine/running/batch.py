"""The vmoves of one notification as a batch: write, load, run, conclude.

Every kind of notification ends with its plan written as vmoves (each
with its own plan) in one transaction, their jobs run through the
dispatcher, and a verdict counted from them. ``workflows.workflow``
calls these in that order; a kind only decides what to do before and
what to plan.
"""

from collections.abc import Callable
import datetime
import functools
import threading

from oslo_log import log as logging

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond import metrics
from vmotiond.cloud import records
from vmotiond.db import api as db_api
from vmotiond.db import models
from vmotiond.db import retry as db_retry
from vmotiond.engine import locks
from vmotiond.engine.deciding import names
from vmotiond.engine.deciding import tiers
from vmotiond.engine.deciding.records import Plan
from vmotiond.engine.running import dispatch
from vmotiond.engine.running import network_view
from vmotiond.engine.running import runner as runner_mod
from vmotiond.engine.running import tenure as tenure_mod
from vmotiond.engine.running import vmove_store
from vmotiond.engine.running import watch as watch_mod

LOG = logging.getLogger(__name__)

DONE = (constants.NOTIFICATION_FINISHED, constants.NOTIFICATION_FAILED,
        constants.NOTIFICATION_IGNORED, constants.NOTIFICATION_ABORTED)
ABORTED_MESSAGE = "aborted by operator"
# A step left ongoing by the engine that ran the notification before.
ORPHANED_MESSAGE = ("ended when engine %s took the notification up: the "
                    "engine that ran this step (%s) died or lost the "
                    "notification")

# Why a vmove without a plan (written before schema 0005 stored plans in
# vmoves) ends failed instead of running.
NO_PLAN_MESSAGE = (
    "no stored plan: it was planned by a vmotiond before schema migration "
    "0005; move the instance with 'vmotiond-manage instance migrate %s'")


def dest_hosts(db: db_api.Database, uuid: str) -> set[str]:
    """The hosts the vmoves of notification ``uuid`` were sent to."""
    return {str(row.dest_host)
            for row in db.vmove_list(notification_uuid=uuid)
            if row.dest_host}


class MoveBatch:
    """Runs notifications' vmoves; one instance serves the engine."""

    def __init__(self, db: db_api.Database, clock: clock_mod.Clock,
                 stop: threading.Event, dispatcher: dispatch.Dispatcher,
                 runner: runner_mod.Runner, owner: str) -> None:
        self.db = db
        # This engine as the owner of the notifications it claims.
        self.owner = owner
        self.clock = clock
        self.stop = stop
        self.dispatcher = dispatcher
        self.runner = runner
        # Each notification's view of its servers, from prepare to run.
        self.watches: dict[str, watch_mod.MoveWatch] = {}
        # Their instances' floating IPs, read together, from prepare to run.
        self.networks: dict[str, network_view.NetworkView] = {}
        # Each notification's notes for its final message, from prepare or
        # run to conclude: its plan's, then its tiers' timeouts.
        self.notes: dict[str, list[str]] = {}

    def claim(self, uuid: str, lock: locks.Lock
              ) -> tenure_mod.Tenure | None:
        """``new -> running`` by test-and-set, or a ``running`` one taken
        up, with this engine as owner and the generation bumped (call it
        holding ``lock``, the one that makes its owner unique); None when
        it is neither. Taken up: the steps the engine before left
        ``ongoing`` are ended, saying so."""
        before = self.db.notification_get(uuid)
        fence = self.db.notification_take(uuid, self.owner)
        if fence is None:
            return None
        if before.status == constants.NOTIFICATION_RUNNING:
            previous = before.owner or "an engine that did not record itself"
            closed = self.db.steps_orphaned_close(
                uuid, ORPHANED_MESSAGE % (self.owner, previous))
            LOG.info("Resuming notification %s (generation %d, was %s's; "
                     "%d step(s) it left ongoing ended)", uuid,
                     fence.generation, previous, closed)
        return tenure_mod.Tenure(self.db, fence, lock, self.clock)

    def prepare(self, uuid: str, make_plan: Callable[[], Plan]
                ) -> list[runner_mod.Job]:
        """Write the plan on the first run (resume: load it); return the
        jobs to run. A vmove without a plan ends ``failed``."""
        seen: list[records.Server] = []
        if not self.db.vmove_list(notification_uuid=uuid, limit=1):
            plan = make_plan()
            seen = [move.server for move in plan.moves]
            fresh = vmove_store.write_plan(self.db, self.clock, uuid, plan)
            LOG.info("Notification %s: %d move(s) planned, %d ignored (%d "
                     "without a target)", uuid, len(plan.moves),
                     len(plan.ignored), len(plan.unplaced))
            if plan.notes:
                self.notes[uuid] = list(plan.notes)
                self._say(uuid, "; ".join(plan.notes))
            # Just written, all pending: the plan in memory is the jobs.
            jobs = [runner_mod.Job(
                vmove_uuid, move.server.id, move.server.name,
                move.move_type, move.source_host, move.dest_host,
                move.priority, 0, spec, (), planned_now=True)
                for (vmove_uuid, spec), move in zip(
                    fresh.items(), plan.moves, strict=True)]
        else:
            jobs = self._stored_jobs(uuid)
        jobs.sort(key=lambda j: (-j.priority, j.spec.order))
        self.watches[uuid] = watch_mod.MoveWatch(
            self.runner.cloud, self.clock, self.stop,
            self.runner.step_options.poll_interval, seen)
        self.networks[uuid] = network_view.NetworkView(
            self.runner.cloud, [
                job.instance_uuid for job in jobs
                if names.RECORD_FLOATING_IPS in job.spec.steps and not any(
                    r.key == names.RECORD_FLOATING_IPS
                    and r.status == constants.SUCCEEDED for r in job.done)])
        return jobs

    def _stored_jobs(self, uuid: str) -> list[runner_mod.Job]:
        """The jobs of a notification taken up again: its vmoves still
        pending or ongoing, each with its stored plan and finished steps."""
        jobs = []
        for row in self.db.vmove_list(
                notification_uuid=uuid, sort_dir="asc",
                status=(constants.PENDING, constants.ONGOING)):
            spec = vmove_store.plan_of(row)
            if spec is None:
                self._unplanned(row)
                continue
            done = vmove_store.read_steps(self.db, row.uuid)
            jobs.append(runner_mod.Job(
                row.uuid, row.instance_uuid, row.instance_name, row.type,
                row.source_host, row.dest_host, row.priority, row.attempts,
                spec, tuple(done)))
        return jobs

    def _unplanned(self, row: models.VMove) -> None:
        """End ``failed`` a vmove that has no plan to run."""
        message = NO_PLAN_MESSAGE % row.instance_uuid
        if self.db.vmove_update(row.uuid, {
                "status": constants.FAILED, "message": message,
                "end_time": self.clock.now()},
                expected=(constants.PENDING, constants.ONGOING)):
            LOG.warning("vmove %s of instance %s: %s", row.uuid,
                        row.instance_uuid, message)

    def ignore(self, row: models.VMove, message: str) -> None:
        """Mark a pending vmove ignored (its notification was aborted)."""
        self.db.vmove_update(row.uuid, {
            "status": constants.IGNORED, "message": message,
            "end_time": self.clock.now()}, expected=(constants.PENDING,))

    def run(self, uuid: str, jobs: list[runner_mod.Job],
            since: datetime.datetime, holder: tenure_mod.Tenure) -> None:
        """Run the jobs; raise Interrupted when the engine stops,
        ``Superseded`` when it lost the notification meanwhile."""
        watch = self.watches.pop(uuid, None)
        network = self.networks.pop(uuid, None)
        notes = self.notes.setdefault(uuid, [])
        self.dispatcher.run_all(
            jobs, lambda job: self.runner.run(job, since, watch, holder,
                                              network),
            keep_going=lambda: self._keep_going(holder),
            on_gate=functools.partial(self._gated, uuid, notes))
        if self.stop.is_set():
            self.notes.pop(uuid, None)
            raise exception.Interrupted(reason="engine stopping")
        holder.check()

    def _gated(self, uuid: str, notes: list[str], gate: tiers.Gate,
               note: str) -> None:
        """A tier starts: its notification's message says why (before it
        starts); a timeout is kept for the final message."""
        if gate.verdict == tiers.TIMED_OUT:
            notes.append(note)
        self._say(uuid, note)

    def _say(self, uuid: str, note: str) -> None:
        """``note`` as the running notification's message, for now."""
        try:
            self.db.notification_set_status(
                uuid, constants.NOTIFICATION_RUNNING,
                expected=(constants.NOTIFICATION_RUNNING,), message=note)
        except Exception as exc:
            LOG.warning("Notification %s: '%s' not recorded: %s", uuid,
                        note, db_retry.first_line(exc))

    def _keep_going(self, holder: tenure_mod.Tenure) -> bool:
        if self.stop.is_set():
            return False
        try:
            status = holder.check().status
        except exception.Superseded:
            return False
        return bool(status == constants.NOTIFICATION_RUNNING)

    def conclude(self, uuid: str) -> str:
        """End the notification from its vmoves; return its status.

        Aborted: the vmoves never started become ignored. A vmove not
        final (its end could not be recorded) leaves the notification
        ``running``, for the sweeper to take up again. Otherwise
        ``failed`` when a vmove failed or an instance found no target,
        else ``finished``; the message counts them and names the tiers
        whose timeout let the next one start.
        """
        notes = self.notes.pop(uuid, [])
        if self.db.notification_get(uuid).status == \
                constants.NOTIFICATION_ABORTED:
            for row in self.db.vmove_list(notification_uuid=uuid,
                                          status=(constants.PENDING,)):
                self.ignore(row, ABORTED_MESSAGE)
            return constants.NOTIFICATION_ABORTED
        rows = self.db.vmove_list(notification_uuid=uuid)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        unsettled = len(rows) - sum(counts.get(status, 0) for status in
                                    constants.VMOVE_DONE_STATUSES)
        if unsettled:
            LOG.warning("Notification %s: %d vmove(s) not final; it stays "
                        "running and is taken up again", uuid, unsettled)
            return constants.NOTIFICATION_RUNNING
        unplaced = sum(1 for row in rows if _unplaced(row))
        failed = counts.get(constants.FAILED, 0)
        message = "%d succeeded, %d failed, %d ignored" % (
            counts.get(constants.SUCCEEDED, 0), failed,
            counts.get(constants.IGNORED, 0))
        if unplaced:
            message += "; %d instance(s) found no capacity" % unplaced
        message = "; ".join([message] + notes)
        status = (constants.NOTIFICATION_FAILED if failed or unplaced
                  else constants.NOTIFICATION_FINISHED)
        if self.end(uuid, status, message):
            metrics.notification_ended(self.db.notification_get(uuid), rows)
        return status

    def end(self, uuid: str, status: str, message: str) -> bool:
        """``running -> status`` with ``message`` (``finished`` only once
        every vmove is final: the database refuses it before)."""
        if not self.db.notification_set_status(
                uuid, status, expected=(constants.NOTIFICATION_RUNNING,),
                message=message):
            LOG.warning("Notification %s was not ended %s: it was no "
                        "longer running, or a vmove was not final", uuid,
                        status)
            return False
        LOG.info("Notification %s %s: %s", uuid, status, message)
        return True


def _unplaced(row: models.VMove) -> bool:
    """Whether ``row`` is an instance ignored for want of a target."""
    spec = vmove_store.plan_of(row)
    return (row.status == constants.IGNORED and spec is not None
            and spec.ignored_reason in names.UNPLACED_REASONS)
