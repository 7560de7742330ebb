"""Outages of the services vmotiond depends on, in the middle of recoveries.

An all-in-one vmotiond (monitor and engine) on MariaDB, RabbitMQ and
Redis beside a 12-host ``vmotiond-sim`` cloud, started and counted as in
``test_kill9`` (its ``Round``: vmoves lost, duplicate evacuate calls Nova
accepted, instances left on a dead host, notifications not final). The
shared services are never stopped: vmotiond reaches the one cut through
a ``FaultProxy`` the test switches.

- RabbitMQ ``down`` from the moment the monitor declares a host dead
  (its log line), a second host dying during the outage, the bus back
  after ``BUS_OUTAGE`` s: notifications lost, duplicate workflows and
  evacuations (0), seconds from the restore until the engine has acted
  on every victim (0 when it acted during the outage: the monitor
  persists its verdict before it sends it and the engine looks for new
  notifications in the database), and from the second verdict until the
  engine acted on it with the bus down.
- MariaDB ``down`` for 30 s once the first evacuation of a round is
  accepted, then ``blackhole`` (connections open, nothing answered) for
  ``BLACKHOLE`` s the same way: the recoveries finish afterwards with
  nothing lost or doubled.
- Nova's evacuate answering 503 and 500, timing out after the
  evacuation was applied (the answer dropped) and timing out without it,
  and one instance's evacuate answering 503 always: bounded retries,
  every vmove final, the one that cannot be moved ``failed`` naming the
  503, no duplicate evacuation.
"""

import collections
import random
import time
from typing import Any

from testtools import content

from tests.fixtures import fault_proxy
from tests.fixtures import rabbit
from tests.functional.processes import base
from tests.reliability import figures
from tests.reliability import test_kill9
from vmotiond import constants

HOSTS = 12
SERVERS = 36
BUS_OUTAGE = 15
DB_OUTAGE = 30
# The blackhole round is shorter: a stuck connection resumes as soon as
# the proxy is up again, so 15 s tell what 30 s would, and the suite
# stays in its budget.
BLACKHOLE = 15
API_TIMEOUT = 3.0
API_RETRIES = 3
STEP_RETRIES = 3             # [engine] step_retries' default
ROUND_TIMEOUT = 150


class OutageCase(test_kill9.Kill9Case):
    """A deployment whose service under test sits behind a proxy."""

    def setUp(self) -> None:
        super().setUp()
        self.rng = random.Random("%s-%s" % (test_kill9.SEED, self.id()))
        self.dead: set[str] = set()
        self.failures: list[str] = []    # what the operator reads of each

    def begin(self, backend_url: str | None = None) -> None:
        self.deploy("mysql", backend_url, self.rng, HOSTS, SERVERS)
        self.process = self.start()

        self.db = self.dep.db.database
        self.wait(lambda: len(self.db.host_list()) == HOSTS, 60,
                  "the inventory")

    def wait(self, predicate: Any, timeout: float, what: str,
             interval: float = 0.2) -> Any:
        return base.wait_for(predicate, timeout, what, self.dep.processes,
                             interval)

    def kill(self, count: int) -> test_kill9.Round:
        """Kill ``count`` hosts that carry instances; their round."""
        servers = self.sim.servers()
        hosts = {s.compute_host for s in servers.values()} - {None}
        victims = self.rng.sample(sorted(hosts - self.dead), count)
        self.dead.update(victims)
        round_ = test_kill9.Round(self.db, self.sim, victims, servers,
                                  self.dead)
        for host in victims:
            self.sim.control("POST", "/hosts/%s/kill" % host)
        return round_

    def declared(self, host: str) -> bool:
        """Whether the monitor logged its verdict on ``host``."""
        return "Host %s is down " % host in self.process.out()

    def finish(self, round_: test_kill9.Round) -> collections.Counter[str]:
        """Wait for the round's end; its figures, and notifications
        beyond one a victim (duplicate workflows) or for a host nobody
        killed (wrongful fences)."""
        self.wait(round_.ended, ROUND_TIMEOUT, "the round's end")
        found = round_.figures()
        notes = self.db.notification_list(type=constants.COMPUTE_HOST)
        per_host = collections.Counter(n.host for n in round_.notes())
        found["duplicate_workflows"] = sum(c - 1 for c in per_host.values())
        found["wrongful_fences"] = sum(n.host not in self.dead
                                       for n in notes)
        self.failures.extend(round_.failures())
        return found

    def check(self, scenario: str, found: collections.Counter[str],
              names: tuple[str, ...], **extra: Any) -> None:
        figures.record(scenario, **{k: found[k] for k in names}, **extra)
        self.addDetail("vmotiond warnings", content.text_content("\n".join(
            line for line in self.process.out().splitlines()
            if " WARNING " in line or " ERROR " in line)))
        self.assertEqual({k: 0 for k in names}, {k: found[k] for k in names},
                         "\n".join(self.failures))


MUST_BE_ZERO = test_kill9.MUST_BE_ZERO + ("duplicate_workflows",
                                          "wrongful_fences")


class RabbitMQOutageTest(OutageCase):
    """The bus cut at the verdict and back after ``BUS_OUTAGE`` s."""

    def test_bus_down_at_verdict(self) -> None:
        rabbit.check()
        proxy = self.useFixture(fault_proxy.FaultProxy(5672))
        self.begin("rabbit://guest:guest@%s/" % proxy.url_netloc)
        first = self.kill(1)
        host = next(iter(first.victims))
        self.wait(lambda: self.declared(host), 60, "the verdict on " + host,
                  interval=0.02)
        proxy.set_mode("down")
        cut = time.monotonic()
        second = self.kill(1)
        other = next(iter(second.victims))
        self.wait(lambda: self.declared(other), 60,
                  "the verdict on %s during the outage" % other)
        verdict = time.monotonic()
        # The outage lasts BUS_OUTAGE s; meanwhile, when does the engine
        # act on the verdict the bus never carried?
        acted_on_second = None
        while time.monotonic() < cut + BUS_OUTAGE:
            if acted_on_second is None and second.evacuations():
                acted_on_second = round(time.monotonic() - verdict, 1)
            time.sleep(0.2)
        acted_during = sum(r.evacuations() > 0 for r in (first, second))
        proxy.set_mode("up")
        restored = time.monotonic()
        self.wait(lambda: all(r.evacuations() > 0 for r in (first, second)),
                  ROUND_TIMEOUT, "the engine acting on both victims")
        acted = time.monotonic() - restored
        found = self.finish(first) + self.finish(second)
        self.check("RabbitMQ down at the verdict, back after %d s"
                   % BUS_OUTAGE, found, MUST_BE_ZERO,
                   seconds_restore_to_act=round(acted, 1),
                   acted_during_outage=acted_during,
                   seconds_verdict_to_act_bus_down=acted_on_second,
                   moved=found[constants.SUCCEEDED],
                   ignored=found[constants.IGNORED],
                   reconnections=proxy.connections)


class DatabaseOutageTest(OutageCase):
    """MariaDB cut mid-recovery: reset (``down``), then silent."""

    def tune(self, options: dict[str, dict[str, Any]]) -> None:
        url = options["database"]["connection"]
        options["database"]["connection"] = url.replace(
            "127.0.0.1:3306", self.proxy.url_netloc)

    def test_database_unreachable_mid_recovery(self) -> None:
        self.proxy = self.useFixture(fault_proxy.FaultProxy(3306))
        self.begin()
        for mode, seconds in (("down", DB_OUTAGE), ("blackhole", BLACKHOLE)):
            round_ = self.kill(2)
            self.wait(lambda r=round_: r.evacuations() >= 1, 90,
                      "an evacuation")
            self.proxy.set_mode(mode)
            time.sleep(seconds)
            during = round_.evacuations()
            self.proxy.set_mode("up")
            restored = time.monotonic()
            found = self.finish(round_)
            why = "" if seconds == DB_OUTAGE else \
                " (held connections resume at once: shorter)"
            self.check("MariaDB %s for %d s mid-recovery%s" % (
                mode, seconds, why), found, MUST_BE_ZERO,
                seconds_restore_to_end=round(time.monotonic() - restored, 1),
                evacuations_during_outage=during,
                moved=found[constants.SUCCEEDED],
                ignored=found[constants.IGNORED])


class NovaFaultTest(OutageCase):
    """Nova's evacuate failing in every way a proxy or Nova can."""

    def tune(self, options: dict[str, dict[str, Any]]) -> None:
        options["cloud"].update(api_timeout=API_TIMEOUT,
                                api_retries=API_RETRIES,
                                api_retry_backoff=0.2)
        options["engine"]["step_retries"] = STEP_RETRIES

    def test_nova_faults_on_evacuate(self) -> None:
        self.begin()
        op = "compute.action.evacuate"
        round_ = self.kill(3)
        stuck = sorted(s for s in round_.moved
                       if s not in round_.rescued)[0]
        self.sim.control("POST", "/faults", {
            "op": op, "kind": "http_503", "server_id": stuck})
        for kind, apply in (("http_503", True), ("http_500", True),
                            ("timeout", True), ("timeout", False)):
            self.sim.control("POST", "/faults", {
                "op": op, "kind": kind, "count": 2, "apply": apply,
                "seconds": API_TIMEOUT + 2})
        found = self.finish(round_)
        rules = self.sim.control("GET", "/faults")["faults"]
        fired = {r["kind"] + ("" if r["apply"] else "_dropped"): r["fired"]
                 for r in rules if r["server_id"] is None}
        # An injected 5xx answers before Nova's handler: the rule counts
        # those calls, /counts the ones Nova ran.
        attempts = next(r["fired"] for r in rules if r["server_id"])
        counts = self.sim.control("GET", "/counts")
        vmove = round_.vmoves()[stuck]
        injected = int(vmove.status == constants.FAILED)
        found[constants.FAILED] -= injected
        self.check("Nova evacuate 5xx, time-outs applied and dropped",
                   found, MUST_BE_ZERO, faults_fired=sum(fired.values()),
                   stuck_attempts=attempts, failed_as_injected=injected,
                   max_accepted=max(test_kill9.accepted(counts, s)
                                    for s in round_.moved),
                   moved=found[constants.SUCCEEDED],
                   ignored=found[constants.IGNORED])
        self.assertEqual(constants.FAILED, vmove.status)
        self.assertIn("HTTP 503", vmove.message or "")
        # Each of the step's attempts retries the call: bounded by both.
        self.assertEqual((API_RETRIES + 1) * (STEP_RETRIES + 1), attempts)
        self.assertEqual({"http_503": 2, "http_500": 2, "timeout": 2,
                          "timeout_dropped": 2}, fired)
