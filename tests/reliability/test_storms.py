"""Storms and flaps: what must not be fenced or moved, and what must.

On MariaDB, RabbitMQ and Redis beside a 10-host ``vmotiond-sim``:

- six hosts (60 %) die at once: the monitor raises its mass-failure alert
  and fences and moves nothing; once they are back, two hosts failing
  two failure windows apart are both recovered;
- a host flaps (out 3.5 s, back 3 s, three times), then stays out long
  enough for a recovery on its own: the monitor damps it, raises its
  flapping alert and fences and moves nothing;
- Nova's API answers 503 for 20 s: the monitor raises its Nova-unreachable
  alert and moves nothing; back in touch, it recovers a host that dies.

Counted from the simulator (evacuations Nova accepted, services vmotiond
forced down) and the database (alerts, notifications).
"""

import threading
import time
from typing import Any

import testtools

from tests.functional.processes import base
from tests.reliability import figures
from vmotiond import constants

HOSTS = 10
FAILURE_WINDOW = 10.0          # the Deployment's [monitor] failure_window
PARTITION = 20


class StormCase(testtools.TestCase):
    """vmotiond all-in-one on the shared services beside ``vmotiond-sim``."""

    def setUp(self) -> None:
        super().setUp()
        self.dep = self.useFixture(base.Deployment("mysql"))
        self.sim = self.useFixture(base.SimProcess(
            self.dep.processes, self.dep.dir, "--hosts", str(HOSTS),
            "--standby", "0", "--servers", "30", "--seed", "21",
            "--report-interval", "2", "--service-down-time", "6"))
        self.dep.write_config(self.dep.options(self.sim.clouds_yaml,
                                               self.sim.cloud_name))
        self.dep.manage("db", "sync")
        self.db = self.dep.db.database
        process = self.dep.start("vmotiond")
        self.wait(lambda: "vmotiond is running" in process.out(), 60,
                  "vmotiond started")
        self.wait(lambda: len(self.db.host_list()) == HOSTS, 60,
                  "the inventory")
        self.hosts = sorted(h.name for h in self.db.host_list())

    def wait(self, predicate: Any, timeout: float, what: str) -> Any:
        return base.wait_for(predicate, timeout, what, self.dep.processes)

    def evacuations(self) -> int:
        return sum(c.get("evacuate", {}).get("accepted", 0) for c in
                   self.sim.control("GET", "/counts").values())

    def fenced(self, hosts: list[str]) -> list[str]:
        """The hosts whose service vmotiond forced down or disabled."""
        views = [self.sim_host(h) for h in hosts]
        return [v["name"] for v in views if v["forced_down"] or
                (v["disabled_reason"] or "").startswith("vmotiond")]

    def alert(self, kind: str, host: str | None = None) -> Any:
        return next((a for a in self.db.alert_list()
                     if a.type == kind and (host is None or
                                            host in (a.hosts or ()))), None)

    def sim_host(self, host: str) -> dict[str, Any]:
        return self.sim.control("GET", "/hosts/%s" % host)

    def monitor_state(self, host: str) -> str:
        return self.db.host_get(host).monitor_state

    def recovered(self, host: str) -> Any:
        notes = [n for n in self.db.notification_list(
            host=host, type=constants.COMPUTE_HOST)
            if n.status == constants.NOTIFICATION_FINISHED]
        return notes[0] if notes else None


class MassFailureTest(StormCase):

    def test_storm_moves_nothing_then_single_failures_recover(self) -> None:
        started = time.monotonic()
        storm = self.hosts[:6]
        for host in storm:
            self.sim.control("POST", "/hosts/%s/kill" % host)
        alert = self.wait(lambda: self.alert("mass_failure"), 60,
                          "the mass-failure alert")
        # Every stormed host seen failing by the monitor, and the guard
        # still holding: nothing may have been fenced or moved.
        self.wait(lambda: all(self.monitor_state(h) != "up"
                              for h in storm), 60, "the storm seen")
        wrongful_evacuations = self.evacuations()
        wrongful_fences = len(self.fenced(storm))
        for host in storm:
            self.sim.control("POST", "/hosts/%s/revive" % host)
        self.wait(lambda: all(self.monitor_state(h) == "up" for h in storm),
                  90, "the storm's hosts back up")
        first, second = self.hosts[6], self.hosts[7]
        self.sim.control("POST", "/hosts/%s/kill" % first)
        self.wait(lambda: self.recovered(first), 120,
                  "the first host's recovery")
        # Two failure windows later the first no longer counts for the
        # mass-failure guard: the second must be recovered on its own.
        threading.Event().wait(2 * FAILURE_WINDOW)
        self.sim.control("POST", "/hosts/%s/kill" % second)
        self.wait(lambda: self.recovered(second), 120,
                  "the second host's recovery")
        figures.record(
            "60 % of hosts down at once, then two failures apart",
            seconds=round(time.monotonic() - started),
            alert=alert.type, wrongful_evacuations=wrongful_evacuations,
            wrongful_fences=wrongful_fences,
            recovered_after=sum(bool(self.recovered(h))
                                for h in (first, second)))
        self.assertEqual((0, 0), (wrongful_evacuations, wrongful_fences))


class FlappingHostTest(StormCase):

    def test_a_flapping_host_is_damped_not_moved(self) -> None:
        started = time.monotonic()
        host = self.hosts[0]
        self.sim.control("POST", "/hosts/%s/flap" % host,
                         {"down": 3.5, "up": 3.0, "cycles": 3})
        alert = self.wait(lambda: self.alert("flapping", host), 90,
                          "the flapping alert")
        self.wait(lambda: self.sim_host(host)["compute_running"], 30,
                  "the last flap's end")
        # Out long enough now for a recovery of its own, were it not
        # damped: Nova says down, the monitor sees it, and a recovery
        # would start within down_grace (1.5 s) and two polls (0.5 s).
        self.sim.control("POST", "/hosts/%s/kill" % host)
        self.wait(lambda: self.sim_host(host)["state"] == "down", 30,
                  "Nova's verdict on the long outage")
        self.wait(lambda: self.monitor_state(host) != "up", 30,
                  "the monitor sees it")
        threading.Event().wait(3 * 1.5)
        self.sim.control("POST", "/hosts/%s/revive" % host)
        self.wait(lambda: self.monitor_state(host) == "up", 60,
                  "the monitor sees it back")
        evacuations = self.evacuations()
        fences = len(self.fenced([host]))
        moving = [n for n in self.db.notification_list(host=host)
                  if n.status != constants.NOTIFICATION_IGNORED]
        figures.record("a flapping host", alert=alert.type,
                       seconds=round(time.monotonic() - started),
                       wrongful_evacuations=evacuations,
                       wrongful_fences=fences,
                       notifications_acted_on=len(moving))
        self.assertEqual((0, 0, []), (evacuations, fences, moving))


class PartitionTest(StormCase):

    def test_a_monitor_cut_off_from_nova_moves_nothing(self) -> None:
        started = time.monotonic()
        self.sim.control("POST", "/partition", {"mode": "503",
                                                "seconds": PARTITION})
        alert = self.wait(lambda: self.alert("nova_unreachable"), 60,
                          "the Nova-unreachable alert")
        threading.Event().wait(PARTITION)
        self.sim.control("DELETE", "/partition")
        # Back in touch, the monitor acts again: a host that dies now is
        # recovered, and nothing else was fenced or moved.
        victim = self.hosts[0]
        on_victim = set(self.sim_host(victim)["servers"])
        self.sim.control("POST", "/hosts/%s/kill" % victim)
        self.wait(lambda: self.recovered(victim), 120, "the recovery")
        counts = self.sim.control("GET", "/counts")
        evacuations = sum(c.get("evacuate", {}).get("accepted", 0)
                          for sid, c in counts.items()
                          if sid not in on_victim)
        fences = len(self.fenced(self.hosts[1:]))
        notes = [n for n in self.db.notification_list(
            type=constants.COMPUTE_HOST) if n.host != victim]
        figures.record("the monitor cut off from Nova (503, %d s)"
                       % PARTITION, alert=alert.type,
                       seconds=round(time.monotonic() - started),
                       wrongful_evacuations=evacuations,
                       wrongful_fences=fences,
                       recovered_after=1, notifications=len(notes))
        self.assertEqual((0, 0, []), (evacuations, fences, notes))
