"""Heartbeat ages against Nova's own clock, and the guard arithmetic."""

import datetime

import testtools

from tests.unit.monitor.fakes import T0
from tests.unit.monitor.fakes import svc
from vmotiond import constants as c
from vmotiond.monitor import guards
from vmotiond.monitor import heartbeat
from vmotiond.monitor import records as r
from vmotiond.monitor.thresholds import Thresholds


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


class ClockTest(testtools.TestCase):

    def test_freshest_first_seen_now(self) -> None:
        clock = heartbeat.read_clock([svc("a", at(5)), svc("b", at(9))],
                                     r.ClusterState(), at(1000))
        self.assertEqual(at(9), clock.freshest)
        self.assertEqual(at(9), clock.nova_now)
        self.assertEqual(4.0, clock.age(at(5)))
        self.assertEqual(float("inf"), clock.age(None))

    def test_unchanged_freshest_advances_by_local_time(self) -> None:
        prev = r.ClusterState(freshest=at(9), freshest_seen_at=at(1000))
        clock = heartbeat.read_clock([svc("a", at(9))], prev, at(1003))
        self.assertEqual(at(12), clock.nova_now)
        self.assertEqual(3.0, clock.freshest_unchanged_for)

    def test_no_heartbeat_at_all(self) -> None:
        clock = heartbeat.read_clock([svc("a", None)], r.ClusterState(),
                                     at(0))
        self.assertIsNone(clock.nova_now)
        self.assertEqual(float("inf"), clock.age(at(0)))

    def test_future_heartbeat_has_age_zero(self) -> None:
        clock = heartbeat.HeartbeatClock(at(10), at(10), at(10))
        self.assertEqual(0.0, clock.age(at(20)))


class ObserveTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.clock = heartbeat.HeartbeatClock(at(100), at(100), at(100))

    def test_first_sight_judged_by_age_alone(self) -> None:
        obs = heartbeat.observe(svc("a", at(80)), None, self.clock, 14)
        self.assertTrue(obs.stale)
        self.assertIsNone(obs.unchanged_for)
        self.assertEqual(at(100), obs.heartbeat_seen_at)

    def test_changed_heartbeat_is_never_stale(self) -> None:
        rec = r.HostRecord("a", heartbeat=at(0), heartbeat_seen_at=at(10))
        obs = heartbeat.observe(svc("a", at(1)), rec, self.clock, 14)
        self.assertFalse(obs.stale)
        self.assertEqual(99.0, obs.age)
        self.assertEqual(0.0, obs.unchanged_for)

    def test_old_but_recently_changed_is_not_stale(self) -> None:
        rec = r.HostRecord("a", heartbeat=at(50), heartbeat_seen_at=at(95))
        obs = heartbeat.observe(svc("a", at(50)), rec, self.clock, 14)
        self.assertFalse(obs.stale)
        self.assertEqual(5.0, obs.unchanged_for)

    def test_old_and_unchanged_is_stale(self) -> None:
        rec = r.HostRecord("a", heartbeat=at(50), heartbeat_seen_at=at(80))
        obs = heartbeat.observe(svc("a", at(50)), rec, self.clock, 14)
        self.assertTrue(obs.stale)

    def test_young_and_unchanged_is_not_stale(self) -> None:
        rec = r.HostRecord("a", heartbeat=at(90), heartbeat_seen_at=at(0))
        obs = heartbeat.observe(svc("a", at(90)), rec, self.clock, 14)
        self.assertFalse(obs.stale)


class MassFailureTest(testtools.TestCase):

    def test_share_boundaries(self) -> None:
        th = Thresholds(max_failing_share=0.5)
        self.assertFalse(guards.mass_failure(0, 10, th))
        self.assertFalse(guards.mass_failure(5, 10, th))
        self.assertTrue(guards.mass_failure(6, 10, th))
        self.assertFalse(guards.mass_failure(1, 2, th))
        self.assertTrue(guards.mass_failure(1, 1, th))

    def test_number_limit(self) -> None:
        th = Thresholds(max_failing_share=1.0, max_failing_hosts=3)
        self.assertFalse(guards.mass_failure(3, 100, th))
        self.assertTrue(guards.mass_failure(4, 100, th))
        th = Thresholds(max_failing_share=1.0, max_failing_hosts=0)
        self.assertFalse(guards.mass_failure(100, 100, th))


class FailingHostsTest(testtools.TestCase):

    def test_who_counts(self) -> None:
        th = Thresholds()
        hosts = {
            "up": r.HostRecord("up"),
            "suspect": r.HostRecord("suspect", state=c.HOST_SUSPECT),
            "lagging": r.HostRecord("lagging"),
            "recent": r.HostRecord("recent", suspect_entries=(at(50),)),
            "old": r.HostRecord("old", suspect_entries=(at(0),)),
            "alive": r.HostRecord("alive", state=c.HOST_SUSPECT),
            "maint": r.HostRecord("maint", state=c.HOST_MAINTENANCE),
            # Decided failures count within the failure window only.
            "down": r.HostRecord("down", state=c.HOST_DOWN,
                                 suspect_entries=(at(50),)),
            "handled": r.HostRecord("handled", state=c.HOST_DOWN,
                                    suspect_entries=(at(0),)),
            "fenced": r.HostRecord("fenced", state=c.HOST_FENCED),
        }
        ages = {"lagging": 11.5, "maint": 99.0, "down": 99.0,
                "handled": 99.0, "fenced": 99.0}
        failing = guards.failing_hosts(hosts, ages,
                                       {"alive": r.PROBE_ALIVE}, th, at(100))
        self.assertEqual({"suspect", "lagging", "recent", "down"}, failing)
        self.assertEqual(9, len(guards.watched_hosts(hosts)))


class ApplyTest(testtools.TestCase):

    def test_new_reason_alerts_and_holds(self) -> None:
        th = Thresholds(guard_hold_down=60)
        until, reasons, guarded, events = guards.apply(
            r.ClusterState(), ["b", "a", "a"], th, at(0), {"x": 1})
        self.assertEqual((at(60), ("a", "b"), True),
                         (until, reasons, guarded))
        self.assertEqual([(r.ALERT, "a"), (r.ALERT, "b")],
                         [(e.kind, e.reason) for e in events])

    def test_known_reason_does_not_alert_again(self) -> None:
        prev = r.ClusterState(guard_reasons=("a",), guard_until=at(60),
                              guarded=True)
        until, _reasons, guarded, events = guards.apply(
            prev, ["a"], Thresholds(), at(30), {})
        self.assertEqual([], events)
        self.assertEqual(at(90), until)

    def test_hold_then_clear(self) -> None:
        prev = r.ClusterState(guard_reasons=("a",), guard_until=at(60),
                              guarded=True)
        until, reasons, guarded, events = guards.apply(
            prev, [], Thresholds(), at(59), {})
        self.assertEqual((at(60), (), True, []),
                         (until, reasons, guarded, events))
        prev = r.ClusterState(guard_until=until, guarded=True)
        until, reasons, guarded, events = guards.apply(
            prev, [], Thresholds(), at(60), {})
        self.assertEqual((None, False), (until, guarded))
        self.assertEqual([r.GUARD_CLEARED], [e.kind for e in events])

    def test_zero_hold_down_guards_only_while_seen(self) -> None:
        th = Thresholds(guard_hold_down=0)
        _u, _r, guarded, _e = guards.apply(r.ClusterState(), ["a"], th,
                                           at(0), {})
        self.assertTrue(guarded)
