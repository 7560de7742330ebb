"""The monitor loop: poll, probe, decide, persist, notify.

Each cycle (``[monitor] poll_interval``) the leader reads os-services once,
probes the hosts the state machine is unsure of, runs the pure state
machine, emits a notification for every decision and saves the host
records. The inventory sync, with the host aggregates, runs every
``sync_interval``; the operator's HA pauses are read every cycle.
Processes that do not lead only campaign; a new leader reloads the
records from the store, with the cool-downs after a storm (the global
guard's hold-down, each zone's and aggregate's) its predecessor saved.
"""

from collections.abc import Callable
from collections.abc import Mapping
from concurrent import futures
import datetime
import gc
import threading
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import clock as clock_mod
from vmotiond import exception
from vmotiond import metrics
from vmotiond.cloud import base as cloud_base
from vmotiond.db import api as db_api
from vmotiond.monitor import announce
from vmotiond.monitor import emitter as emitter_mod
from vmotiond.monitor import inventory
from vmotiond.monitor import probe as probe_mod
from vmotiond.monitor import records
from vmotiond.monitor import state as state_mod
from vmotiond.monitor import steady as steady_mod
from vmotiond.monitor import store as store_mod
from vmotiond.monitor import storm
from vmotiond.monitor import switches as switches_mod
from vmotiond.monitor.thresholds import Thresholds

LOG = logging.getLogger(__name__)

# Seconds after which the hosts' switches are read in full even when the
# store's mark of them did not move.
SWITCHES_READ_INTERVAL = 30.0


class Monitor:
    """The host monitor of one vmotiond process.

    :param conf: a ConfigOpts with every vmotiond option registered.
    :param cloud: the ``Cloud`` to poll.
    :param store: a ``MonitorStore`` (``DbStore(Database(conf))``).
    :param notifier: an oslo.messaging ``Notifier`` (``make_notifier``) or
        anything with ``info``/``warn(ctxt, event_type, payload)``.
    :param clock: the clock; a ``FakeClock`` in tests.
    :param probe: the probe driver; ``probe.from_conf(conf)`` by default.
    :param elector: a ``LeaderElector``-like object with ``start``,
        ``stop`` and ``is_leader``; None means this process always leads
        (one process, or tests).
    :param sender: a one-thread executor that sends the notifications in
        the background, so a bus that does not answer never holds up a
        cycle (verdicts and alerts are persisted first); None sends inline.
    """

    def __init__(self, conf: cfg.ConfigOpts, cloud: cloud_base.Cloud,
                 store: store_mod.MonitorStore, notifier: Any,
                 clock: clock_mod.Clock | None = None,
                 probe: probe_mod.Probe | None = None,
                 elector: Any = None,
                 sender: futures.Executor | None = None) -> None:
        self.conf = conf
        self.cloud = cloud
        self.store = store
        self.sender = sender
        self.emitter = emitter_mod.Emitter(notifier,
                                           key=conf.monitor.verdict_key,
                                           sender=sender)
        self.announcer = announce.Announcer(store, self.emitter, conf.host)
        self.clock = clock or clock_mod.Clock()
        self.probe = probe if probe is not None else probe_mod.from_conf(conf)
        self.elector = elector
        # Told of every monitor state a host enters (after a cycle).
        self.on_state: Callable[[str, str, Mapping[str, Any]], None] = \
            lambda host, state, values: None
        self.thresholds = Thresholds.from_conf(conf)
        self.state = records.ClusterState()
        self._loaded = False
        self._loaded_term = 0
        self._counted = False      # hosts by state in the metrics
        self._unsaved: dict[str, records.HostRecord] = {}
        # The cool-downs after a storm as last saved (``_save_holds``).
        self._held: dict[str, datetime.datetime] = {}
        self.switches = switches_mod.SwitchesReader(
            store, self.clock, SWITCHES_READ_INTERVAL)
        self._maintenance: frozenset[str] = frozenset()
        self._last_sync: float | None = None
        self._aggregates: dict[str, frozenset[str]] = {}
        self._pauses: frozenset[str] = frozenset()
        self._topo: storm.Topology | None = None
        self._exit = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = futures.ThreadPoolExecutor(
            max_workers=conf.monitor.probe_workers,
            thread_name_prefix="vmotiond-probe")
        # Counting the instances lists every server: off the cycle.
        self._counter = futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="vmotiond-count")
        self._counting: futures.Future[None] | None = None

    # -- lifecycle --------------------------------------------------------

    def start(self) -> None:
        """Start campaigning (if elected) and the poll loop in a thread."""
        if self.elector is not None:
            self.elector.start()
        self._exit.clear()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="vmotiond-monitor")
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop the loop, give up leadership and the probe threads."""
        self._exit.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self.elector is not None:
            self.elector.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._counter.shutdown(wait=False, cancel_futures=True)
        if self.sender is not None:
            # What is not sent yet is persisted (verdicts, alerts).
            self.sender.shutdown(wait=False, cancel_futures=True)

    @property
    def is_leader(self) -> bool:
        return self.elector is None or bool(self.elector.is_leader)

    def _run(self) -> None:
        interval = self.conf.monitor.poll_interval
        while not self._exit.is_set():
            started = self.clock.monotonic()
            try:
                self.tick()
            except Exception:
                LOG.exception("Monitor cycle failed")
            spent = self.clock.monotonic() - started
            if spent > interval:
                LOG.warning("Monitor cycle took %.1f s, longer than "
                            "poll_interval %.1f s", spent, interval)
            self.clock.wait(self._exit, interval - spent)

    # -- one tick ---------------------------------------------------------

    def tick(self) -> list[records.Event]:
        """Run what is due now: a sync when its interval passed, a cycle."""
        if not self.is_leader:
            if self._loaded:
                LOG.info("Not the monitor leader any more; standing by")
                metrics.set_host_states(())
            self._loaded = False
            return []
        mono = self.clock.monotonic()
        if (self._last_sync is None
                or mono - self._last_sync >= self.conf.monitor.sync_interval):
            try:
                self.sync_inventory()
            except exception.CloudError as exc:
                LOG.warning("Inventory sync failed: %s", exc)
            self.sync_aggregates()
            self._last_sync = mono
        return self.run_cycle()

    def sync_inventory(self) -> dict[str, int]:
        """Copy the cloud's hosts into the hosts table now; their
        instances are counted in the background (one count at a time)."""
        counts = inventory.sync(self.cloud, self.store, count=False)
        if self._counting is None or self._counting.done():
            self._counting = self._counter.submit(
                inventory.count, self.cloud, self.store)
        self.switches.expire()
        return counts

    def sync_aggregates(self) -> None:
        """Read the host aggregates now (kept as they were if Nova does
        not answer); the zones are taken again from the next cycle's
        answer."""
        try:
            self._aggregates = {a.name: frozenset(a.hosts)
                                for a in self.cloud.list_aggregates()}
        except exception.CloudError as exc:
            LOG.warning("Host aggregates cannot be read: %s", exc)
        self._topo = None

    def _topology(self, services: Any) -> storm.Topology | None:
        """Hosts' zones and aggregates and the paused scopes, built again
        when a sync ran or the pauses changed."""
        try:
            pauses = self.store.ha_pauses()
        except Exception as exc:
            LOG.warning("HA pauses cannot be read, keeping %s: %s",
                        sorted(self._pauses) or "none", exc)
            pauses = self._pauses
        if pauses != self._pauses:
            LOG.warning("HA paused over: %s", ", ".join(sorted(pauses))
                        or "nothing (resumed)")
            self._pauses, self._topo = pauses, None
        if self._topo is None and services is not None:
            self._topo = storm.topology(
                {s.host: s.zone for s in services}, self._aggregates,
                pauses)
        return self._topo

    def run_cycle(self) -> list[records.Event]:
        """Poll once, decide, notify, persist; return this cycle's events.

        The records live in memory between cycles (loaded from the store
        when this process takes the lead) and only those that changed in
        what is persisted are written; the operator's switches are read
        when the store's mark of them moves, and rebuilt only where they
        changed. The cyclic garbage collector waits for the end of the
        cycle: what a cycle allocates (Nova's answer, above all) is freed
        by reference counting, and at 10,000 hosts the collector's passes
        over it cost more than the cycle's own work.
        """
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            return self._cycle()
        finally:
            if paused:
                gc.enable()

    def _cycle(self) -> list[records.Event]:
        term = self._term()
        if not self._loaded or term != self._loaded_term:
            self._load(term)
        views = self.switches.read(self.thresholds.probe_enabled)
        self._maintenance = self.switches.maintenance
        now = self.clock.now()
        try:
            services = self.cloud.list_compute_services()
        except exception.CloudError as exc:
            LOG.warning("Nova's compute services cannot be read: %s", exc)
            services = None
        previous, th = self.state, self.thresholds
        topo = self._topology(services)
        plan = None
        if services is None:
            state, events = state_mod.evaluate(
                services, {}, previous, th, now, self._maintenance)
        else:
            # Without probe answers first: when no host is one a probe
            # has a say on, that is the cycle's result and nothing is
            # probed; else the same plan decides again with them.
            plan = steady_mod.prepare(services, previous, th, now,
                                      self._maintenance)
            state, events = state_mod.decide(plan, {}, topo)
        unsure = (state_mod.unsure_of(plan, state)
                  if plan is not None and th.probe_enabled else ())
        if unsure and plan is not None:
            targets = {h: _address(views.get(h)) for h in unsure}
            probes = {h: records.PROBE_UNTRUSTED for h, a in targets.items()
                      if a in self.switches.untrusted}
            probes.update(probe_mod.probe_all(
                self.probe, {h: a for h, a in targets.items()
                             if h not in probes}, self._pool))
            state, events = state_mod.decide(plan, probes, topo)
        if events and not self.is_leader:
            # The lease ran out while this cycle read Nova or probed: the
            # next leader decides, on the records it loads.
            LOG.warning("Monitor leadership lost during the cycle; its %d "
                        "decision(s) are left to the next leader",
                        len(events))
            self._loaded = False
            return []
        self._save_holds(state)
        self.state = state
        for event in events:
            self.announcer.handle(event, views, now)
        before = previous.hosts
        # Hosts by state are counted again only when one moved (a pass
        # over 10,000 hosts costs several ms of the cycle's budget).
        moved = not self._counted or len(before) != len(state.hosts)
        # Only hosts the plan did not leave quiet can have a new record:
        # ``decide`` keeps a quiet host's very record (the probes asked
        # are of hosts that moved), and without Nova's answer every
        # record is kept.
        moving = dict.fromkeys(svc.host for svc, _split, _prev
                               in (plan.moving if plan is not None else ()))
        for name in moving:
            rec, old = state.hosts[name], before.get(name)
            if store_mod.worth_saving(rec, old):
                self._unsaved[name] = rec
                if old is None or old.state != rec.state:
                    moved = True
                    self.on_state(name, rec.state, {
                        "generation": rec.generation})
        if moved:
            metrics.set_host_states(
                rec.state for rec in state.hosts.values())
            self._counted = True
        if self._unsaved:
            # Kept until written: a write that fails is tried again.
            self.store.save_records(list(self._unsaved.values()))
            self._unsaved.clear()
        return events

    def _term(self) -> int:
        """The elector's count of leaderships won (0 without one)."""
        return int(getattr(self.elector, "term", 0) or 0)

    def _load(self, term: int) -> None:
        """Take the records from the store: at start, and on every lead
        won, since another monitor may have led in between."""
        self.state = store_mod.with_holds(
            records.ClusterState(hosts=self.store.host_records()),
            self.store.holds(), self.clock.now())
        self._held = store_mod.holds_of(self.state)
        self._unsaved.clear()
        self.switches.forget()
        self._loaded, self._loaded_term = True, term
        self._counted = False

    def _save_holds(self, state: records.ClusterState) -> None:
        """Persist the cool-downs after a storm when they changed, before
        the cycle's state is taken and its decisions acted on (a write
        that fails fails the cycle, which is then done again): the next
        leader keeps them."""
        holds = store_mod.holds_of(state)
        if holds != self._held:
            self.store.save_holds(holds)
            self._held = holds


def _address(view: store_mod.HostView | None) -> str | None:
    return view.management_ip if view is not None else None


def make_monitor(conf: cfg.ConfigOpts, cloud: cloud_base.Cloud,
                 database: db_api.Database,
                 clock: clock_mod.Clock | None = None,
                 transport: Any = None, elect: bool = True,
                 probe: probe_mod.Probe | None = None) -> Monitor:
    """Wire a Monitor from config: DbStore, Notifier, probe, tooz election.

    ``transport`` is an oslo.messaging notification transport (the one
    of ``conf`` if None); ``elect=False`` makes this process always lead
    (all-in-one); ``probe`` replaces the one ``[monitor] probe_driver``
    names. The monitor reads ``cloud`` without retries (``[cloud]
    api_retries`` is the engine's): a poll that fails is retried by the
    next one, so Nova's silence is seen after one ``api_timeout``.
    """
    from vmotiond.monitor import leader

    clock = clock or clock_mod.Clock()
    elector = leader.LeaderElector(conf, clock=clock) if elect else None
    polling = cloud_base.without_retries(cloud)
    return Monitor(conf, polling, store_mod.DbStore(
                       database, "vmotiond-monitor.%s" % conf.host),
                   emitter_mod.make_notifier(conf, transport), clock=clock,
                   probe=probe, elector=elector,
                   sender=futures.ThreadPoolExecutor(
                       max_workers=1, thread_name_prefix="vmotiond-notify"))
