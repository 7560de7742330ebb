"""Concurrent calls made together: batches, limits, failures."""

import threading

import testtools

from vmotiond.engine.running import combiner


class Held:
    """``run`` of a Combiner: the first batch waits until released."""

    def __init__(self, error=None):
        self.batches = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.error = error

    def __call__(self, items):
        if not self.entered.is_set():
            self.entered.set()
            self.release.wait(10)
        self.batches.append(list(items))
        if self.error is not None and len(self.batches) > 1:
            raise self.error
        return [item * 10 for item in items]


class CombinerTest(testtools.TestCase):

    def meet(self, run, items, take=len, waiting=None):
        """Call ``items[0]`` first; the others while it is held; the
        results (or exceptions) by item."""
        calls = combiner.Combiner(run, take)
        results = {}

        def call(item):
            try:
                results[item] = calls.call(item)
            except BaseException as exc:
                results[item] = exc

        first = threading.Thread(target=call, args=(items[0],))
        first.start()
        self.assertTrue(run.entered.wait(10))
        others = [threading.Thread(target=call, args=(i,))
                  for i in items[1:]]
        for thread in others:
            thread.start()
        # Every other call is queued before the first batch ends.
        for _ in range(1000):
            if calls.waiting() == len(items) - 1:
                break
            threading.Event().wait(0.01)
        run.release.set()
        for thread in [first] + others:
            thread.join(10)
        return results

    def test_a_call_alone_is_made_at_once(self):
        run = Held()
        run.entered.set()
        self.assertEqual(70, combiner.Combiner(run).call(7))
        self.assertEqual([[7]], run.batches)

    def test_calls_that_meet_go_in_one_batch(self):
        run = Held()
        results = self.meet(run, [1, 2, 3, 4])
        self.assertEqual({1: 10, 2: 20, 3: 30, 4: 40}, results)
        self.assertEqual([[1], [2, 3, 4]], run.batches)

    def test_take_limits_a_batch_and_the_rest_follow(self):
        run = Held()
        results = self.meet(run, [1, 2, 3, 4, 5],
                            take=lambda waiting: min(2, len(waiting)))
        self.assertEqual({i: i * 10 for i in range(1, 6)}, results)
        self.assertEqual([[1], [2, 3], [4, 5]], run.batches)

    def test_take_of_none_still_carries_the_oldest(self):
        run = Held()
        results = self.meet(run, [1, 2, 3], take=lambda waiting: 0)
        self.assertEqual({1: 10, 2: 20, 3: 30}, results)
        self.assertEqual([[1], [2], [3]], run.batches)

    def test_a_failed_batch_fails_each_of_its_calls_only(self):
        run = Held(error=RuntimeError("down"))
        results = self.meet(run, [1, 2, 3])
        self.assertEqual(10, results[1])
        for item in (2, 3):
            self.assertIsInstance(results[item], RuntimeError)
            self.assertEqual("down", str(results[item]))

    def test_an_interrupted_batch_wakes_every_caller(self):
        run = Held(error=KeyboardInterrupt())
        results = self.meet(run, [1, 2, 3])
        self.assertEqual(10, results[1])
        for item in (2, 3):
            self.assertIsInstance(results[item], RuntimeError)
            self.assertIn("interrupted", str(results[item]))

    def test_results_of_one_call_each_are_kept_apart(self):
        def run(items):
            return [ValueError(i) if i % 2 else i for i in items]

        calls = combiner.Combiner(run)
        self.assertEqual(2, calls.call(2))
        self.assertRaises(ValueError, calls.call, 3)
