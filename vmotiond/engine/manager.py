"""The engine: wires intake, recovery and the pools; starts and stops.

``EngineManager(conf, db, cloud)`` builds everything from config; tests
pass a ``FakeClock``, ``futurist.SynchronousExecutor`` pools and
``LocalLocks``. Given ``rpc_transport``, it serves ``vmotiond-manage``'s
requests (``vmotiond.engine.commands.rpc``); the operator's workflows are
built by ``vmotiond.engine.operations``. ``start()`` starts the coordinator,
resumes unfinished notifications and starts listening; ``stop()`` sets
the exit event (every wait returns, ongoing vmoves stay ``ongoing`` for
the next start) and joins.
"""

from collections.abc import Callable
from concurrent import futures
import dataclasses
import threading
from typing import Any

import futurist
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond.cloud import base as cloud_base
from vmotiond.db import api as db_api
from vmotiond.engine import headroom_watch
from vmotiond.engine import intake as intake_mod
from vmotiond.engine import locks as locks_mod
from vmotiond.engine import operations as operations_mod
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.running import batch as batch_mod
from vmotiond.engine.running import dispatch
from vmotiond.engine.running import policy
from vmotiond.engine.running import runner as runner_mod
from vmotiond.engine.running import tenure as tenure_mod
from vmotiond.engine.running.steps.base import StepOptions
from vmotiond.engine.workflows import fence
from vmotiond.engine.workflows import recovery as recovery_mod
from vmotiond.engine.workflows import workflow

LOG = logging.getLogger(__name__)

Handler = Callable[[str], Any]


class EngineManager:
    """Runs notifications: one thread each, their vmoves in a shared pool."""

    def __init__(self, conf: cfg.ConfigOpts, db: db_api.Database,
                 cloud: cloud_base.Cloud,
                 clock: clock_mod.Clock | None = None,
                 transport: oslo_messaging.Transport | None = None,
                 locks: locks_mod.Locks | None = None,
                 pool: futures.Executor | None = None,
                 notification_pool: futures.Executor | None = None,
                 stop_event: threading.Event | None = None,
                 rpc_transport: oslo_messaging.Transport | None = None
                 ) -> None:
        self.conf = conf
        self.db = db
        self.engine_id = tenure_mod.engine_id(conf.host)
        self.clock = clock or clock_mod.Clock()
        self.stop_event = stop_event or threading.Event()
        group = conf.engine
        # Every call that changes the cloud checks first that this engine
        # still runs the notification it acts for, once it holds one slot
        # of the budget every notification shares.
        self.cloud = cloud = dispatch.budgeted(
            tenure_mod.acting(cloud), group.max_concurrent_nova_calls,
            self.stop_event)
        # ``workers`` moves run at once (move slots); as many more vmoves
        # may do their steps before and after the move meanwhile.
        threads = 2 * group.workers
        self.pool = pool or futurist.ThreadPoolExecutor(max_workers=threads)
        self.notification_pool = notification_pool or \
            futurist.ThreadPoolExecutor(
                max_workers=group.notification_workers)
        self.locks = locks or locks_mod.make_locks(conf)
        driver = tenure_mod.acting(fence.power_driver(conf))
        self.fencer = fence.Fencer(cloud, driver,
                                   self.clock, self.stop_event,
                                   poll_interval=group.poll_interval,
                                   attempts=group.fence_attempts)
        slots = threading.BoundedSemaphore(group.workers)
        self.dispatcher = dispatch.Dispatcher(
            self.pool, threads, group.max_moves_per_target,
            group.tier_timeout, self.clock)
        services = workflow.Services(
            conf, db, cloud, self.clock, self.stop_event, self.locks,
            self._batch(policy.RECOVERY, slots), PlanOptions.from_conf(conf))
        self.recovery = recovery_mod.HostRecovery(services, self.fencer)
        self.headroom = headroom_watch.HeadroomWatch(
            services, group.capacity_check_interval,
            "vmotiond-engine.%s" % conf.host)
        self.handlers: dict[str, Handler] = {
            constants.COMPUTE_HOST: self.recovery.run}
        self.intake: intake_mod.Intake | None = None
        if transport is not None:
            self.intake = intake_mod.Intake(
                conf, transport,
                intake_mod.Endpoint(
                    db, self.clock, self.submit, cloud,
                    intake_mod.Checks.from_conf(conf),
                    source="vmotiond-engine.%s" % conf.host))
        self._lock = threading.Lock()
        self._active: dict[str, futures.Future[Any]] = {}
        # Drain, custom migration, reset, move-back, release; RPC for
        # vmotiond-manage.
        self.operations = operations_mod.Operations(
            dataclasses.replace(services, batch=self._batch(
                policy.OPERATOR, slots)),
            self.submit, self.is_running, lambda kind: kind in self.handlers,
            rpc_transport, transport)
        self.handlers.update(self.operations.handlers)
        self._started = False
        self._sweeper: threading.Thread | None = None

    def _batch(self, run_policy: policy.RunPolicy,
               slots: threading.BoundedSemaphore) -> batch_mod.MoveBatch:
        """A batch whose vmoves run in the shared pool and move slots, by
        the rules of ``run_policy``."""
        return batch_mod.MoveBatch(
            self.db, self.clock, self.stop_event, self.dispatcher,
            runner_mod.Runner(self.db, self.cloud, self.clock,
                              self.stop_event,
                              StepOptions.from_conf(self.conf),
                              runner_mod.RetryOptions.from_conf(self.conf),
                              run_policy, slots=slots),
            self.engine_id)

    def start(self) -> None:
        self.locks.start()
        self._started = True
        if self.conf.engine.resume_on_start:
            self.resume()
        if self.intake is not None:
            self.intake.start()
        self.operations.start()
        self.headroom.start()
        if self.intake is not None and self.conf.monitor.verdict_key is None:
            LOG.warning("[monitor] verdict_key is not set: every "
                        "vmotiond.host.down message is a claim that Nova "
                        "must confirm before a host is fenced")
        if self.conf.engine.resume_interval > 0 or \
                self.conf.engine.new_poll_interval > 0:
            self._sweeper = threading.Thread(
                target=self._sweep, name="vmotiond-engine-sweep",
                daemon=True)
            self._sweeper.start()
        LOG.info("Engine started")

    def stop(self, wait: bool = True, timeout: float | None = None) -> None:
        """Stop taking work, then wait for the work in flight, at most
        ``timeout`` seconds (None: as long as it takes). Past the budget
        the process may exit: what still runs stays ``ongoing`` and the
        next start resumes it."""
        if not self._started:
            return
        self._started = False
        stopper = threading.Thread(target=self._stop_parts, args=(wait,),
                                   name="vmotiond-engine-stop", daemon=True)
        stopper.start()
        stopper.join(timeout)
        if stopper.is_alive():
            LOG.warning("Engine not stopped within %g s: %d notifications "
                        "still run here; the next start resumes them",
                        timeout, len(self._active))
            return
        LOG.info("Engine stopped")

    def _stop_parts(self, wait: bool) -> None:
        self.operations.stop()
        self.stop_event.set()
        if self.intake is not None:
            self.intake.stop()
        if self._sweeper is not None:
            self._sweeper.join()
        self.headroom.join()
        self.notification_pool.shutdown(wait=wait)
        self.pool.shutdown(wait=wait)
        self.locks.stop()

    def _sweep(self) -> None:
        """Take up, every ``new_poll_interval``, new notifications nobody
        started (the monitor persists a verdict before it sends it, so one
        the bus did not take is found here) and, every
        ``resume_interval``, running ones nobody works on (their engine
        died: its host lock expired, or a vmove's end could not be
        recorded, which leaves the notification ``running``)."""
        group = self.conf.engine
        intervals = [i for i in (group.new_poll_interval,
                                 group.resume_interval) if i > 0]
        last_full = self.clock.monotonic()
        while not self.clock.wait(self.stop_event, min(intervals)):
            full = group.resume_interval > 0 and (
                self.clock.monotonic() - last_full >= group.resume_interval)
            try:
                if full:
                    last_full = self.clock.monotonic()
                    self.resume()
                else:
                    self.resume((constants.NOTIFICATION_NEW,))
            except Exception:
                LOG.exception("Resume sweep failed; next in %.0f s",
                              min(intervals))

    def resume(self, statuses: tuple[str, ...] = (
            constants.NOTIFICATION_NEW, constants.NOTIFICATION_RUNNING)
               ) -> list[str]:
        """Submit every notification in ``statuses`` (left new or running)
        that does not run here; return them."""
        rows = self.db.notification_list(status=statuses, sort_dir="asc")
        taken = []
        for row in rows:
            with self._lock:
                if row.uuid in self._active:
                    continue
            LOG.debug("Submitting %s notification %s (%s)", row.status,
                      row.uuid, row.host)
            self.submit(row.uuid)
            taken.append(row.uuid)
        return taken

    def submit(self, uuid: str) -> "futures.Future[Any]":
        """Run notification ``uuid`` unless it runs here already."""
        with self._lock:
            current = self._active.get(uuid)
            if current is not None and not current.done():
                return current
            future = self.notification_pool.submit(self._handle, uuid)
            if not future.done():
                self._active[uuid] = future
                future.add_done_callback(lambda _f: self._forget(uuid))
            return future

    def is_running(self, uuid: str) -> bool:
        """Whether notification ``uuid`` is being worked on here."""
        with self._lock:
            current = self._active.get(uuid)
            return current is not None and not current.done()

    def _forget(self, uuid: str) -> None:
        with self._lock:
            self._active.pop(uuid, None)

    def _handle(self, uuid: str) -> Any:
        try:
            notification = self.db.notification_get(uuid)
            handler = self.handlers.get(notification.type)
            if handler is None:
                LOG.warning("No handler for %s notification %s; left new",
                            notification.type, uuid)
                return None
            return handler(uuid)
        except Exception:
            LOG.exception("Notification %s failed unexpectedly; it resumes "
                          "on the next start", uuid)
            return None
