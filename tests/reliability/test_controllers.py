"""Three controllers: a leader or a lock holder killed, Redis cut off.

Three full ``vmotiond`` processes (monitor, engine and API each, as three
controllers run them) share one MariaDB database, one RabbitMQ and one
Redis, and watch one ``vmotiond-sim`` cloud of five hosts and twelve
instances over HTTP. Each reaches Redis through its own ``FaultProxy``,
so the coordination backend can be cut for all of them or for one alone.
Leases are short (``[coordination] lease_timeout`` 3 s, heartbeat 1 s).

Each scenario kills a host, waits until Nova accepted one of its
evacuations, which the simulator then holds in flight, and breaks
something; the evacuations are let go once the break is over (a new
leader elected, the recovery taken up), and the scenario waits until the
recovery ended:

- A: the process of the leading monitor is ``SIGKILL``\\ ed;
- B: the process whose engine holds the host's lock is ``SIGKILL``\\ ed;
- C: Redis is down for every controller for 30 s; then, separately, the
  leader's connection to Redis is blackholed until another controller
  leads and a second dead host is recovered.

Counted: seconds from the break to the recovery's end; duplicate
evacuations Nova accepted, vmoves lost, instances left on a dead host,
notifications not final (from ``test_kill9.Round``: the database and the
simulator's call counts); vmoves run by two engines, the claims of each
vmove (its ``attempts``) beyond one, and beyond two for a vmove an engine
had claimed when it was killed or cut off from the coordination backend;
seconds with two leaders, from each process's own log of its stretches of
leadership ("Monitor leadership of M (term N) from T" and "... ended at
T"; a killed process's stretch ends at its kill).
"""

import datetime
import os
import random
import re
import signal
import threading
import time
from typing import Any

import testtools
from testtools import content

from tests.fixtures import fault_proxy
from tests.fixtures import ports
from tests.functional.processes import base
from tests.reliability import figures
from tests.reliability import test_kill9
from vmotiond import clock as clock_mod
from vmotiond import constants

CONTROLLERS = 3
HOSTS = 5
SERVERS = 12
LEASE = 3.0
HEARTBEAT = 1.0
CUT = 30.0
REDIS_PORT = 6379
SEED = int(os.environ.get("VMOTIOND_RELIABILITY_SEED", "20261130"))
TIMEOUT = 90
STRETCH = re.compile(r"Monitor leadership of (\S+) \(term \d+\) "
                     r"(from|ended at) "
                     r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)")
MUST_BE_ZERO = ("lost", "duplicates", "left_on_dead_host", "not_final",
                "failed", "two_leader_seconds", "run_by_two_engines")
# The engine's line for a vmove it stops, its claim superseded or its
# lock lost (vmotiond/engine/running/runner.py).
STOPPED_CLAIM = re.compile(r"vmove \S+ of instance (\S+): .*; this engine "
                           r"stops it and asks nothing more")

Stretch = tuple[datetime.datetime, datetime.datetime]


def stretches(log: str, until: datetime.datetime) -> list[Stretch]:
    """A process's stretches of leadership from its log; one still open
    ends at ``until``."""
    found: list[Stretch] = []
    since = None
    for _member, kind, at in STRETCH.findall(log):
        instant = datetime.datetime.fromisoformat(at)
        if kind == "from":
            since = instant
        elif since is not None:
            found.append((since, instant))
            since = None
    if since is not None:
        found.append((since, max(since, until)))
    return found


def two_leader_seconds(per_process: list[list[Stretch]]) -> float:
    """Seconds during which two processes or more led at once."""
    edges = sorted((t, step) for one in per_process for start, end in one
                   for t, step in ((start, 1), (end, -1)))
    total, leading, last = 0.0, 0, None
    for instant, step in edges:
        if leading >= 2 and last is not None:
            total += (instant - last).total_seconds()
        leading += step
        last = instant
    return round(total, 3)


class Controller:
    """One controller's vmotiond: its process, config and Redis proxy;
    the stretches of leadership of its killed processes."""

    def __init__(self, name: str, config: str,
                 proxy: fault_proxy.FaultProxy) -> None:
        self.name = name
        self.config = config
        self.proxy = proxy
        self.process: base.Process | None = None
        self.lives = 0
        self.past: list[Stretch] = []

    def start(self, processes: base.Processes) -> None:
        self.lives += 1
        self.process = processes.start(
            "vmotiond-%s-%d" % (self.name, self.lives),
            [base.command("vmotiond"), "--config-file", self.config])

    def kill(self, processes: base.Processes) -> datetime.datetime:
        """``SIGKILL`` the process; its stretches end at the kill."""
        assert self.process is not None
        self.process.signal(signal.SIGKILL)
        self.process.wait(30)
        killed_at = clock_mod.utcnow()
        self.past += stretches(self.log(), killed_at)
        processes.started.remove(self.process)    # killed on purpose
        self.process = None
        return killed_at

    def log(self) -> str:
        """The running process's log ('' while none runs)."""
        if self.process is None:
            return ""
        return self.process.out() + self.process.err()

    def stretches(self) -> list[Stretch]:
        return self.past + stretches(self.log(), clock_mod.utcnow())

    def leading(self) -> bool:
        """Its log says it leads now (a stretch is open)."""
        found = STRETCH.findall(self.log())
        return bool(found) and found[-1][1] == "from"

    def led_since(self, instant: datetime.datetime) -> bool:
        """It began a stretch of leadership after ``instant``."""
        return any(start > instant for start, _ in self.stretches())


class ControllersCase(testtools.TestCase):
    """Three controllers beside one simulated cloud."""

    def setUp(self) -> None:
        super().setUp()
        self.rng = random.Random("%s-%s" % (SEED, self.id()))
        self.dep = self.useFixture(base.Deployment("mysql"))
        self.sim = self.useFixture(base.SimProcess(
            self.dep.processes, self.dep.dir, "--hosts", str(HOSTS),
            "--standby", "0", "--servers", str(SERVERS),
            "--seed", str(self.rng.randrange(10 ** 6)),
            "--report-interval", "2", "--service-down-time", "6"))
        self.sim.control("PUT", "/latency/evacuate",
                         {"kind": "uniform", "low": 0.5, "high": 2.0})
        options = self.dep.options(self.sim.clouds_yaml,
                                   self.sim.cloud_name)
        namespace = self.dep.names["exchange"]
        self.controllers = []
        for i in range(CONTROLLERS):
            proxy = self.useFixture(fault_proxy.FaultProxy(REDIS_PORT))
            name = "%s-c%d" % (self.dep.names["host"], i)
            state = os.path.join(self.dep.dir, name)
            os.mkdir(state)
            mine = {group: dict(values) for group, values in options.items()}
            mine["DEFAULT"].update(host=name, state_path=state)
            mine["coordination"].update(
                backend_url="redis://%s?namespace=%s" % (proxy.url_netloc,
                                                         namespace),
                lease_timeout=LEASE, heartbeat_interval=HEARTBEAT)
            mine["api"]["bind_port"] = ports.free_port()
            config = self.dep.write_config(
                mine, os.path.join(self.dep.dir, "%s.conf" % name))
            self.controllers.append(Controller(name, config, proxy))
        self.dep.write_config(options)
        self.dep.manage("db", "sync")
        for controller in self.controllers:
            controller.start(self.dep.processes)
        for controller in self.controllers:
            self.running(controller)
        self.db = self.dep.db.database
        self.wait(lambda: len(self.db.host_list()) == HOSTS, 60,
                  "the inventory")
        self.wait(self.leader, 30, "a monitor leader")
        self.dead: set[str] = set()
        self.addCleanup(self.describe)

    def describe(self) -> None:
        for controller in self.controllers:
            self.addDetail(controller.name, content.text_content(
                "\n".join(line for line in controller.log().splitlines()
                          if "Monitor leadership" in line
                          or "otification" in line)))

    def running(self, controller: Controller) -> None:
        self.wait(lambda: "vmotiond is running" in controller.log(), 120,
                  "%s started" % controller.name)

    def wait(self, predicate: Any, timeout: float, what: str) -> Any:
        return base.wait_for(predicate, timeout, what, self.dep.processes)

    def leader(self) -> Controller | None:
        leading = [c for c in self.controllers if c.leading()]
        return leading[0] if len(leading) == 1 else None

    def two_leader_seconds(self) -> float:
        return two_leader_seconds([c.stretches() for c in self.controllers])

    def kill_host(self) -> test_kill9.Round:
        """Kill the live host with the most instances, its evacuations
        held in flight once accepted; wait until Nova accepted one."""
        servers = self.sim.servers()
        on: dict[str, int] = {}
        for server in servers.values():
            if server.compute_host and server.compute_host not in self.dead:
                on[server.compute_host] = on.get(server.compute_host, 0) + 1
        victim = max(sorted(on), key=lambda h: on[h])
        self.dead.add(victim)
        round_ = test_kill9.Round(self.db, self.sim, [victim], servers,
                                  self.dead)
        self.sim.control("PUT", "/hold/evacuate")
        self.sim.control("POST", "/hosts/%s/kill" % victim)
        self.wait(lambda: round_.evacuations() >= 1, TIMEOUT,
                  "an evacuation of %s" % victim)
        return round_

    def holder(self, round_: test_kill9.Round) -> Controller:
        """The controller whose engine planned the round's recovery."""
        note = round_.notes()[0]
        planned = "Notification %s: " % note.uuid
        return next(c for c in self.controllers if planned in c.log())

    def took_up(self, round_: test_kill9.Round,
                controllers: list[Controller]) -> bool:
        line = "Resuming notification %s" % round_.notes()[0].uuid
        return any(line in c.log() for c in controllers)

    def claims(self, round_: test_kill9.Round) -> dict[str, tuple[str, int]]:
        return {sid: (v.status, v.attempts)
                for sid, v in round_.vmoves().items()}

    @staticmethod
    def stopped(controllers: list[Controller]) -> frozenset[str]:
        """Instances whose vmove an engine stopped when it found its claim
        superseded or its lock lost (it then calls nothing more for it)."""
        return frozenset(STOPPED_CLAIM.findall("".join(
            c.log() for c in controllers)))

    @staticmethod
    def run_by_two(before: dict[str, tuple[str, int]],
                   after: dict[str, tuple[str, int]],
                   stopped: frozenset[str] = frozenset()) -> int:
        """vmoves claimed by more engines than may have run them: one
        before ``before`` was read (at a kill), one after for those not
        final then, and one more for a claim its engine stopped at its
        first call (``stopped``; the simulator's count of evacuations
        says whether a call got through)."""
        found = 0
        for sid, (_status, attempts) in after.items():
            status, earlier = before.get(sid, (constants.PENDING, 0))
            allowed = 0 if status in constants.VMOVE_DONE_STATUSES else 1
            allowed += sid in stopped
            found += earlier > 1 or attempts - earlier > allowed
        return found

    def finish(self, round_: test_kill9.Round) -> float:
        """Let the held evacuations go; the seconds until the end."""
        started = time.monotonic()
        self.sim.control("DELETE", "/hold/evacuate")
        self.wait(round_.ended, TIMEOUT, "the recovery's end")
        return time.monotonic() - started

    def record(self, scenario: str, round_: test_kill9.Round,
               **extra: Any) -> None:
        found = round_.figures()
        values = {k: found[k] for k in test_kill9.MUST_BE_ZERO}
        values.update(extra, two_leader_seconds=self.two_leader_seconds(),
                      moved=found[constants.SUCCEEDED],
                      instances=len(round_.moved))
        figures.record(scenario, **values)
        self.assertEqual({k: 0 for k in MUST_BE_ZERO},
                         {k: values[k] for k in MUST_BE_ZERO},
                         "\n".join(round_.failures()))


class KillTest(ControllersCase):

    def test_leader_killed_then_lock_holder_killed(self) -> None:
        killed = self.leader_killed()
        killed.start(self.dep.processes)    # three again for the next kill
        self.running(killed)
        self.lock_holder_killed()

    def leader_killed(self) -> Controller:
        leader = self.leader()
        assert leader is not None
        round_ = self.kill_host()
        holder = self.holder(round_)
        started = time.monotonic()
        killed_at = leader.kill(self.dep.processes)
        before = self.claims(round_)
        others = [c for c in self.controllers if c is not leader]
        self.wait(lambda: any(c.led_since(killed_at) for c in others),
                  TIMEOUT, "a new leader")
        handover = time.monotonic() - started
        if holder is leader:
            self.wait(lambda: self.took_up(round_, others), TIMEOUT,
                      "the recovery taken up")
        self.finish(round_)
        self.record("three controllers, leading monitor killed", round_,
                    seconds_to_finish=round(time.monotonic() - started, 1),
                    seconds_to_new_leader=round(handover, 1),
                    lock_holder_killed=int(holder is leader),
                    run_by_two_engines=self.run_by_two(
                        before, self.claims(round_)))
        return leader

    def lock_holder_killed(self) -> None:
        round_ = self.kill_host()
        holder = self.holder(round_)
        started = time.monotonic()
        holder.kill(self.dep.processes)
        before = self.claims(round_)
        others = [c for c in self.controllers if c is not holder]
        self.wait(lambda: self.took_up(round_, others), TIMEOUT,
                  "the recovery taken up")
        takeover = time.monotonic() - started
        self.finish(round_)
        self.record("three controllers, engine holding the lock killed",
                    round_,
                    seconds_to_finish=round(time.monotonic() - started, 1),
                    seconds_to_take_over=round(takeover, 1),
                    run_by_two_engines=self.run_by_two(
                        before, self.claims(round_)))


class BackendDownTest(ControllersCase):

    def test_backend_down_for_all_for_30_s(self) -> None:
        round_ = self.kill_host()
        for controller in self.controllers:
            controller.proxy.set_mode("down")
        cut_at = clock_mod.utcnow()
        # The lock holder stops at its next lock check; the engine that
        # takes the notification up after the outage claims again what it
        # had claimed: one takeover, as after a kill.
        before = self.claims(round_)
        threading.Event().wait(CUT)          # the outage lasts that long
        for controller in self.controllers:
            controller.proxy.set_mode("up")
        started = time.monotonic()
        self.wait(lambda: any(c.led_since(cut_at) for c in self.controllers),
                  TIMEOUT, "a leader after the outage")
        self.finish(round_)
        self.record("three controllers, Redis down for all for 30 s",
                    round_,
                    seconds_to_finish=round(time.monotonic() - started, 1),
                    run_by_two_engines=self.run_by_two(
                        before, self.claims(round_),
                        self.stopped(self.controllers)))


class CutOffAloneTest(ControllersCase):

    def test_leader_cut_off_from_the_backend_alone(self) -> None:
        cut = self.leader()
        assert cut is not None
        cut.proxy.set_mode("blackhole")
        cut_at = clock_mod.utcnow()
        started = time.monotonic()
        others = [c for c in self.controllers if c is not cut]
        self.wait(lambda: any(c.led_since(cut_at) for c in others),
                  TIMEOUT, "another leader")
        handover = time.monotonic() - started
        round_ = self.kill_host()
        self.finish(round_)
        cut.proxy.set_mode("up")
        # The cut-off process logs the end of its lead once its blocked
        # call to Redis returns.
        self.wait(lambda: not cut.leading(), TIMEOUT,
                  "the cut-off leader's end logged")
        self.record("three controllers, one cut off from Redis", round_,
                    seconds_to_finish=round(time.monotonic() - started, 1),
                    seconds_to_new_leader=round(handover, 1),
                    run_by_two_engines=self.run_by_two(
                        {}, self.claims(round_)))
