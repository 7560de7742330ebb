"""Dispatch the jobs of one notification to the shared thread pool, and
bound the engine's calls that change the cloud.

Jobs are submitted in plan order, tier by tier (``deciding.tiers``: the
next priority tier starts when the readiness gate opens), while fewer than
``workers`` of this notification run and the job's target has fewer than
``max_per_target`` moves in flight; a job whose target is busy lets the
next one in the same tier go first. Before each submission (and only
then: it reads the database) ``keep_going`` is asked, so an operator's
abort lets the moves in flight finish and starts no other.

``budgeted`` wraps the engine's cloud once: at most ``[engine]
max_concurrent_nova_calls`` calls that change the cloud run at once,
whatever notification makes them.
"""

from collections.abc import Callable
from collections.abc import Sequence
from concurrent import futures
import functools
import threading
import typing
from typing import Any

from oslo_log import log as logging

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.engine.deciding import tiers
from vmotiond.engine.running.runner import Job

LOG = logging.getLogger(__name__)

# Seconds between two looks at the exit event while waiting for a call slot.
_STOP_POLL = 0.5


class Dispatcher:
    """Runs jobs through ``run`` on ``pool`` with the limits above;
    ``tier_timeout`` (seconds, 0: no gate) bounds a tier's wait."""

    def __init__(self, pool: futures.Executor, workers: int,
                 max_per_target: int = 0, tier_timeout: float = 0.0,
                 clock: clock_mod.Clock | None = None) -> None:
        self.pool = pool
        self.workers = max(1, workers)
        self.max_per_target = max_per_target
        self.tier_timeout = tier_timeout
        self.clock = clock or clock_mod.Clock()

    def run_all(self, jobs: Sequence[Job], run: Callable[[Job], str],
                keep_going: Callable[[], bool] = lambda: True,
                on_gate: Callable[[tiers.Gate, str], None] = (
                    lambda gate, note: None)) -> dict[str, str]:
        """Run every job; return vmove uuid -> status (``pending`` for the
        jobs not started because ``keep_going`` said no). ``on_gate`` is
        told, before a tier starts, why the gate let it."""
        results: dict[str, str] = {}
        # Tier by tier; within a tier, in the given (plan) order.
        pending = sorted(jobs, key=lambda j: -j.priority)
        in_flight: dict[str, int] = {}
        running = 0
        lock = threading.Lock()
        wake = threading.Event()
        tier = _Tier(pending, self.clock.monotonic())

        def finished(job: Job, future: "futures.Future[str]") -> None:
            nonlocal running
            try:
                status = future.result()
            except Exception:
                LOG.exception("vmove %s crashed", job.vmove_uuid)
                status = constants.FAILED
            with lock:
                results[job.vmove_uuid] = status
                running -= 1
                in_flight[job.dest_host or ""] -= 1
                tier.unfinished.discard(job.vmove_uuid)
                wake.set()

        stopped = False
        while True:
            opened: tuple[tiers.Gate, str] | None = None
            wait: float | None = None
            with lock:
                wake.clear()
                if not stopped and pending and \
                        pending[0].priority != tier.priority:
                    elapsed = self.clock.monotonic() - tier.started
                    gate = tiers.gate(len(tier.unfinished), elapsed,
                                      self.tier_timeout)
                    if gate.open:
                        opened = gate, tiers.note(
                            tier.priority, pending[0].priority, gate,
                            len(tier.unfinished), elapsed)
                        tier = _Tier(pending, self.clock.monotonic())
                    else:
                        wait = gate.wait
                job = None if stopped or wait is not None else self._next(
                    pending, in_flight, running)
                # Asked only when a job could go: once per submission.
                if job is not None and not keep_going():
                    stopped, job, opened = True, None, None
                if job is not None:
                    pending.remove(job)
                    target = job.dest_host or ""
                    in_flight[target] = in_flight.get(target, 0) + 1
                    running += 1
                elif opened is None and not running:
                    break
            if opened is not None:
                _log_gate(*opened)
                on_gate(*opened)
                if job is None:
                    continue
            if job is None:
                if wait is None:
                    wake.wait()
                else:
                    self.clock.wait(wake, wait)
                continue
            future = self.pool.submit(run, job)
            future.add_done_callback(functools.partial(finished, job))
        for job in pending:
            results.setdefault(job.vmove_uuid, constants.PENDING)
        return results

    def _next(self, pending: list[Job], in_flight: dict[str, int],
              running: int) -> Job | None:
        if running >= self.workers or not pending:
            return None
        tier = pending[0].priority
        for job in pending:
            if job.priority != tier:
                break
            target = job.dest_host or ""
            if not self.max_per_target or not job.dest_host or \
                    in_flight.get(target, 0) < self.max_per_target:
                return job
        return None


class _Tier:
    """The tier under way: the one of the first pending job."""

    def __init__(self, pending: list[Job], started: float) -> None:
        self.priority = pending[0].priority if pending else 0
        self.started = started
        self.unfinished = {job.vmove_uuid for job in pending
                           if job.priority == self.priority}


def _log_gate(gate: tiers.Gate, note: str) -> None:
    if gate.verdict == tiers.TIMED_OUT:
        LOG.warning("Readiness gate: %s", note)
    else:
        LOG.info("Readiness gate: %s", note)


class _Budgeted:
    """The cloud with its calls that change something (``cloud_base.acts``)
    each holding one of ``slots`` while it runs."""

    def __init__(self, cloud: cloud_base.Cloud, slots: threading.Semaphore,
                 stop: threading.Event) -> None:
        self._cloud = cloud
        self._slots = slots
        self._stop = stop

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._cloud, name)
        if not callable(attr) or not cloud_base.acts(name):
            return attr
        slots, stop = self._slots, self._stop

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            while not slots.acquire(timeout=_STOP_POLL):
                if stop.is_set():
                    raise exception.Interrupted(
                        reason="waiting for a Nova call slot")
            try:
                return attr(*args, **kwargs)
            finally:
                slots.release()
        return call


def budgeted(cloud: cloud_base.Cloud, limit: int,
             stop: threading.Event) -> cloud_base.Cloud:
    """``cloud`` with at most ``limit`` calls that change the cloud at once
    (0: ``cloud`` itself, no limit)."""
    if limit <= 0:
        return cloud
    return typing.cast(cloud_base.Cloud, _Budgeted(
        cloud, threading.BoundedSemaphore(limit), stop))
