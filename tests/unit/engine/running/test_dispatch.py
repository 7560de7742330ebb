import threading

import futurist
import testtools

from vmotiond import constants
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

    def test_crashing_run_counts_failed(self):
        def run(j):
            raise RuntimeError("boom")

        d = dispatch.Dispatcher(futurist.SynchronousExecutor(), 2)
        self.assertEqual({"a": constants.FAILED},
                         d.run_all([job("a", None)], run))
