"""Dispatch the jobs of one notification to the shared thread pool.

Jobs are submitted in plan order (priority tiers first) while fewer than
``workers`` of this notification run and the job's target has fewer than
``max_per_target`` moves in flight; a job whose target is busy lets the
next one in the same tier go first. Before each submission ``keep_going``
is asked, so an operator's abort lets the moves in flight finish and
starts no other.
"""

from collections.abc import Callable
from collections.abc import Sequence
from concurrent import futures
import functools
import threading

from oslo_log import log as logging

from vmotiond import constants
from vmotiond.engine.running.runner import Job

LOG = logging.getLogger(__name__)


class Dispatcher:
    """Runs jobs through ``run`` on ``pool`` with the limits above."""

    def __init__(self, pool: futures.Executor, workers: int,
                 max_per_target: int = 0) -> None:
        self.pool = pool
        self.workers = max(1, workers)
        self.max_per_target = max_per_target

    def run_all(self, jobs: Sequence[Job], run: Callable[[Job], str],
                keep_going: Callable[[], bool] = lambda: True
                ) -> dict[str, str]:
        """Run every job; return vmove uuid -> status (``pending`` for the
        jobs not started because ``keep_going`` said no)."""
        results: dict[str, str] = {}
        pending = list(jobs)
        in_flight: dict[str, int] = {}
        running = 0
        changed = threading.Condition()

        def finished(job: Job, future: "futures.Future[str]") -> None:
            nonlocal running
            try:
                status = future.result()
            except Exception:
                LOG.exception("vmove %s crashed", job.vmove_uuid)
                status = constants.FAILED
            with changed:
                results[job.vmove_uuid] = status
                running -= 1
                target = job.dest_host or ""
                in_flight[target] -= 1
                changed.notify_all()

        stopped = False
        with changed:
            while pending or running:
                if not stopped and pending and not keep_going():
                    stopped = True
                job = None if stopped else self._next(pending, in_flight,
                                                      running)
                if job is None:
                    if not running:
                        break
                    changed.wait()
                    continue
                pending.remove(job)
                target = job.dest_host or ""
                in_flight[target] = in_flight.get(target, 0) + 1
                running += 1
                changed.release()
                try:
                    future = self.pool.submit(run, job)
                    future.add_done_callback(functools.partial(finished,
                                                               job))
                finally:
                    changed.acquire()
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
