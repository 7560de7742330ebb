import threading

import futurist
import testtools

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond.engine.deciding import tiers
from vmotiond.engine.running import dispatch
from vmotiond.engine.running import runner
from vmotiond.engine.running import vmove_store


def job(name, dest, priority=0):
    return runner.Job(name, name, name, constants.EVACUATION, "failed",
                      dest, priority, 0, vmove_store.MoveSpec((), 0))


class DispatcherTest(testtools.TestCase):

    def test_inline_order_and_results(self):
        seen = []
        d = dispatch.Dispatcher(futurist.SynchronousExecutor(), 4, 1)
        jobs = [job("a", "h1", 5), job("b", "h1"), job("c", "h2")]
        results = d.run_all(jobs, lambda j: seen.append(j.vmove_uuid)
                            or constants.SUCCEEDED)
        self.assertEqual(["a", "b", "c"], seen)
        self.assertEqual({"a": "succeeded", "b": "succeeded",
                          "c": "succeeded"}, results)

    def test_limits_workers_and_per_target(self):
        pool = futurist.ThreadPoolExecutor(max_workers=8)
        self.addCleanup(pool.shutdown)
        lock = threading.Lock()
        now = {"total": 0, "h1": 0, "h2": 0}
        peak = {"total": 0, "h1": 0, "h2": 0}
        gate = threading.Event()

        def run(j):
            with lock:
                now["total"] += 1
                now[j.dest_host] += 1
                for k in now:
                    peak[k] = max(peak[k], now[k])
            gate.wait(0.01)
            with lock:
                now["total"] -= 1
                now[j.dest_host] -= 1
            return constants.SUCCEEDED

        jobs = [job("a%d" % i, "h1") for i in range(10)] + \
            [job("b%d" % i, "h2") for i in range(10)]
        results = dispatch.Dispatcher(pool, 5, 2).run_all(jobs, run)
        self.assertEqual(20, len(results))
        self.assertLessEqual(peak["total"], 4)
        self.assertLessEqual(peak["h1"], 2)
        self.assertLessEqual(peak["h2"], 2)
        self.assertEqual(2, peak["h1"])

    def test_busy_target_lets_same_tier_go_first(self):
        order = []
        pool = futurist.SynchronousExecutor()
        d = dispatch.Dispatcher(pool, 4, 1)
        # Inline runs finish at once, so nothing is ever busy; check the
        # choice itself instead.
        pending = [job("a", "h1"), job("b", "h2"), job("c", "h3", -1)]
        self.assertEqual("b", d._next(pending, {"h1": 1}, 1).vmove_uuid)
        self.assertIsNone(d._next(pending[:1] + pending[2:], {"h1": 1}, 1))
        self.assertIsNone(d._next(pending, {}, 4))
        self.assertEqual([], order)

    def test_keep_going_false_leaves_rest_pending(self):
        calls = []
        d = dispatch.Dispatcher(futurist.SynchronousExecutor(), 2)
        results = d.run_all(
            [job("a", "h"), job("b", "h"), job("c", "h")],
            lambda j: calls.append(j) or constants.SUCCEEDED,
            keep_going=lambda: len(calls) < 1)
        self.assertEqual({"a": "succeeded", "b": "pending",
                          "c": "pending"}, results)

    def test_keep_going_is_asked_once_per_submission(self):
        asked = []
        pool = futurist.ThreadPoolExecutor(2)
        self.addCleanup(pool.shutdown)
        d = dispatch.Dispatcher(pool, 2)
        results = d.run_all(
            [job(name, "h") for name in "abcde"],
            lambda j: constants.SUCCEEDED,
            keep_going=lambda: asked.append(1) or True)
        self.assertEqual(5, len(results))
        self.assertEqual(5, len(asked))

    def test_crashing_run_counts_failed(self):
        def run(j):
            raise RuntimeError("boom")

        d = dispatch.Dispatcher(futurist.SynchronousExecutor(), 2)
        self.assertEqual({"a": constants.FAILED},
                         d.run_all([job("a", None)], run))


class TierGateTest(testtools.TestCase):
    """A tier starts when the tier before is final or timed out."""

    def setUp(self):
        super().setUp()
        self.pool = futurist.ThreadPoolExecutor(max_workers=8)
        self.addCleanup(self.pool.shutdown)
        self.lock = threading.Lock()
        self.events = []
        self.release = {}
        self.started = {}

    def run_job(self, j):
        with self.lock:
            self.events.append(("start", j.vmove_uuid))
        self.started[j.vmove_uuid].set()
        self.release[j.vmove_uuid].wait(30)
        with self.lock:
            self.events.append(("end", j.vmove_uuid))
        return constants.SUCCEEDED

    def start(self, dispatcher, jobs):
        for j in jobs:
            self.release[j.vmove_uuid] = threading.Event()
            self.started[j.vmove_uuid] = threading.Event()
        gates = []
        out = {}
        thread = threading.Thread(target=lambda: out.update(
            dispatcher.run_all(jobs, self.run_job,
                               on_gate=lambda g, n: gates.append((g, n)))))
        thread.start()
        self.addCleanup(lambda: [e.set() for e in self.release.values()])
        return thread, gates, out

    def test_next_tier_waits_for_every_job_of_the_tier(self):
        d = dispatch.Dispatcher(self.pool, 8, 0, tier_timeout=600.0)
        jobs = [job("a", "h1", 9), job("b", "h2", 9), job("c", "h1", 1),
                job("d", "h2", 1)]
        thread, gates, out = self.start(d, jobs)
        self.assertTrue(self.started["a"].wait(30))
        self.assertTrue(self.started["b"].wait(30))
        self.release["a"].set()
        # b still runs: c must not start; b's end lets it.
        self.assertFalse(self.started["c"].wait(0.2))
        self.release["b"].set()
        self.assertTrue(self.started["c"].wait(30))
        self.release["c"].set()
        self.release["d"].set()
        thread.join(30)
        self.assertEqual(4, len(out))
        ends = [i for i, e in enumerate(self.events) if e[0] == "end"
                and e[1] in ("a", "b")]
        starts = [i for i, e in enumerate(self.events) if e[0] == "start"
                  and e[1] in ("c", "d")]
        self.assertLess(max(ends), min(starts))
        self.assertEqual([tiers.DONE], [g.verdict for g, _ in gates])
        self.assertIn("tier 9 done", gates[0][1])

    def test_tier_timeout_lets_next_tier_go(self):
        clock = clock_mod.FakeClock()
        d = dispatch.Dispatcher(self.pool, 8, 0, tier_timeout=600.0,
                                clock=clock)
        jobs = [job("a", "h1", 9), job("c", "h1", 1)]
        thread, gates, out = self.start(d, jobs)
        # a never ends by itself; the FakeClock lets 600 s pass at once.
        self.assertTrue(self.started["c"].wait(30))
        self.assertGreaterEqual(clock.monotonic(), 600.0)
        self.assertNotIn(("end", "a"), self.events)
        self.release["c"].set()
        self.release["a"].set()
        thread.join(30)
        self.assertEqual([tiers.TIMED_OUT], [g.verdict for g, _ in gates])
        self.assertEqual("tier 9 timed out after 600 s with 1 vmove(s) not "
                         "final; tier 1 started", gates[0][1])

    def test_no_timeout_no_gate(self):
        d = dispatch.Dispatcher(self.pool, 8, 0, tier_timeout=0)
        jobs = [job("a", "h1", 9), job("c", "h1", 1)]
        thread, gates, out = self.start(d, jobs)
        self.assertTrue(self.started["c"].wait(30))
        self.assertNotIn(("end", "a"), self.events)
        self.release["a"].set()
        self.release["c"].set()
        thread.join(30)
        self.assertEqual([tiers.UNGATED], [g.verdict for g, _ in gates])

    def test_one_tier_never_meets_the_gate(self):
        gates = []
        d = dispatch.Dispatcher(futurist.SynchronousExecutor(), 2,
                                tier_timeout=600.0)
        d.run_all([job("a", "h"), job("b", "h")],
                  lambda j: constants.SUCCEEDED,
                  on_gate=lambda g, n: gates.append(g))
        self.assertEqual([], gates)

    def test_failed_job_counts_done_for_the_gate(self):
        seen = []

        def run(j):
            seen.append(j.vmove_uuid)
            if j.vmove_uuid == "a":
                raise RuntimeError("boom")
            return constants.SUCCEEDED

        d = dispatch.Dispatcher(futurist.SynchronousExecutor(), 2,
                                tier_timeout=600.0)
        results = d.run_all([job("b", "h", 1), job("a", "h", 9)], run)
        self.assertEqual(["a", "b"], seen)
        self.assertEqual({"a": constants.FAILED, "b": constants.SUCCEEDED},
                         results)


class BudgetTest(testtools.TestCase):

    def test_acting_calls_bounded_reads_not(self):
        changed = threading.Condition()
        now = {"acts": 0}
        peak = {"acts": 0}
        release = threading.Event()
        reads = threading.Barrier(3, timeout=30)

        class Cloud:
            def evacuate_server(self, server_id):
                with changed:
                    now["acts"] += 1
                    peak["acts"] = max(peak["acts"], now["acts"])
                    changed.notify_all()
                release.wait(30)
                with changed:
                    now["acts"] -= 1
                return server_id

            def get_server(self, server_id):
                reads.wait()        # three reads at once, or it breaks
                return server_id

        cloud = dispatch.budgeted(Cloud(), 2, threading.Event())
        pool = futurist.ThreadPoolExecutor(max_workers=6)
        self.addCleanup(pool.shutdown)
        self.addCleanup(release.set)
        acts = [pool.submit(cloud.evacuate_server, str(i)) for i in range(3)]
        got = [pool.submit(cloud.get_server, str(i)) for i in range(3)]
        self.assertEqual(["0", "1", "2"], [f.result(30) for f in got])
        with changed:
            self.assertTrue(changed.wait_for(lambda: now["acts"] == 2, 30))
        # Both slots are held: the third call waits for one.
        self.assertFalse(cloud._slots.acquire(blocking=False))
        self.assertFalse(any(f.done() for f in acts))
        release.set()
        self.assertEqual(["0", "1", "2"], [f.result(30) for f in acts])
        self.assertEqual(2, peak["acts"])

    def test_zero_is_no_limit(self):
        cloud = object()
        self.assertIs(cloud, dispatch.budgeted(cloud, 0, threading.Event()))

    def test_stop_interrupts_the_wait(self):
        stop = threading.Event()

        class Cloud:
            def start_server(self, server_id):
                return server_id

        cloud = dispatch.budgeted(Cloud(), 1, stop)
        cloud._slots.acquire()
        stop.set()
        self.assertRaises(exception.Interrupted, cloud.start_server, "x")
