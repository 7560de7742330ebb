"""Whole-cluster scenarios: Nova heartbeats every 10 s, the monitor polls
every 2 s with the shipped defaults; the acceptance bounds of issue 4."""

import dataclasses
import datetime

import testtools

from tests.unit.monitor.fakes import FakeNova
from vmotiond import constants as c
from vmotiond.monitor import records as r
from vmotiond.monitor.thresholds import Thresholds

BOUND = 30.0


def kill_and_measure(n: int, kill_at: float, victim: str = "h0",
                     th: Thresholds | None = None) -> float | None:
    nova = FakeNova(n, th=th)
    nova.run(30)
    nova.advance(kill_at)
    nova.hosts[victim].alive = False
    nova.hosts[victim].answers = False
    last = nova.hosts[victim].last
    nova.cycle()
    nova.run(45)
    downs = nova.kinds(r.HOST_DOWN)
    if not downs:
        return None
    t, event = downs[0]
    assert event.host == victim, event
    assert len(downs) == 1, downs
    return (t - last).total_seconds()


class DetectionLatencyTest(testtools.TestCase):

    def test_killed_host_is_down_within_bound_for_every_phase(self) -> None:
        worst = 0.0
        for n in (2, 3, 10, 25):
            for tenth in range(0, 100, 13):
                latency = kill_and_measure(n, tenth / 10.0)
                self.assertIsNotNone(latency, (n, tenth))
                self.assertLessEqual(latency, BOUND, (n, tenth))
                worst = max(worst, latency)
        self.assertGreater(worst, 20.0)     # and not suspiciously fast

    def test_bound_holds_without_probe(self) -> None:
        th = Thresholds(probe_enabled=False)
        for tenth in range(0, 100, 7):
            latency = kill_and_measure(10, tenth / 10.0, th=th)
            self.assertLessEqual(latency, BOUND)

    def test_no_false_down_in_a_healthy_cluster(self) -> None:
        nova = FakeNova(20)
        nova.run(600)
        self.assertEqual([], nova.events)
        self.assertTrue(all(rec.state == c.HOST_UP
                            for rec in nova.state.hosts.values()))


class ProcessFailureTest(testtools.TestCase):

    def test_compute_dead_host_answering_is_never_down(self) -> None:
        nova = FakeNova(10)
        nova.run(30)
        nova.hosts["h3"].alive = False           # only nova-compute dies
        nova.run(600)
        self.assertEqual([], nova.kinds(r.HOST_DOWN))
        failures = nova.kinds(r.PROCESS_FAILURE)
        self.assertEqual(["h3"], [e.host for _, e in failures])
        self.assertEqual(c.HOST_SUSPECT, nova.host_state("h3"))

    def test_compute_back_ends_the_episode(self) -> None:
        nova = FakeNova(10)
        nova.run(30)
        nova.hosts["h3"].alive = False
        nova.run(60)
        nova.hosts["h3"].alive = True
        nova.run(30)
        self.assertEqual(c.HOST_UP, nova.host_state("h3"))
        self.assertEqual(set(), nova.state.hosts["h3"].reported)


class MassFailureTest(testtools.TestCase):

    def _kill(self, nova: FakeNova, names: list[str]) -> None:
        for name in names:
            nova.hosts[name].alive = False
            nova.hosts[name].answers = False

    def test_sixty_percent_killed_alerts_and_moves_nothing(self) -> None:
        for kill_at in (0.0, 1.3, 5.0, 9.9):
            nova = FakeNova(10)
            nova.run(60)
            nova.advance(kill_at)
            self._kill(nova, [f"h{i}" for i in range(6)])
            nova.run(300)
            self.assertEqual([], nova.kinds(r.HOST_DOWN), kill_at)
            alerts = [e.reason for _, e in nova.kinds(r.ALERT)]
            self.assertIn(r.REASON_MASS_FAILURE, alerts)
            self.assertTrue(nova.state.guarded)

    def test_every_spread_of_sixty_percent_is_caught(self) -> None:
        # Victims chosen among every heartbeat phase.
        for victims in ([0, 2, 4, 6, 8, 9], [1, 3, 5, 7, 8, 9],
                        [0, 1, 2, 3, 4, 5], [4, 5, 6, 7, 8, 9]):
            nova = FakeNova(10)
            nova.run(61)
            self._kill(nova, [f"h{i}" for i in victims])
            nova.run(600)
            self.assertEqual([], nova.kinds(r.HOST_DOWN), victims)

    def test_half_is_not_more_than_half(self) -> None:
        nova = FakeNova(2)
        nova.run(60)
        self._kill(nova, ["h1"])
        nova.run(60)
        self.assertEqual(["h1"], [e.host for _, e in nova.kinds(r.HOST_DOWN)])

    def test_absolute_limit(self) -> None:
        nova = FakeNova(20, th=Thresholds(max_failing_hosts=2))
        nova.run(60)
        self._kill(nova, ["h0", "h7", "h15"])
        nova.run(300)
        self.assertEqual([], nova.kinds(r.HOST_DOWN))
        self.assertIn(r.REASON_MASS_FAILURE,
                      [e.reason for _, e in nova.kinds(r.ALERT)])

    def test_alert_is_raised_once(self) -> None:
        nova = FakeNova(10)
        nova.run(60)
        self._kill(nova, [f"h{i}" for i in range(6)])
        nova.run(600)
        reasons = [e.reason for _, e in nova.kinds(r.ALERT)]
        self.assertEqual(1, reasons.count(r.REASON_MASS_FAILURE))

    def test_guard_clears_after_hold_down_when_hosts_return(self) -> None:
        nova = FakeNova(10)
        nova.run(60)
        victims = [f"h{i}" for i in range(6)]
        self._kill(nova, victims)
        nova.run(120)
        for name in victims[1:]:
            nova.hosts[name].alive = nova.hosts[name].answers = True
        nova.run(300)
        self.assertEqual(1, len(nova.kinds(r.GUARD_CLEARED)))
        self.assertFalse(nova.state.guarded)
        downs = nova.kinds(r.HOST_DOWN)
        self.assertEqual(["h0"], [e.host for _, e in downs])
        cleared_at = nova.kinds(r.GUARD_CLEARED)[0][0]
        self.assertLessEqual(cleared_at, downs[0][0])

    def test_hosts_answering_the_probe_do_not_count(self) -> None:
        nova = FakeNova(10)
        nova.run(60)
        for i in range(6):                        # nova-compute upgrade
            nova.hosts[f"h{i}"].alive = False
        nova.run(300)
        reasons = [e.reason for _, e in nova.kinds(r.ALERT)]
        self.assertNotIn(r.REASON_MASS_FAILURE, reasons)
        self.assertEqual(6, len(nova.kinds(r.PROCESS_FAILURE)))


class AllStaleTest(testtools.TestCase):

    def test_every_heartbeat_stale_freezes_decisions(self) -> None:
        nova = FakeNova(3)
        nova.run(60)
        for h in nova.hosts.values():        # conductor stops writing
            h.alive = False
        nova.run(600)
        self.assertEqual([], nova.kinds(r.HOST_DOWN))
        reasons = [e.reason for _, e in nova.kinds(r.ALERT)]
        self.assertIn(r.REASON_ALL_STALE, reasons)
        self.assertTrue(all(rec.state in (c.HOST_UP, c.HOST_SUSPECT)
                            for rec in nova.state.hosts.values()))

    def test_heartbeats_resuming_do_not_kill_late_reporters(self) -> None:
        nova = FakeNova(10)
        nova.run(60)
        for h in nova.hosts.values():
            h.alive = False
        nova.run(120)
        for h in nova.hosts.values():
            h.alive = True
        nova.run(300)
        self.assertEqual([], nova.kinds(r.HOST_DOWN))
        self.assertTrue(all(rec.state == c.HOST_UP
                            for rec in nova.state.hosts.values()))
        self.assertEqual(1, len(nova.kinds(r.GUARD_CLEARED)))


class UnreachableTest(testtools.TestCase):

    def test_nova_unreachable_alerts_once_and_holds(self) -> None:
        nova = FakeNova(10)
        nova.run(60)
        before = nova.state.hosts
        nova.unreachable = True
        nova.hosts["h1"].alive = nova.hosts["h1"].answers = False
        nova.run(100)
        reasons = [e.reason for _, e in nova.kinds(r.ALERT)]
        self.assertEqual([r.REASON_NOVA_UNREACHABLE], reasons)
        self.assertEqual(before, nova.state.hosts)
        nova.unreachable = False
        nova.run(58)                          # within the hold-down
        self.assertEqual([], nova.kinds(r.HOST_DOWN))
        self.assertEqual(c.HOST_SUSPECT, nova.host_state("h1"))
        nova.run(10)
        self.assertEqual(["h1"], [e.host for _, e in
                                  nova.kinds(r.HOST_DOWN)])


class FlappingTest(testtools.TestCase):

    # A silent period of ``off`` seconds leaves a heartbeat gap of up to
    # off + report_interval; a gap past ~30 s is a death by definition (the
    # 30 s detection bound), so flapping means shorter gaps, or a host that
    # keeps answering the probe while nova-compute restarts in a loop.

    def _flap(self, nova: FakeNova, name: str, off: float, on: float,
              cycles: int, answers: bool = False) -> None:
        host = nova.hosts[name]
        for _ in range(cycles):
            host.alive, host.answers = False, answers
            nova.run(off)
            host.alive = host.answers = True
            nova.run(on)

    def test_flapping_host_yields_no_decision(self) -> None:
        for off, on in ((6, 4), (10, 10), (12, 6), (14, 2), (14, 30)):
            for start in (60, 65):
                nova = FakeNova(10)
                nova.run(start)
                self._flap(nova, "h4", off, on, cycles=12)
                self.assertEqual([], nova.kinds(r.HOST_DOWN), (off, on))
                self.assertEqual(
                    [], nova.kinds(r.HOST_RECOVERED), (off, on))

    def test_compute_restart_loop_yields_no_decision(self) -> None:
        for off, on in ((40, 10), (90, 20), (300, 30)):
            nova = FakeNova(10)
            nova.run(60)
            self._flap(nova, "h4", off, on, cycles=3, answers=True)
            self.assertEqual([], nova.kinds(r.HOST_DOWN), (off, on))
            self.assertEqual([], nova.kinds(r.HOST_RECOVERED), (off, on))

    def test_flapping_host_is_reported(self) -> None:
        nova = FakeNova(10)
        nova.run(60)
        self._flap(nova, "h4", 12, 10, cycles=5)
        hosts = [e.host for _, e in nova.kinds(r.ALERT)
                 if e.reason == r.REASON_FLAPPING]
        self.assertEqual(["h4"], hosts)


class SkewTest(testtools.TestCase):

    def test_constant_skew_cannot_kill_a_host(self) -> None:
        for skew in (-3600.0, -45.0, 45.0, 86400.0):
            nova = FakeNova(10, skew=skew)
            nova.run(600)
            self.assertEqual([], nova.events, skew)

    def test_skewed_cluster_still_detects(self) -> None:
        for skew in (-3600.0, 3600.0):
            nova = FakeNova(10, skew=skew)
            nova.run(60)
            nova.hosts["h2"].alive = nova.hosts["h2"].answers = False
            nova.run(60)
            self.assertEqual(["h2"], [e.host for _, e in
                                      nova.kinds(r.HOST_DOWN)])

    def test_one_host_written_by_a_late_clock_is_not_stale(self) -> None:
        # h0's heartbeats are stamped 100 s in the past (a conductor with a
        # slow clock) but keep advancing: never stale, even without probe.
        nova = FakeNova(5, th=Thresholds(probe_enabled=False))
        nova.run(30)
        original = nova.services

        def services() -> list:
            out = original()
            return [dataclasses.replace(
                s, updated_at=s.updated_at - datetime.timedelta(seconds=100))
                if s.host == "h0" else s for s in out]
        nova.services = services  # type: ignore[method-assign]
        nova.run(600)
        self.assertEqual([], nova.kinds(r.HOST_DOWN))
        self.assertNotEqual(c.HOST_DOWN, nova.host_state("h0"))


class OwnWritesTest(testtools.TestCase):
    """Issue 15, point 4: Nova stamps ``updated_at`` when the fence (or an
    operator) writes the service record; that is no sign of life."""

    def _killed_and_fenced(self, th: Thresholds) -> FakeNova:
        nova = FakeNova(10, th=th)
        nova.run(30)
        nova.hosts["h2"].alive = nova.hosts["h2"].answers = False
        nova.run(60)
        self.assertEqual(["h2"], [e.host for _, e in nova.kinds(r.HOST_DOWN)])
        return nova

    def test_fenced_dead_host_is_never_recovering(self) -> None:
        # A soak shorter than the heartbeat threshold and no probe: the
        # stamps of the fence alone would declare the dead host recovered.
        th = Thresholds(recovery_soak=2.0, probe_enabled=False)
        for step in (0.0, 1.0, 3.0, 17.0):   # force down / disable apart
            nova = self._killed_and_fenced(th)
            nova.write("h2", forced_down=True)
            states = [nova.host_state("h2")]
            for _ in range(int(step)):
                nova.run(1)
                states.append(nova.host_state("h2"))
            nova.write("h2", status="disabled", reason="vmotiond: failed")
            for _ in range(120):
                nova.run(1)
                states.append(nova.host_state("h2"))
            self.assertNotIn(c.HOST_RECOVERING, states, step)
            self.assertEqual([], nova.kinds(r.HOST_RECOVERED), step)
            self.assertEqual(c.HOST_FENCED, nova.host_state("h2"))

    def test_operator_writes_on_a_dead_host_are_no_sign_of_life(
            self) -> None:
        th = Thresholds(recovery_soak=2.0, probe_enabled=False)
        nova = self._killed_and_fenced(th)
        nova.fence("h2")
        nova.run(5)
        for fields in ({"reason": "vmotiond: looked at"},
                       {"forced_down": False}, {"forced_down": True}):
            nova.write("h2", **fields)
            for _ in range(20):
                nova.run(1)
                self.assertIn(nova.host_state("h2"),
                              (c.HOST_DOWN, c.HOST_FENCED), fields)
        self.assertEqual([], nova.kinds(r.HOST_RECOVERED))

    def test_suspect_host_forced_down_still_goes_down(self) -> None:
        nova = FakeNova(10)
        nova.run(30)
        nova.hosts["h2"].alive = nova.hosts["h2"].answers = False
        for _ in range(40):
            nova.run(1)
            if nova.host_state("h2") == c.HOST_SUSPECT:
                break
        nova.write("h2", forced_down=True)    # another tool fenced it
        nova.run(30)
        self.assertEqual(["h2"], [e.host for _, e in nova.kinds(r.HOST_DOWN)])

    def test_fenced_host_coming_back_is_recovered(self) -> None:
        th = Thresholds(recovery_soak=20.0)
        nova = self._killed_and_fenced(th)
        nova.fence("h2")
        nova.run(60)
        nova.hosts["h2"].alive = nova.hosts["h2"].answers = True
        nova.run(60)
        self.assertEqual(["h2"], [e.host for _, e in
                                  nova.kinds(r.HOST_RECOVERED)])
        self.assertEqual(c.HOST_RECOVERED, nova.host_state("h2"))
        nova.write("h2", forced_down=False)
        nova.write("h2", status="enabled", reason=None)
        nova.run(5)
        self.assertEqual(c.HOST_UP, nova.host_state("h2"))

    def test_operator_write_on_a_healthy_host_is_harmless(self) -> None:
        nova = FakeNova(10)
        nova.run(30)
        for step in range(0, 100, 7):
            nova.run(step / 10.0 + 1)
            nova.write("h3", reason="note %d" % step, status="disabled")
            nova.run(2)
            nova.write("h3", status="enabled", reason=None)
        nova.run(60)
        self.assertEqual([], nova.kinds(r.HOST_DOWN))
        self.assertEqual(c.HOST_UP, nova.host_state("h3"))


class HandledFailureTest(testtools.TestCase):
    """Issue 15, point 5: a failure already decided is no new failure."""

    def _kill(self, nova: FakeNova, name: str) -> None:
        nova.hosts[name].alive = nova.hosts[name].answers = False

    def test_two_of_three_minutes_apart_are_both_down(self) -> None:
        for fence in (True, False):
            nova = FakeNova(3)
            nova.run(60)
            self._kill(nova, "h0")
            nova.run(60)
            if fence:
                nova.fence("h0")
            nova.run(120)
            self._kill(nova, "h1")
            nova.run(120)
            self.assertEqual(["h0", "h1"],
                             [e.host for _, e in nova.kinds(r.HOST_DOWN)],
                             fence)
            self.assertNotIn(r.REASON_MASS_FAILURE,
                             [e.reason for _, e in nova.kinds(r.ALERT)])

    def test_two_of_three_at_once_are_blocked(self) -> None:
        for kill_at in (0.0, 3.3, 6.6):
            nova = FakeNova(3)
            nova.run(60)
            nova.advance(kill_at)
            self._kill(nova, "h0")
            self._kill(nova, "h1")
            nova.run(300)
            self.assertEqual([], nova.kinds(r.HOST_DOWN), kill_at)
            alerts = [e for _, e in nova.kinds(r.ALERT)
                      if e.reason == r.REASON_MASS_FAILURE]
            self.assertEqual(1, len(alerts), kill_at)
            self.assertEqual(["h0", "h1"], alerts[0].evidence["failing"])

    def test_second_failure_within_the_failure_window_is_blocked(
            self) -> None:
        nova = FakeNova(3)
        nova.run(60)
        self._kill(nova, "h0")
        nova.run(30)
        self.assertEqual(["h0"], [e.host for _, e in nova.kinds(r.HOST_DOWN)])
        self._kill(nova, "h1")
        nova.run(30)
        self.assertEqual(["h0"], [e.host for _, e in nova.kinds(r.HOST_DOWN)])
        self.assertIn(r.REASON_MASS_FAILURE,
                      [e.reason for _, e in nova.kinds(r.ALERT)])
