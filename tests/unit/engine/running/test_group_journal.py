"""The engine's journal writes, committed together when they meet."""

import threading

import testtools

from vmotiond import exception
from vmotiond.engine.running import group_journal


class FakeDb:
    """Records each transaction; the first one waits until released."""

    def __init__(self):
        self.transactions = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail_groups = False

    def _hold(self):
        if not self.entered.is_set():
            self.entered.set()
            self.release.wait(10)

    def step_journal(self, vmove_uuid, steps, vmove=None, expected=None,
                     fence=None):
        self._hold()
        self.transactions.append([vmove_uuid])
        if vmove_uuid == "bad":
            raise exception.InvalidInput(reason="bad")
        return True, [len(steps)]

    def step_journals(self, writes):
        self._hold()
        if self.fail_groups:
            raise RuntimeError("deadlock")
        self.transactions.append([w.vmove_uuid for w in writes])
        return [(True, [len(w.steps)]) for w in writes]


class GroupWriterTest(testtools.TestCase):

    def run_together(self, db, uuids):
        """The first write holds the transaction; the others queue."""
        writer = group_journal.GroupWriter(db)
        results = {}

        def write(uuid):
            try:
                results[uuid] = writer.step_journal(uuid, [object()])
            except Exception as exc:
                results[uuid] = exc

        first = threading.Thread(target=write, args=(uuids[0],))
        first.start()
        self.assertTrue(db.entered.wait(10))
        others = [threading.Thread(target=write, args=(u,))
                  for u in uuids[1:]]
        for thread in others:
            thread.start()
        # Every other write is queued before the first one's commit.
        for _ in range(10000):   # up to 10 s on a loaded machine
            if writer._writes.waiting() == len(others):
                break
            threading.Event().wait(0.001)
        db.release.set()
        for thread in [first] + others:
            thread.join(10)
        return results

    def test_alone_when_none_in_progress(self):
        db = FakeDb()
        db.entered.set()
        writer = group_journal.GroupWriter(db)
        self.assertEqual((True, [2]), writer.step_journal("a", [1, 2]))
        self.assertEqual((True, [1]), writer.step_journal("b", [1]))
        self.assertEqual([["a"], ["b"]], db.transactions)

    def test_writes_that_wait_go_together(self):
        db = FakeDb()
        results = self.run_together(db, ["a", "b", "c", "d"])
        self.assertEqual({u: (True, [1]) for u in "abcd"}, results)
        self.assertEqual([["a"], ["b", "c", "d"]], db.transactions)

    def test_a_failed_group_is_written_write_by_write(self):
        db = FakeDb()
        db.fail_groups = True
        results = self.run_together(db, ["a", "b", "bad", "c"])
        self.assertEqual((True, [1]), results["c"])
        self.assertIsInstance(results["bad"], exception.InvalidInput)
        self.assertEqual([["a"], ["b"], ["bad"], ["c"]], db.transactions)
