"""``kill -9`` of the all-in-one vmotiond at chosen points of recoveries.

Each round kills five hosts of a 60-host ``vmotiond-sim`` cloud (two
instances a host on average; each evacuation takes 0.5 to 2 s), waits
for the round's kill point, ``SIGKILL``s vmotiond, starts it again and
waits until every recovery of the round has ended. The points, shuffled
by the seed: before the verdict, once every host has its notification,
once the first evacuation is accepted, once the last one is (moves in
flight). Five rounds on MariaDB with RabbitMQ, five on SQLite with the
embedded bus and a concurrent reader: 50 recoveries.

Counted from the database and from the simulator's own call log: vmoves
lost (an instance of a dead host without one), duplicate evacuate calls
Nova accepted, instances whose vmove succeeded left on a dead host,
notifications not final, vmoves failed. Each must be 0. Instances the
policy does not move (one in ERROR) are ``ignored`` with the reason; a
rescued one is moved but cannot be rescued again, and its vmove ends
``failed`` saying so: both are counted apart and listed.
"""

import collections
import os
import random
import signal
import sqlite3
import threading
import time
from typing import Any

import requests
import testtools
from testtools import content

from tests.functional.processes import base
from tests.reliability import figures
from vmotiond import constants

HOSTS = 60
SERVERS = 120
ROUNDS = 5
VICTIMS = 5
POINTS = ("before-verdict", "at-verdict", "mid-evacuation", "last-moves")
NOTE_DONE = (constants.NOTIFICATION_FINISHED, constants.NOTIFICATION_FAILED,
             constants.NOTIFICATION_IGNORED, constants.NOTIFICATION_ABORTED)
SEED = int(os.environ.get("VMOTIOND_RELIABILITY_SEED", "20261130"))
ROUND_TIMEOUT = 180
MUST_BE_ZERO = ("lost", "duplicates", "left_on_dead_host", "not_final",
                "failed")


class SqliteReader(threading.Thread):
    """Reads the vmoves and notifications in short transactions until
    stopped, as an operator's ``vmotiond-manage`` or a second API would."""

    def __init__(self, path: str) -> None:
        super().__init__(daemon=True, name="sqlite-reader")
        self.path = path
        self.stop = threading.Event()
        self.reads = 0
        self.errors: list[str] = []

    def run(self) -> None:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            while not self.stop.wait(0.01):
                try:
                    db.execute("BEGIN")
                    db.execute("SELECT count(*) FROM vmoves").fetchone()
                    db.execute("SELECT status, count(*) FROM notifications "
                               "GROUP BY status").fetchall()
                    db.execute("COMMIT")
                    self.reads += 1
                except sqlite3.Error as exc:
                    self.errors.append(str(exc))
                    if db.in_transaction:
                        db.execute("ROLLBACK")
        finally:
            db.close()


def accepted(counts: dict[str, Any], server_id: str) -> int:
    """Evacuations of ``server_id`` Nova accepted, in a ``/counts``."""
    return counts.get(server_id, {}).get("evacuate", {}).get("accepted", 0)


class Round:
    """Hosts killed together, their instances, and what became of them."""

    def __init__(self, db: Any, sim: base.SimProcess, victims: list[str],
                 servers: dict[str, Any], dead: set[str]) -> None:
        self.db = db
        self.sim = sim
        self.victims = set(victims)
        self.moved = {sid for sid, s in servers.items()
                      if s.compute_host in self.victims}
        # vmotiond moves them but cannot rescue them again: their vmove
        # ends failed, saying so.
        self.rescued = {sid for sid in self.moved
                        if servers[sid].status == "RESCUE"}
        self.dead = dead
        self.before = sim.control("GET", "/counts")

    def evacuations(self) -> int:
        """Evacuations Nova accepted for the round's instances."""
        now = self.sim.control("GET", "/counts")
        return sum(accepted(now, s) - accepted(self.before, s)
                   for s in self.moved)

    def notes(self) -> list[Any]:
        return [n for n in self.db.notification_list(
            type=constants.COMPUTE_HOST) if n.host in self.victims]

    def notified(self) -> bool:
        return {n.host for n in self.notes()} >= self.victims

    def vmoves(self) -> dict[str, Any]:
        """The round's vmoves by instance (the last one of each)."""
        return {v.instance_uuid: v for n in self.notes()
                for v in self.db.vmove_list(notification_uuid=n.uuid)}

    def ended(self) -> bool:
        """Every victim's notification final, and every instance's vmove
        (an instance the policy does not move is ``ignored`` with why)."""
        notes = self.notes()
        if {n.host for n in notes} < self.victims or any(
                n.status not in NOTE_DONE for n in notes):
            return False
        vmoves = self.vmoves()
        return all(s in vmoves and vmoves[s].status in
                   constants.VMOVE_DONE_STATUSES for s in self.moved)

    def figures(self) -> collections.Counter[str]:
        """The round's figures, from the database and the simulator."""
        found: collections.Counter[str] = collections.Counter()
        notes = self.notes()
        found["not_final"] = sum(n.status not in NOTE_DONE for n in notes) \
            + len(self.victims - {n.host for n in notes})
        vmoves = self.vmoves()
        found["lost"] = len(self.moved - set(vmoves))
        now = self.sim.control("GET", "/counts")
        found["duplicates"] = sum(
            max(0, accepted(now, s) - accepted(self.before, s) - 1)
            for s in self.moved)
        servers = self.sim.servers()
        for sid, vmove in vmoves.items():
            found[vmove.status] += 1
            if vmove.status == constants.FAILED and sid in self.rescued:
                found[vmove.status] -= 1
                found["rescued_not_restored"] += 1
            if vmove.status == constants.SUCCEEDED and \
                    servers[sid].compute_host in self.dead:
                found["left_on_dead_host"] += 1
        found["recoveries"] = len(self.victims)
        return found

    def failures(self) -> list[str]:
        """What an operator reads of each vmove that did not succeed."""
        servers = self.sim.servers()
        return ["%s %s (%s on %s): %s" % (
            v.status, sid, servers[sid].status, servers[sid].compute_host,
            v.message) for sid, v in self.vmoves().items()
            if v.status != constants.SUCCEEDED]


class Kill9Case(testtools.TestCase):
    """The rounds on one database and bus."""

    def deploy(self, backend: str, transport_url: str | None,
               rng: random.Random, hosts: int = HOSTS,
               servers: int = SERVERS) -> None:
        self.dep = self.useFixture(base.Deployment(backend, transport_url))
        self.sim = self.useFixture(base.SimProcess(
            self.dep.processes, self.dep.dir, "--hosts", str(hosts),
            "--standby", "0", "--servers", str(servers),
            "--seed", str(rng.randrange(10 ** 6)),
            "--report-interval", "2", "--service-down-time", "6"))
        options = self.dep.options(self.sim.clouds_yaml, self.sim.cloud_name)
        options["engine"]["resume_interval"] = 2.0
        self.tune(options)
        self.dep.write_config(options)
        self.dep.manage("db", "sync")
        self.sim.control("PUT", "/latency/evacuate",
                         {"kind": "uniform", "low": 0.5, "high": 2.0})

    def tune(self, options: dict[str, dict[str, Any]]) -> None:
        """Hook: change the configuration before it is written."""

    def wait(self, predicate: Any, timeout: float, what: str) -> Any:
        return base.wait_for(predicate, timeout, what, self.dep.processes)

    def start(self) -> base.Process:
        process = self.dep.start("vmotiond")
        self.wait(lambda: "vmotiond is running" in process.out(), 60,
                  "vmotiond started")
        return process

    def run_rounds(self, backend: str, transport_url: str | None) -> None:
        rng = random.Random("%s-%s" % (SEED, backend))
        self.deploy(backend, transport_url, rng)
        db = self.dep.db.database
        reader = None
        if backend == "sqlite":
            reader = SqliteReader(self.dep.db.url[len("sqlite:///"):])
            reader.start()
            self.addCleanup(reader.stop.set)
        process = self.start()
        self.wait(lambda: len(db.host_list()) == HOSTS, 60, "the inventory")
        points = [POINTS[i % len(POINTS)] for i in range(ROUNDS)]
        rng.shuffle(points)
        dead: set[str] = set()
        totals: collections.Counter[str] = collections.Counter()
        reached = []
        started = time.monotonic()
        for point in points:
            servers = self.sim.servers()
            hosts = {s.compute_host for s in servers.values()} - {None}
            victims = rng.sample(sorted(hosts - dead), VICTIMS)
            dead.update(victims)
            round_ = Round(db, self.sim, victims, servers, dead)
            for host in victims:
                self.sim.control("POST", "/hosts/%s/kill" % host)
            if point == "at-verdict":
                self.wait(round_.notified, 60, "every victim's notification")
            elif point == "mid-evacuation":
                self.wait(lambda r=round_: r.evacuations() >= 1, 90,
                          "an evacuation")
            elif point == "last-moves":
                self.wait(lambda r=round_: r.evacuations() ==
                          len(r.moved), 120, "every evacuation accepted")
            process.signal(signal.SIGKILL)
            process.wait(30)
            self.dep.processes.started.remove(process)   # killed on purpose
            reached.append("%s: notified %s, evacuations %d of %d" % (
                point, round_.notified(), round_.evacuations(),
                len(round_.moved)))
            process = self.start()
            try:
                self.wait(round_.ended, ROUND_TIMEOUT, "the round's end")
            except AssertionError as exc:
                reached.append(str(exc))
            totals += round_.figures()
            reached.extend(round_.failures())
            totals["kills"] += 1
        extra = {"api_5xx": self.api_errors()}
        if reader is not None:
            reader.stop.set()
            reader.join(30)
            extra.update(reader_reads=reader.reads,
                         reader_errors=len(reader.errors))
        figures.record("kill -9 all-in-one, %s" % backend,
                       seconds=round(time.monotonic() - started),
                       kills=totals["kills"], recoveries=totals["recoveries"],
                       moved=totals[constants.SUCCEEDED],
                       ignored=totals[constants.IGNORED],
                       rescued_not_restored=totals["rescued_not_restored"],
                       **{k: totals[k] for k in MUST_BE_ZERO}, **extra)
        self.addDetail("kill points", content.text_content(
            "\n".join(reached)))
        self.assertEqual(ROUNDS * VICTIMS, totals["recoveries"])
        self.assertEqual({k: 0 for k in MUST_BE_ZERO},
                         {k: totals[k] for k in MUST_BE_ZERO},
                         "\n".join(reached))
        self.assertEqual(0, extra["api_5xx"])
        if reader is not None:
            self.assertEqual([], reader.errors)

    def api_errors(self) -> int:
        """5xx answers of the REST API to the pages an operator reads."""
        errors = 0
        for path in ("/v1/notifications", "/v1/vmoves?limit=100",
                     "/v1/hosts"):
            response = requests.get(
                "http://127.0.0.1:%d%s" % (self.dep.api_port, path),
                headers={"OpenStack-API-Version": base.API_VERSION},
                timeout=30)
            errors += response.status_code >= 500
        return errors


class MariaDBRabbitMQTest(Kill9Case):
    """MariaDB, RabbitMQ and Redis, as several controllers would share."""

    def test_kill9_rounds(self) -> None:
        self.run_rounds("mysql", None)


class SqliteEmbeddedTest(Kill9Case):
    """The embedded default: SQLite and the in-process bus, with a
    concurrent reader of the database file."""

    def test_kill9_rounds(self) -> None:
        self.run_rounds("sqlite", "fake://")
