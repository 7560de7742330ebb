"""The host state machine, one transition at a time, with pure inputs."""

import dataclasses
import datetime

import testtools

from tests.unit.monitor.fakes import T0
from tests.unit.monitor.fakes import svc
from vmotiond import constants as c
from vmotiond.monitor import records as r
from vmotiond.monitor import state
from vmotiond.monitor.thresholds import Thresholds


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


class Harness:
    """Drives evaluate() with explicit heartbeats: a host list plus a fresh
    reference host ("ref") that keeps the heartbeat clock moving."""

    def __init__(self, th: Thresholds | None = None, n_ref: int = 3) -> None:
        self.th = th or Thresholds()
        self.state = r.ClusterState()
        self.n_ref = n_ref
        self.events: list[r.Event] = []

    def step(self, now: float, hosts: dict, probes: dict | None = None,
             maintenance: tuple = ()) -> list[r.Event]:
        services = [svc(f"ref{i}", at(now)) for i in range(self.n_ref)]
        for name, spec in hosts.items():
            if isinstance(spec, dict):
                spec = dict(spec)
                beat = spec.pop("beat")
                services.append(svc(name, at(beat) if beat is not None
                                    else None, **spec))
            else:
                services.append(svc(name, at(spec)))
        self.state, events = state.evaluate(
            services, probes or {}, self.state, self.th, at(now),
            maintenance)
        self.events.extend(events)
        return events

    def host(self, name: str) -> r.HostRecord:
        return self.state.hosts[name]


def dead(h: Harness, name: str, last: float, start: float, end: float,
         probe: str | None = r.PROBE_DEAD, step: float = 2.0,
         **spec: object) -> None:
    t = start
    while t <= end:
        probes = {name: probe} if probe else {}
        h.step(t, {name: {"beat": last, **spec}}, probes)
        t += step


class UpSuspectTest(testtools.TestCase):

    def test_new_fresh_host_is_up_without_events(self) -> None:
        h = Harness()
        self.assertEqual([], h.step(0, {"a": 0}))
        self.assertEqual(c.HOST_UP, h.host("a").state)
        self.assertEqual(0, h.host("a").generation)

    def test_stale_host_turns_suspect(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        h.step(15, {"a": 0})
        rec = h.host("a")
        self.assertEqual(c.HOST_SUSPECT, rec.state)
        self.assertEqual(1, rec.stale_count)
        self.assertEqual(at(15), rec.stale_since)
        self.assertEqual((at(15),), rec.suspect_entries)

    def test_age_at_threshold_is_not_stale(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        h.step(14, {"a": 0})
        self.assertEqual(c.HOST_UP, h.host("a").state)

    def test_suspect_back_to_up_when_fresh(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        h.step(15, {"a": 0})
        h.step(17, {"a": 16})
        rec = h.host("a")
        self.assertEqual(c.HOST_UP, rec.state)
        self.assertEqual(0, rec.stale_count)
        self.assertIsNone(rec.stale_since)
        self.assertEqual([], [e for e in h.events if e.kind != r.ALERT])

    def test_never_reported_host_is_stale(self) -> None:
        h = Harness()
        h.step(0, {"a": {"beat": None}})
        self.assertEqual(c.HOST_SUSPECT, h.host("a").state)
        h.step(5, {"a": {"beat": None}})
        self.assertEqual(c.HOST_SUSPECT, h.host("a").state)


class DownTest(testtools.TestCase):

    def test_down_needs_observations_grace_and_probe(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 23)          # suspect at 15, 8 s stale
        self.assertEqual(c.HOST_SUSPECT, h.host("a").state)
        self.assertEqual([], h.events)
        events = h.step(25, {"a": 0}, {"a": r.PROBE_DEAD})
        self.assertEqual([r.HOST_DOWN], [e.kind for e in events])
        down = events[0]
        self.assertEqual(("a", 1), (down.host, down.generation))
        self.assertEqual(c.HOST_DOWN, h.host("a").state)
        self.assertEqual(1, h.host("a").generation)
        ev = down.evidence
        self.assertEqual(10.0, ev["stale_for"])
        self.assertEqual(6, ev["observations"])
        self.assertEqual(25.0, ev["heartbeat_age"])
        self.assertEqual("dead", ev["probe"])
        self.assertEqual(at(0).isoformat(), ev["heartbeat"])

    def test_observation_count_alone_is_not_enough(self) -> None:
        th = Thresholds(down_observations=10)
        h = Harness(th)
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 31)
        self.assertEqual(c.HOST_SUSPECT, h.host("a").state)
        h.step(33, {"a": 0}, {"a": r.PROBE_DEAD})
        self.assertEqual(c.HOST_DOWN, h.host("a").state)

    def test_grace_alone_is_not_enough(self) -> None:
        th = Thresholds(down_grace=0.0, down_observations=3)
        h = Harness(th)
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 17)
        self.assertEqual(c.HOST_SUSPECT, h.host("a").state)
        h.step(19, {"a": 0}, {"a": r.PROBE_DEAD})
        self.assertEqual(c.HOST_DOWN, h.host("a").state)

    def test_one_failed_probe_is_not_enough(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 23, probe=r.PROBE_ALIVE)
        dead(h, "a", 0, 25, 25, probe=r.PROBE_DEAD)
        self.assertEqual(c.HOST_SUSPECT, h.host("a").state)
        dead(h, "a", 0, 27, 27, probe=r.PROBE_DEAD)
        self.assertEqual(c.HOST_DOWN, h.host("a").state)

    def test_probe_alive_is_a_process_failure_reported_once(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 301, probe=r.PROBE_ALIVE)
        kinds = [e.kind for e in h.events]
        self.assertEqual([r.PROCESS_FAILURE], kinds)
        self.assertEqual(c.HOST_SUSPECT, h.host("a").state)
        self.assertEqual(0, h.host("a").generation)

    def test_process_failure_then_host_dies(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 41, probe=r.PROBE_ALIVE)
        dead(h, "a", 0, 43, 45, probe=r.PROBE_DEAD)
        self.assertEqual([r.PROCESS_FAILURE, r.HOST_DOWN],
                         [e.kind for e in h.events])

    def test_missing_probe_answer_raises_probe_unknown_once(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 101, probe=None)
        self.assertEqual([(r.ALERT, r.REASON_PROBE_UNKNOWN)],
                         [(e.kind, e.reason) for e in h.events])
        self.assertEqual(c.HOST_SUSPECT, h.host("a").state)

    def test_unknown_probe_answer_is_not_a_failure(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 101, probe=r.PROBE_UNKNOWN)
        self.assertEqual(c.HOST_SUSPECT, h.host("a").state)
        self.assertEqual(0, h.host("a").probe_failures)

    def test_without_probe_heartbeats_decide_alone(self) -> None:
        h = Harness(Thresholds(probe_enabled=False))
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 25, probe=r.PROBE_ALIVE)
        self.assertEqual([r.HOST_DOWN], [e.kind for e in h.events])
        self.assertEqual("none", h.events[0].evidence["probe"])

    def test_untrusted_probe_leaves_heartbeats_to_decide(self) -> None:
        # Not even one dead probe is needed; the answer shows why.
        h = Harness()
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 25, probe=r.PROBE_UNTRUSTED)
        self.assertEqual([r.HOST_DOWN], [e.kind for e in h.events])
        self.assertEqual(r.PROBE_UNTRUSTED, h.events[0].evidence["probe"])
        self.assertEqual(0, h.events[0].evidence["probe_failures"])

    def test_down_stays_down_without_new_events(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 200)
        self.assertEqual([r.HOST_DOWN], [e.kind for e in h.events])
        self.assertEqual(c.HOST_DOWN, h.host("a").state)

    def test_fence_moves_down_to_fenced(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 25)
        dead(h, "a", 0, 27, 29, forced_down=True, status="disabled",
             reason="vmotiond: host down")
        self.assertEqual(c.HOST_FENCED, h.host("a").state)
        self.assertEqual(1, len(h.events))


class RecoveryTest(testtools.TestCase):

    def _down(self, fenced: bool = False) -> Harness:
        h = Harness()
        h.step(0, {"a": 0})
        dead(h, "a", 0, 15, 25)
        if fenced:
            dead(h, "a", 0, 27, 27, forced_down=True, status="disabled",
                 reason="vmotiond: down")
        h.events.clear()
        return h

    def _fenced_beat(self, t: float) -> dict:
        return {"beat": t, "forced_down": True, "status": "disabled",
                "reason": "vmotiond: down"}

    def test_fresh_down_host_recovers_after_soak(self) -> None:
        h = self._down()
        h.step(40, {"a": 40}, {"a": r.PROBE_ALIVE})
        self.assertEqual(c.HOST_RECOVERING, h.host("a").state)
        self.assertEqual(at(40), h.host("a").healthy_since)
        for t in range(42, 100, 2):
            h.step(t, {"a": t}, {"a": r.PROBE_ALIVE})
        self.assertEqual(c.HOST_RECOVERING, h.host("a").state)
        events = h.step(100, {"a": 100}, {"a": r.PROBE_ALIVE})
        self.assertEqual([r.HOST_RECOVERED], [e.kind for e in events])
        self.assertEqual(1, events[0].generation)
        self.assertEqual(c.HOST_RECOVERED, h.host("a").state)

    def test_fenced_host_recovers_and_stays_recovered_until_unfenced(
            self) -> None:
        h = self._down(fenced=True)
        self.assertEqual(c.HOST_FENCED, h.host("a").state)
        for t in range(40, 102, 2):
            h.step(t, {"a": self._fenced_beat(t)}, {"a": r.PROBE_ALIVE})
        self.assertEqual(c.HOST_RECOVERED, h.host("a").state)
        h.step(104, {"a": self._fenced_beat(104)})
        self.assertEqual(c.HOST_RECOVERED, h.host("a").state)
        h.step(106, {"a": 106})
        self.assertEqual(c.HOST_UP, h.host("a").state)
        self.assertEqual([r.HOST_RECOVERED], [e.kind for e in h.events])

    def test_stale_again_while_recovering_goes_back_silently(self) -> None:
        h = self._down(fenced=True)
        h.step(40, {"a": self._fenced_beat(40)}, {"a": r.PROBE_ALIVE})
        self.assertEqual(c.HOST_RECOVERING, h.host("a").state)
        h.step(60, {"a": self._fenced_beat(40)}, {"a": r.PROBE_DEAD})
        self.assertEqual(c.HOST_FENCED, h.host("a").state)
        self.assertIsNone(h.host("a").healthy_since)
        self.assertEqual([], h.events)
        self.assertEqual(1, h.host("a").generation)

    def test_stale_while_recovering_unfenced_goes_down(self) -> None:
        h = self._down()
        h.step(40, {"a": 40}, {"a": r.PROBE_ALIVE})
        h.step(60, {"a": 40})
        self.assertEqual(c.HOST_DOWN, h.host("a").state)

    def test_dead_probe_restarts_the_soak(self) -> None:
        h = self._down()
        h.step(40, {"a": 40}, {"a": r.PROBE_ALIVE})
        h.step(90, {"a": 90}, {"a": r.PROBE_DEAD})
        self.assertEqual(at(90), h.host("a").healthy_since)
        h.step(100, {"a": 100}, {"a": r.PROBE_ALIVE})
        self.assertEqual(c.HOST_RECOVERING, h.host("a").state)
        h.step(150, {"a": 150}, {"a": r.PROBE_ALIVE})
        self.assertEqual(c.HOST_RECOVERED, h.host("a").state)

    def test_recovered_host_failing_again_is_a_new_generation(self) -> None:
        h = self._down()
        for t in range(40, 102, 2):
            h.step(t, {"a": t}, {"a": r.PROBE_ALIVE})
        self.assertEqual(c.HOST_RECOVERED, h.host("a").state)
        dead(h, "a", 100, 116, 130)
        downs = [e for e in h.events if e.kind == r.HOST_DOWN]
        self.assertEqual([2], [e.generation for e in downs])
        self.assertEqual(2, h.host("a").generation)

    def test_recovered_then_up_then_down_again(self) -> None:
        h = self._down()
        for t in range(40, 104, 2):
            h.step(t, {"a": t}, {"a": r.PROBE_ALIVE})
        self.assertEqual(c.HOST_UP, h.host("a").state)
        dead(h, "a", 102, 118, 130)
        self.assertEqual(c.HOST_DOWN, h.host("a").state)
        self.assertEqual(2, h.host("a").generation)


class WatchedOnlyTest(testtools.TestCase):

    def test_maintenance_host_is_never_declared_down(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        for t in range(15, 300, 2):
            h.step(t, {"a": 0}, {"a": r.PROBE_DEAD}, maintenance=("a",))
        self.assertEqual(c.HOST_MAINTENANCE, h.host("a").state)
        self.assertEqual([], h.events)

    def test_maintenance_wins_over_every_state(self) -> None:
        for prior in c.HOST_STATES:
            h = Harness()
            h.state = r.ClusterState(hosts={"a": r.HostRecord(
                "a", state=prior, stale_count=5, generation=2)})
            h.step(0, {"a": 0}, maintenance=("a",))
            rec = h.host("a")
            self.assertEqual(c.HOST_MAINTENANCE, rec.state, prior)
            self.assertEqual(0, rec.stale_count)
            self.assertEqual(2, rec.generation)

    def test_leaving_maintenance_fresh_is_up_stale_is_suspect(self) -> None:
        h = Harness()
        h.step(0, {"a": 0, "b": 0}, maintenance=("a", "b"))
        h.step(20, {"a": 20, "b": 0})
        self.assertEqual(c.HOST_UP, h.host("a").state)
        self.assertEqual(c.HOST_SUSPECT, h.host("b").state)
        self.assertEqual(1, h.host("b").stale_count)

    def test_operator_disabled_host_is_watched_never_down(self) -> None:
        h = Harness()
        h.step(0, {"a": {"beat": 0, "status": "disabled",
                         "reason": "broken disk"}})
        for t in range(15, 200, 2):
            h.step(t, {"a": {"beat": 0, "status": "disabled"}},
                   {"a": r.PROBE_DEAD})
        self.assertEqual(c.HOST_DISABLED, h.host("a").state)
        self.assertEqual([], h.events)
        self.assertEqual(at(0), h.host("a").heartbeat)

    def test_disabled_by_vmotiond_is_not_operator_disabled(self) -> None:
        h = Harness()
        h.step(0, {"a": {"beat": 0, "status": "disabled",
                         "reason": "vmotiond fence"}})
        self.assertEqual(c.HOST_UP, h.host("a").state)

    def test_reenabled_host_is_up(self) -> None:
        h = Harness()
        h.step(0, {"a": {"beat": 0, "status": "disabled"}})
        h.step(2, {"a": 2})
        self.assertEqual(c.HOST_UP, h.host("a").state)

    def test_host_gone_from_answer_is_forgotten(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        h.step(2, {})
        self.assertNotIn("a", h.state.hosts)


class FlapTest(testtools.TestCase):

    def test_third_turn_to_suspect_in_window_damps(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        t = 0
        for _ in range(3):
            h.step(t + 15, {"a": t}, {"a": r.PROBE_DEAD})
            h.step(t + 17, {"a": t + 17})
            t += 17
        flaps = [e for e in h.events if e.reason == r.REASON_FLAPPING]
        self.assertEqual(1, len(flaps))
        rec = h.host("a")
        self.assertEqual(3, len(rec.suspect_entries))
        self.assertEqual(at(2 * 17 + 15 + 120), rec.damped_until)

    def test_damped_host_is_not_declared_down_until_hold_down(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        t = 0
        for _ in range(3):
            h.step(t + 15, {"a": t})
            h.step(t + 17, {"a": t + 17})
            t += 17
        # Now it dies: the death is a fourth turn to suspect at 66, which
        # extends the damping to 66 + 120.
        dead(h, "a", 51, 66, 184)
        self.assertEqual(at(186), h.host("a").damped_until)
        self.assertEqual(c.HOST_SUSPECT, h.host("a").state)
        self.assertEqual([], [e for e in h.events if e.kind == r.HOST_DOWN])
        dead(h, "a", 51, 186, 186)
        self.assertEqual(c.HOST_DOWN, h.host("a").state)

    def test_flaps_outside_window_do_not_count(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        t = 0
        for _ in range(5):
            h.step(t + 15, {"a": t})
            h.step(t + 17, {"a": t + 17})
            t += 80
        self.assertEqual([], h.events)
        self.assertLessEqual(len(h.host("a").suspect_entries), 2)

    def test_flapping_extends_damping(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        t = 0
        for _ in range(4):
            h.step(t + 15, {"a": t})
            h.step(t + 17, {"a": t + 17})
            t += 17
        self.assertEqual(at(3 * 17 + 15 + 120), h.host("a").damped_until)
        self.assertEqual(1, len([e for e in h.events
                                 if e.reason == r.REASON_FLAPPING]))

    def test_damping_expires(self) -> None:
        h = Harness()
        h.step(0, {"a": 0})
        t = 0
        for _ in range(3):
            h.step(t + 15, {"a": t})
            h.step(t + 17, {"a": t + 17})
            t += 17
        h.step(400, {"a": 400})
        self.assertIsNone(h.host("a").damped_until)


class ProbeCandidatesTest(testtools.TestCase):

    def test_candidates_are_suspect_and_recovering_hosts(self) -> None:
        th = Thresholds()
        prev = r.ClusterState(hosts={
            "up": r.HostRecord("up", heartbeat=at(0),
                               heartbeat_seen_at=at(0)),
            "stale": r.HostRecord("stale", heartbeat=at(0),
                                  heartbeat_seen_at=at(0)),
            "down": r.HostRecord("down", state=c.HOST_DOWN,
                                 heartbeat=at(0), heartbeat_seen_at=at(0)),
            "back": r.HostRecord("back", state=c.HOST_DOWN,
                                 heartbeat=at(0), heartbeat_seen_at=at(0)),
        }, freshest=at(0), freshest_seen_at=at(0))
        services = [svc("up", at(20)), svc("stale", at(0)),
                    svc("down", at(0)), svc("back", at(20))]
        self.assertEqual({"stale", "back"}, state.probe_candidates(
            services, prev, th, at(20)))
        self.assertEqual(set(), state.probe_candidates(
            services, prev, dataclasses.replace(th, probe_enabled=False),
            at(20)))
