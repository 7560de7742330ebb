"""The hold of an engine on a notification, checked before it acts."""

import os
import types

import testtools
import tooz
from tooz import coordination

from vmotiond import clock as clock_mod
from vmotiond import exception
from vmotiond.db import notifications
from vmotiond.engine import locks
from vmotiond.engine.running import tenure

FENCE = notifications.Fence("n-1", "engine-a", 3)


class FakeLock:
    def __init__(self, held=True):
        self.is_held = held

    def acquire(self, blocking=True):
        return True

    def release(self):
        return True

    def held(self):
        return self.is_held


class FakeDb:
    def __init__(self, owner="engine-a", generation=3):
        self.row = types.SimpleNamespace(owner=owner, generation=generation,
                                         status="running")

    def notification_claim(self, uuid):
        return self.row


class TenureTest(testtools.TestCase):

    def test_engine_id_names_host_and_process_uniquely(self):
        first, second = tenure.engine_id("ctl-1"), tenure.engine_id("ctl-1")
        self.assertTrue(first.startswith("ctl-1:%d:" % os.getpid()))
        self.assertNotEqual(first, second)

    def test_fence_holds_only_its_owner_and_generation(self):
        row = types.SimpleNamespace
        self.assertTrue(FENCE.holds(row(owner="engine-a", generation=3)))
        self.assertFalse(FENCE.holds(row(owner="engine-b", generation=3)))
        self.assertFalse(FENCE.holds(row(owner="engine-a", generation=4)))
        self.assertFalse(FENCE.holds(row(owner=None, generation=0)))

    def test_check_returns_the_row_while_held(self):
        db = FakeDb()
        self.assertIs(db.row, tenure.Tenure(db, FENCE, FakeLock()).check())

    def test_check_refuses_a_lost_lock(self):
        error = self.assertRaises(
            exception.Superseded,
            tenure.Tenure(FakeDb(), FENCE, FakeLock(held=False)).check)
        self.assertIn("its lock expired", str(error))

    def test_check_names_the_engine_that_took_over(self):
        error = self.assertRaises(
            exception.Superseded,
            tenure.Tenure(FakeDb("engine-b", 4), FENCE, FakeLock()).check)
        self.assertEqual("notification n-1 was taken up by engine-b "
                         "(generation 4)", str(error))

    def test_a_fenced_write_of_the_thread_stands_for_the_claim_briefly(self):
        clock = clock_mod.FakeClock()
        db = FakeDb("engine-b", 4)      # taken over, which a read shows
        lock = FakeLock()
        held = tenure.Tenure(db, FENCE, lock, clock)
        with tenure.holding(held):
            tenure.proved(FENCE, clock.monotonic())
            tenure.check_current()      # the write just proved it
            # Once only: the next act reads the claim.
            self.assertRaises(exception.Superseded, tenure.check_current)
            tenure.proved(FENCE, clock.monotonic())
            clock.advance(tenure.CLAIM_PROVEN_FOR + 0.1)
            self.assertRaises(exception.Superseded, tenure.check_current)
            # Another claim's proof stands for nothing.
            tenure.proved(notifications.Fence("n-2", "engine-a", 1),
                          clock.monotonic())
            self.assertRaises(exception.Superseded, tenure.check_current)
            # The lock is asked whatever was proved.
            lock.is_held = False
            tenure.proved(FENCE, clock.monotonic())
            error = self.assertRaises(exception.Superseded,
                                      tenure.check_current)
            self.assertIn("its lock expired", str(error))

    def test_superseded_is_no_step_failure(self):
        self.assertNotIsInstance(exception.Superseded("n", "x"),
                                 exception.VmotiondError)


class ActingTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.calls = []
        target = types.SimpleNamespace(
            get_server=lambda sid: self.calls.append(("get", sid)),
            list_servers=lambda: self.calls.append(("list",)),
            evacuate=lambda sid: self.calls.append(("evacuate", sid)),
            name="cloud")
        self.proxy = tenure.acting(target, lambda: self.calls.append(
            ("check",)))

    def test_reads_go_straight(self):
        self.proxy.get_server("s1")
        self.proxy.list_servers()
        self.assertEqual([("get", "s1"), ("list",)], self.calls)
        self.assertEqual("cloud", self.proxy.name)

    def test_an_act_is_checked_first(self):
        self.proxy.evacuate("s1")
        self.assertEqual([("check",), ("evacuate", "s1")], self.calls)

    def test_a_failed_check_stops_the_act(self):
        def lost():
            raise exception.Superseded("n-1", "was taken up by b")
        target = types.SimpleNamespace(evacuate=self.calls.append)
        self.assertRaises(exception.Superseded,
                          tenure.acting(target, lost).evacuate, "s1")
        self.assertEqual([], self.calls)

    def test_default_check_is_the_thread_s_tenure(self):
        target = types.SimpleNamespace(evacuate=self.calls.append)
        proxy = tenure.acting(target)
        proxy.evacuate("free")          # acting for no notification
        lost = tenure.Tenure(FakeDb(), FENCE, FakeLock(held=False))
        held = tenure.Tenure(FakeDb(), FENCE, FakeLock())
        with tenure.holding(held):
            with tenure.holding(lost):
                self.assertRaises(exception.Superseded, proxy.evacuate,
                                  "lost")
            proxy.evacuate("held")
        self.assertEqual(["free", "held"], self.calls)


class HeldTest(testtools.TestCase):

    def test_local_lock_is_held_between_acquire_and_release(self):
        lock = locks.LocalLocks().get("x")
        self.assertFalse(lock.held())
        self.assertTrue(lock.acquire(blocking=False))
        self.assertTrue(lock.held())
        lock.release()
        self.assertFalse(lock.held())

    def test_tooz_lock_asks_the_backend(self):
        class Backend:
            name = b"x"

            def __init__(self, answer):
                self.answer = answer

            def is_still_owner(self):
                if isinstance(self.answer, Exception):
                    raise self.answer
                return self.answer

        def held(answer):
            return locks._ToozLock(Backend(answer)).held()

        self.assertTrue(held(True))
        self.assertFalse(held(False))
        # File locks cannot tell: they live as long as the process.
        self.assertTrue(held(tooz.NotImplemented()))
        # An unreachable backend: not known held, so not acted on.
        self.assertFalse(held(coordination.ToozConnectionError("down")))
