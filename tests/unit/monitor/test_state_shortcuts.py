"""The state machine's shortcuts change nothing but its cost.

``evaluate`` skips the full step of a steady host
(``steady.is_steady``), trusts the memo of the previous cycle
(``ClusterState.steady``) when Nova's answer brings the very same
service object, leaves a quiet host's record as it was and counts only
the judged hosts in the guards. Here random histories (deaths,
revivals, fences, an operator's disable, maintenance, probe answers,
Nova unreachable, Nova's clock jumping) run twice: with every shortcut,
and with none (``is_steady`` always false and no memo). States and
events must be the same at every cycle.
"""

import dataclasses
import datetime
import random
from unittest import mock

import testtools

from tests.unit.monitor.fakes import T0
from tests.unit.monitor.fakes import svc
from vmotiond import constants
from vmotiond.cloud import records as cloud_records
from vmotiond.monitor import records
from vmotiond.monitor import state
from vmotiond.monitor import steady
from vmotiond.monitor import storm
from vmotiond.monitor.thresholds import Thresholds

INTERVAL = 10.0


class History:
    """A small random cloud whose service objects are kept while
    unchanged, as ``convert.ServiceReader`` keeps them."""

    def __init__(self, seed: int, n: int, pausing: bool = False) -> None:
        self.pausing = pausing
        self.rng = random.Random(seed)
        self.names = ["h%d" % i for i in range(n)]
        self.phase = {h: self.rng.uniform(0, INTERVAL) for h in self.names}
        self.alive = dict.fromkeys(self.names, True)
        self.answers = dict.fromkeys(self.names, True)
        self.fields = {h: ("enabled", False, None) for h in self.names}
        self.written: dict[str, datetime.datetime] = {}
        self.stopped: dict[str, datetime.datetime] = {}
        self.last: dict[str, cloud_records.ComputeService] = {}
        self.maintenance: set[str] = set()
        self.paused: set[str] = set()
        self.now = T0

    def topology(self) -> storm.Topology:
        """Two zones, an aggregate across them; HA paused at times."""
        if self.pausing and self.rng.random() < 0.03:
            self.paused ^= {self.rng.choice((storm.GLOBAL, "agg"))}
        half = len(self.names) // 2
        return storm.topology(
            {h: "az%d" % (i < half) for i, h in enumerate(self.names)},
            {"agg": self.names[half - 1:half + 1]}, self.paused)

    def beat(self, host: str) -> datetime.datetime | None:
        end = self.stopped.get(host, self.now)
        first = T0 + datetime.timedelta(seconds=self.phase[host])
        if end < first:
            return None
        k = int((end - first).total_seconds() // INTERVAL)
        beat = first + datetime.timedelta(seconds=k * INTERVAL)
        written = self.written.get(host)
        return max(beat, written) if written else beat

    def services(self) -> list[cloud_records.ComputeService]:
        out = []
        for host in self.names:
            status, forced, reason = self.fields[host]
            new = svc(host, self.beat(host), status, forced, reason)
            old = self.last.get(host)
            if old is not None and old == new:
                new = old
            self.last[host] = new
            out.append(new)
        return out

    def act(self) -> None:
        """One random change of the world, sometimes none."""
        rng, host = self.rng, self.rng.choice(self.names)
        roll = rng.random()
        if roll < 0.05 and self.alive[host]:
            self.alive[host] = False
            self.answers[host] = rng.random() < 0.3
            self.stopped[host] = self.now
        elif roll < 0.10 and not self.alive[host]:
            self.alive[host] = self.answers[host] = True
            self.stopped.pop(host, None)
        elif roll < 0.13:
            self.write(host, ("disabled", True,
                              constants.FENCE_REASON_PREFIX + ": failed"))
        elif roll < 0.15:
            self.write(host, ("disabled", False, "an operator's"))
        elif roll < 0.18:
            self.write(host, ("enabled", False, None))
        elif roll < 0.20:
            self.maintenance ^= {host}
        elif roll < 0.22:
            self.answers[host] = not self.answers[host]

    def write(self, host: str, fields: tuple[str, bool, str | None]
              ) -> None:
        if self.fields[host] != fields:
            self.fields[host] = fields
            self.written[host] = self.now

    def probes(self, result: records.ClusterState) -> dict[str, str]:
        out = {}
        for host in state.unsure(result):
            roll = self.rng.random()
            out[host] = (records.PROBE_UNKNOWN if roll < 0.05
                         else records.PROBE_UNTRUSTED if roll < 0.1
                         else records.PROBE_ALIVE if self.answers[host]
                         else records.PROBE_DEAD)
        return out


def _cycle(services: list[cloud_records.ComputeService] | None,
           hist: History, previous: records.ClusterState, th: Thresholds,
           probes_seed: int, fast: bool, topo: storm.Topology
           ) -> tuple[records.ClusterState, list[records.Event]]:
    """A manager's cycle: without probes, then with them if asked; the
    fast one as the manager runs it (one plan, decided twice)."""
    maintenance = frozenset(hist.maintenance)
    if services is None or not fast:
        result, events = state.evaluate(services, {}, previous, th,
                                        hist.now, maintenance, topo)
        hist.rng.seed(probes_seed)
        probes = hist.probes(result) if services is not None else {}
        if probes:
            result, events = state.evaluate(services, probes, previous, th,
                                            hist.now, maintenance, topo)
        return result, events
    plan = steady.prepare(services, previous, th, hist.now, maintenance)
    result, events = state.decide(plan, {}, topo)
    if th.probe_enabled:
        assert state.unsure_of(plan, result) == state.unsure(result)
    hist.rng.seed(probes_seed)
    probes = hist.probes(result)
    # The split over the whole answer at once is the one host by host.
    for asked in ({}, probes):
        assert (steady.split(services, previous, asked, maintenance)
                == steady.split_each(services, previous, asked,
                                     maintenance))
    if probes:
        result, events = state.decide(plan, probes, topo)
    return result, events


def _plain(result: records.ClusterState) -> records.ClusterState:
    return dataclasses.replace(result, steady={})


class ShortcutsTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.kinds: set[str] = set()
        self.states: set[str] = set()

    def _run(self, seed: int, th: Thresholds, cycles: int = 150,
             hosts: int = 6, pausing: bool = False) -> int:
        hist = History(seed, hosts, pausing)
        fast = slow = records.ClusterState()
        steady_seen = 0
        for i in range(cycles):
            hist.now += datetime.timedelta(seconds=hist.rng.choice(
                (1.0, 1.0, 1.0, 0.5, 2.0, 30.0 if i % 50 == 49 else 1.0)))
            hist.act()
            services = (None if hist.rng.random() < 0.03
                        else hist.services())
            probes_seed = hist.rng.randrange(1 << 30)
            topo = hist.topology()
            fast, fast_events = _cycle(services, hist, fast, th,
                                       probes_seed, fast=True, topo=topo)
            with mock.patch.object(steady, "is_steady",
                                   return_value=False):
                slow, slow_events = _cycle(services, hist, _plain(slow), th,
                                           probes_seed, fast=False,
                                           topo=topo)
            self.assertEqual(slow, fast, "seed %d cycle %d" % (seed, i))
            self.assertEqual(slow.hosts, fast.hosts)
            self.assertEqual(slow_events, fast_events,
                             "seed %d cycle %d" % (seed, i))
            self.assertEqual({}, slow.steady)
            steady_seen += len(fast.steady)
            self.kinds.update(e.kind for e in fast_events)
            self.states.update(r.state for r in fast.hosts.values())
        return steady_seen

    def test_same_states_and_events(self) -> None:
        # The default thresholds, but a soak short enough to recover.
        th = dataclasses.replace(Thresholds(), recovery_soak=20.0)
        used = sum(self._run(seed, th) for seed in range(40))
        self.assertGreater(used, 0)        # the shortcuts were taken
        # The histories went through every decision and state (held
        # hosts: test_same_with_storm_caps).
        self.assertEqual(set(records.EVENT_KINDS) - {records.HOST_HELD},
                         self.kinds)
        self.assertEqual({constants.HOST_UP, constants.HOST_SUSPECT,
                          constants.HOST_DOWN, constants.HOST_FENCED,
                          constants.HOST_RECOVERING,
                          constants.HOST_RECOVERED,
                          constants.HOST_MAINTENANCE,
                          constants.HOST_DISABLED}, self.states)

    def test_same_with_the_default_thresholds(self) -> None:
        for seed in range(20):
            self._run(seed, Thresholds())

    def test_same_with_storm_caps(self) -> None:
        th = dataclasses.replace(
            Thresholds(), recovery_soak=20.0, max_failing_share=1.0,
            max_failing_share_per_zone=0.4,
            max_failing_hosts_per_aggregate=1, max_verdicts_per_cycle=1)
        for seed in range(20):
            self._run(seed, th, pausing=True)
        self.assertIn(records.HOST_HELD, self.kinds)
        self.assertIn(records.HOST_DOWN, self.kinds)

    def test_same_without_probes(self) -> None:
        th = dataclasses.replace(Thresholds(), probe_enabled=False)
        for seed in range(20):
            self._run(seed, th)

    def test_same_with_tight_guards_and_flapping(self) -> None:
        th = dataclasses.replace(
            Thresholds(), max_failing_share=0.2, max_failing_hosts=1,
            flap_threshold=2, lagging_threshold=20.0,
            heartbeat_threshold=12.5)
        for seed in range(20):
            self._run(seed, th, hosts=8)

    def test_memo_needs_the_same_objects(self) -> None:
        th = Thresholds()
        services = [svc("a", T0)]
        first, _ = state.evaluate(services, {}, records.ClusterState(), th,
                                  T0)
        now = T0 + datetime.timedelta(seconds=1)
        second, _ = state.evaluate(services, {}, first, th, now)
        self.assertIs(services[0], second.steady["a"][0])
        self.assertIs(second.hosts["a"], first.hosts["a"])
        # An equal service of another object: judged again, same record.
        third, _ = state.evaluate([svc("a", T0)], {}, second, th,
                                  now + datetime.timedelta(seconds=1))
        self.assertEqual(second.hosts["a"], third.hosts["a"])
        self.assertIsNot(services[0], third.steady["a"][0])

    def test_a_plan_asked_about_a_quiet_host_is_made_again(self) -> None:
        th = Thresholds()
        services = [svc("a", T0), svc("b", T0)]
        first, _ = state.evaluate(services, {}, records.ClusterState(), th,
                                  T0)
        now = T0 + datetime.timedelta(seconds=1)
        plan = steady.prepare(services, first, th, now)
        self.assertEqual({"a", "b"}, set(plan.quiet))
        probes = {"a": records.PROBE_DEAD}
        self.assertEqual(state.evaluate(services, probes, first, th, now),
                         state.decide(plan, probes))

    def test_probed_or_maintained_host_is_never_taken_as_steady(self) -> None:
        th = Thresholds()
        services = [svc("a", T0)]
        first, _ = state.evaluate(services, {}, records.ClusterState(), th,
                                  T0)
        now = T0 + datetime.timedelta(seconds=1)
        second, _ = state.evaluate(services, {}, first, th, now)
        self.assertIn("a", second.steady)
        third, _ = state.evaluate(services, {}, second, th, now,
                                  maintenance={"a"})
        self.assertEqual(constants.HOST_MAINTENANCE, third.hosts["a"].state)
        self.assertNotIn("a", third.steady)


class EvolveTest(testtools.TestCase):

    def test_evolve_is_replace(self) -> None:
        rec = records.HostRecord("a", generation=2, reported=frozenset("x"))
        new = records.evolve(rec, state=constants.HOST_SUSPECT,
                             stale_count=3)
        self.assertEqual(dataclasses.replace(
            rec, state=constants.HOST_SUSPECT, stale_count=3), new)
        self.assertEqual(constants.HOST_UP, rec.state)

    def test_evolve_refuses_unknown_fields(self) -> None:
        self.assertRaises(TypeError, records.evolve,
                          records.HostRecord("a"), colour="blue")
