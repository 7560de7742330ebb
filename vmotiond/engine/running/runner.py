"""Run one vmove: its steps in order, each recorded, retried, reverted.

The vmove goes ``pending``/``ongoing`` -> ``ongoing`` (claimed by
test-and-set) -> ``succeeded`` or ``failed``, or ``ignored`` when the
runner's ``RunPolicy`` calls a step's failure Nova's refusal; its end time
and message are written whatever happens, except when the engine stops
(``Interrupted``): then it stays ``ongoing`` to be resumed from its last
finished step. A transient database error (the database unreachable,
locked) does the same: the vmove is not ended, its notification is not
concluded, and the sweeper takes it up again once the database answers;
its steps look at the cloud before they act, so what Nova did meanwhile
is found, not repeated. A worker that crashes otherwise (a permanent
database error, a bug) ends its vmove ``failed``; that last write is
retried while the database error is transient. Should it still fail, the
vmove stays as it was and is resumed in the same way.
"""

import dataclasses
import datetime
import functools
import itertools
import threading
from typing import NoReturn

from oslo_log import log as logging

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.conf import defaults
from vmotiond.db import api as db_api
from vmotiond.db import retry as db_retry
from vmotiond.engine.running import group_journal
from vmotiond.engine.running import journal as journal_mod
from vmotiond.engine.running import move_slot
from vmotiond.engine.running import network_view
from vmotiond.engine.running import policy as policy_mod
from vmotiond.engine.running import steps as steps_mod
from vmotiond.engine.running import tenure as tenure_mod
from vmotiond.engine.running import vmove_store
from vmotiond.engine.running import watch as watch_mod
from vmotiond.engine.running.steps.base import Outcome
from vmotiond.engine.running.steps.base import StepContext
from vmotiond.engine.running.steps.base import StepOptions

LOG = logging.getLogger(__name__)

# Tries of the write that ends a vmove, on transient database errors.
END_ATTEMPTS = 8
_DEFAULT = defaults.Group("engine")


@dataclasses.dataclass(frozen=True)
class RetryOptions(defaults.Mirror):
    """Bounded retries of a step, with doubling back-off."""

    retries: int = _DEFAULT("step_retries", int)
    backoff: float = _DEFAULT("step_retry_backoff", float)
    backoff_max: float = _DEFAULT("step_retry_backoff_max", float)

    def delay(self, attempt: int) -> float:
        return float(min(self.backoff * 2 ** (attempt - 1),
                         self.backoff_max))


@dataclasses.dataclass(frozen=True)
class Job:
    """A vmove to run, with its stored plan and the steps done so far."""

    vmove_uuid: str
    instance_uuid: str
    instance_name: str | None
    move_type: str
    source_host: str | None
    dest_host: str | None
    priority: int
    attempts: int
    spec: vmove_store.MoveSpec
    done: tuple[vmove_store.StepRecord, ...] = ()
    # Planned in this run of its notification: the instance is as the
    # plan saw it unless a step was tried.
    planned_now: bool = False


class Runner:
    """Runs jobs against the cloud and records everything in the DB;
    ``policy`` says which failures are retried and which are refusals."""

    def __init__(self, db: db_api.Database, cloud: cloud_base.Cloud,
                 clock: clock_mod.Clock, stop: threading.Event,
                 step_options: StepOptions, retry: RetryOptions,
                 policy: policy_mod.RunPolicy,
                 slots: threading.Semaphore | None = None) -> None:
        self.slots = slots
        self.db = db
        # The journals of concurrent vmoves, written together.
        self.writer = group_journal.GroupWriter(db)
        self.cloud = cloud
        self.clock = clock
        self.stop = stop
        self.step_options = step_options
        self.retry = retry
        self.policy = policy

    def run(self, job: Job, since: datetime.datetime,
            watch: watch_mod.MoveWatch | None = None,
            holder: tenure_mod.Tenure | None = None,
            network: network_view.NetworkView | None = None) -> str:
        """Run ``job``; return the vmove's status afterwards. ``watch``,
        when given, is its notification's view of the servers in flight;
        ``holder``, this engine's hold on the notification: once it is
        lost, nothing more is written or asked of the cloud for it;
        ``network``, its instances' floating IPs read together."""
        journal = journal_mod.Journal(
            self.db, self.clock, job.vmove_uuid,
            holder.fence if holder is not None else None, self.writer)
        with tenure_mod.holding(holder):
            return self._guarded_run(job, since, journal, watch, network)

    def _guarded_run(self, job: Job, since: datetime.datetime,
                     journal: journal_mod.Journal,
                     watch: watch_mod.MoveWatch | None,
                     network: network_view.NetworkView | None) -> str:
        try:
            return self._run(job, since, journal, watch, network)
        except exception.Superseded as exc:
            LOG.warning("vmove %s of instance %s: %s; this engine stops it "
                        "and asks nothing more of the cloud for it",
                        job.vmove_uuid, job.instance_uuid, exc)
            return constants.ONGOING
        except journal_mod.NotClaimed:
            LOG.info("vmove %s is no longer pending; skipped",
                     job.vmove_uuid)
            return self.db.vmove_get(job.vmove_uuid).status
        except exception.Interrupted:
            LOG.info("vmove %s interrupted; it will be resumed",
                     job.vmove_uuid)
            journal.flush_quietly()
            return constants.ONGOING
        except _Unrecorded as exc:
            LOG.error("vmove %s: %s; it is resumed with its notification",
                      job.vmove_uuid, exc)
            return constants.ONGOING
        except Exception as exc:
            if db_retry.is_transient(exc):
                LOG.error("vmove %s: the database failed (%s); it is "
                          "resumed with its notification", job.vmove_uuid,
                          db_retry.first_line(exc))
                return constants.ONGOING
            LOG.exception("vmove %s: its worker crashed", job.vmove_uuid)
            try:
                self._end(job, journal, constants.FAILED, _crash(exc),
                          expected=(constants.PENDING, constants.ONGOING))
            except (exception.Interrupted, exception.Superseded):
                return constants.ONGOING
            except _Unrecorded as unrecorded:
                LOG.error("vmove %s: %s; it is resumed with its "
                          "notification", job.vmove_uuid, unrecorded)
                return constants.ONGOING
            return constants.FAILED

    def _run(self, job: Job, since: datetime.datetime,
             journal: journal_mod.Journal,
             watch: watch_mod.MoveWatch | None,
             network: network_view.NetworkView | None) -> str:
        journal.claim_with(
            {"status": constants.ONGOING, "attempts": job.attempts + 1,
             "start_time": self.clock.now()} if not job.done else
            {"status": constants.ONGOING, "attempts": job.attempts + 1})
        ctx = StepContext(journal_mod.guarded(self.cloud, journal),
                          self.clock, self.stop,
                          self.step_options, job.instance_uuid,
                          job.move_type, job.source_host, job.dest_host,
                          since, job.spec.final_status, watch=watch,
                          network=network)
        finished = {r.key for r in job.done
                    if r.status == constants.SUCCEEDED}
        for record in job.done:
            if record.status == constants.SUCCEEDED:
                ctx.data.update(record.context)
        done: list[tuple[steps_mod.Step, Outcome]] = []
        results: list[str] = []
        failure: str | None = None
        status = constants.FAILED
        slot = move_slot.MoveSlot(self.slots, self.stop)
        # A vmove planned in this run, never claimed before, no step
        # recorded: nothing was asked of Nova for it since the plan.
        first_run = job.planned_now and job.attempts == 0 and not job.done
        try:
            for key in job.spec.steps:
                if key in finished:
                    continue
                step = steps_mod.build(key)
                # A step that asks for the move takes its slot when it
                # asks (after what it follows is written); a wait for a
                # move at its start.
                slot.hold(step.moves and not step.asks_move)
                journal.on_turn = functools.partial(
                    move_slot.turn, slot, step)
                journal.on_act = functools.partial(
                    move_slot.asking, slot, step, ctx)
                outcome = self._step(job, step, ctx, results, journal,
                                     first_run)
                if outcome is None:
                    continue
                done.append((step, outcome))
                results.append(outcome.note or outcome.result)
                host = outcome.context.get("host")
                if host and host != ctx.dest_host:
                    ctx.dest_host = str(host)
                    journal.update({"dest_host": ctx.dest_host})
        except (exception.Interrupted, journal_mod.NotClaimed,
                exception.Superseded):
            raise
        except Exception as exc:
            if db_retry.is_transient(exc):
                raise             # not the move's failure: resumed
            if isinstance(exc, exception.VmotiondError):
                reason = str(exc)
            else:
                LOG.exception("vmove %s: its worker crashed", job.vmove_uuid)
                reason = _crash(exc)
            failure = reason
            if isinstance(exc, exception.NovaRefused):
                status = constants.IGNORED
        finally:
            journal.on_turn = journal.on_act = None
            slot.hold(False)
        if failure is not None:
            # Logged outside the handler: one line, without a traceback.
            LOG.warning("vmove %s of instance %s (%s), %s from host %s to "
                        "%s: %s", job.vmove_uuid, job.instance_uuid,
                        job.instance_name or "no name", job.move_type,
                        job.source_host, ctx.dest_host or "any host",
                        failure)
            self._revert(done, ctx)
            self._end(job, journal, status, failure)
            return status
        message = _summary(job, ctx, results)
        self._end(job, journal, constants.SUCCEEDED, message)
        return constants.SUCCEEDED

    def _step(self, job: Job, step: steps_mod.Step, ctx: StepContext,
              results: list[str], journal: journal_mod.Journal,
              first_run: bool) -> Outcome | None:
        """Run ``step``; None when it is optional and failed (the failure
        goes to ``results`` and the log, and the vmove goes on)."""
        try:
            return self._attempts(job, step, ctx, journal, first_run)
        except exception.StepFailed as exc:
            if not step.optional:
                raise
            failure = exc
        LOG.warning("vmove %s of %s: optional %s; the move goes on",
                    job.vmove_uuid, job.instance_uuid, failure)
        results.append("%s (the move went on)" % failure)
        return None

    def _attempts(self, job: Job, step: steps_mod.Step,
                  ctx: StepContext, journal: journal_mod.Journal,
                  first_run: bool) -> Outcome:
        attempt = 1 + sum(1 for r in job.done if r.key == step.key)
        tries = 0
        while True:
            tries += 1
            # Only a step never tried may skip looking for its effect.
            ctx.fresh = first_run and tries == 1
            row_id = journal.begin(step.key, attempt)
            try:
                outcome = step.execute(ctx)
            except (journal_mod.NotClaimed, exception.Superseded):
                raise
            except exception.Interrupted:
                journal.end_now(row_id, constants.FAILED,
                                "interrupted: the engine stopped; the "
                                "step runs again on resume")
                raise
            except self.policy.retry_errors(step) as exc:
                if tries > self.retry.retries:
                    self._fail(journal, row_id, step, exc,
                               "after %d attempts: " % tries)
                delay = self.retry.delay(tries)
                journal.end_now(row_id, constants.FAILED,
                                "%s; retrying in %.1f s" % (exc, delay))
                LOG.warning("vmove %s of instance %s on host %s: step %s "
                            "attempt %d failed, retrying: %s",
                            job.vmove_uuid, job.instance_uuid,
                            job.source_host, step.key, attempt, exc)
                if self.clock.wait(self.stop, delay):
                    raise exception.Interrupted(
                        reason="stopping before a retry") from exc
                attempt += 1
                continue
            except exception.VmotiondError as exc:
                self._fail(journal, row_id, step, exc)
            except Exception as exc:
                if db_retry.is_transient(exc):
                    raise         # the step did not fail: it is resumed
                LOG.exception("vmove %s step %s crashed", job.vmove_uuid,
                              step.key)
                self._fail(journal, row_id, step, exc, "unexpected %s: "
                           % type(exc).__name__)
            finally:
                ctx.fresh = False
            ctx.data.update(outcome.context)
            journal.ended(row_id, constants.SUCCEEDED, outcome.result,
                          dict(outcome.context))
            return outcome

    def _fail(self, journal: journal_mod.Journal, step_id: int,
              step: steps_mod.Step, exc: Exception,
              prefix: str = "") -> NoReturn:
        """Record the step failed; raise Nova's refusal when the policy
        says ``exc`` is one, ``StepFailed`` otherwise."""
        reason = "%s%s" % (prefix, exc)
        journal.end_now(step_id, constants.FAILED, reason)
        refused = self.policy.refusal(step.name, exc)
        if refused is not None:
            raise refused from exc
        raise exception.StepFailed(
            reason="step %s failed: %s" % (step.key, reason)) from exc

    def _revert(self, done: list[tuple[steps_mod.Step, Outcome]],
                ctx: StepContext) -> None:
        for step, outcome in reversed(done):
            try:
                step.revert(ctx, outcome)
            except exception.Superseded:
                raise
            except Exception:
                LOG.exception("revert of %s for %s failed", step.key,
                              ctx.server_id)

    def _end(self, job: Job, journal: journal_mod.Journal, status: str,
             message: str,
             expected: tuple[str, ...] = (constants.ONGOING,)) -> None:
        """Record how the vmove ended; retry transient database errors.

        Raise ``_Unrecorded`` when it cannot be written, ``Interrupted``
        when the engine stops meanwhile.
        """
        if job.spec.note and job.spec.note not in message:
            message = "%s; %s" % (message, job.spec.note)
        values = {"status": status, "message": message[:2000],
                  "end_time": self.clock.now()}
        for attempt in itertools.count(1):
            try:
                journal.close(values, expected)
                return
            except journal_mod.NotClaimed:
                LOG.info("vmove %s is no longer pending; not ended %s",
                         job.vmove_uuid, status)
                return
            except exception.Superseded:
                raise
            except Exception as exc:
                if attempt >= END_ATTEMPTS or \
                        not db_retry.is_transient(exc):
                    raise _Unrecorded("could not be recorded %s: %s" % (
                        status, db_retry.first_line(exc))) from exc
                delay = self.retry.delay(attempt)
                LOG.warning("vmove %s: recording it %s failed (%s); "
                            "retrying in %.1f s", job.vmove_uuid, status,
                            db_retry.first_line(exc), delay)
                if self.clock.wait(self.stop, delay):
                    raise exception.Interrupted(
                        reason="stopping before recording a vmove") from exc


class _Unrecorded(Exception):
    """The end of a vmove could not be written to the database."""


def _crash(exc: BaseException) -> str:
    """The message of a vmove whose worker crashed."""
    return "worker crashed: unexpected %s: %s" % (type(exc).__name__,
                                                   db_retry.first_line(exc))


# Step results the vmove's message repeats.
_NOTES = ("rebound", "floating IPs", "step ")


def _summary(job: Job, ctx: StepContext, results: list[str]) -> str:
    """One sentence for the operator: where it is and what was notable."""
    status = ctx.data.get("status")
    parts = ["on host %s" % (ctx.dest_host or "?")]
    if status:
        parts.append("status %s" % status)
    notes = [r for r in results if r.startswith(_NOTES)]
    return "; ".join(parts + notes)
