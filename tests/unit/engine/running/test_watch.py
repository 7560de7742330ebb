"""The shared watch of a notification's moves in flight (one list call per
poll, Nova's ``changes-since`` on Nova's clock)."""

import dataclasses
import threading

import testtools

from tests.unit.engine import fakes
from vmotiond import clock as clock_mod
from vmotiond import exception
from vmotiond.engine.running import watch as watch_mod


def stamp(second):
    return "2026-01-01T00:%02d:%02dZ" % divmod(second, 60)


class ChangesCloud:
    """Servers stamped with Nova's ``updated``; ``land`` schedules a
    change that shows after some list calls."""

    def __init__(self):
        self.servers = {}
        self.second = 10
        self.calls = []
        self.landing = {}        # id -> [lists left, host]

    def add(self, name):
        server = dataclasses.replace(fakes.server(name=name, host="failed"),
                                     updated=stamp(self.second))
        self.servers[server.id] = server
        return server

    def change(self, server_id, **values):
        self.second += 1
        self.servers[server_id] = dataclasses.replace(
            self.servers[server_id], updated=stamp(self.second), **values)

    def land(self, server_id, after):
        self.change(server_id, task_state="rebuilding")
        self.landing[server_id] = [after, "sb1"]

    def list_servers_changed(self, since):
        self.calls.append(("list_servers_changed", since))
        for sid, pending in list(self.landing.items()):
            pending[0] -= 1
            if pending[0] <= 0:
                del self.landing[sid]
                self.change(sid, host=pending[1], task_state=None)
        return [s for s in self.servers.values() if s.updated >= since]

    def get_server(self, server_id):
        self.calls.append(("get_server", server_id))
        return self.servers[server_id]

    def count(self, name):
        return sum(1 for call, _ in self.calls if call == name)


def landed(server):
    if server.task_state is None and server.host != "failed":
        return server
    return None


class MoveWatchTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.clock = clock_mod.FakeClock()
        self.stop = threading.Event()
        self.cloud = ChangesCloud()
        self.servers = [self.cloud.add("vm-%d" % i) for i in range(3)]

    def watch(self, seeds=True):
        return watch_mod.MoveWatch(self.cloud, self.clock, self.stop, 1.0,
                                   self.servers if seeds else ())

    def test_cursor_starts_at_the_latest_updated_of_the_plan(self):
        self.cloud.change(self.servers[1].id)
        self.servers[1] = self.cloud.servers[self.servers[1].id]
        self.assertEqual(stamp(11), self.watch().cursor)

    def test_one_list_call_serves_every_move_and_no_server_is_read(self):
        watch = self.watch()
        for server in self.servers:
            watch.expect(server.id)
            self.cloud.land(server.id, after=2)
        found = [watch.wait(s.id, "move", landed, 60) for s in self.servers]
        self.assertEqual(["sb1"] * 3, [s.host for s in found])
        self.assertEqual(0, self.cloud.count("get_server"))
        # Two polls landed all three; the later waits found them landed.
        self.assertEqual(2, self.cloud.count("list_servers_changed"))

    def test_the_cursor_follows_nova_s_latest_updated(self):
        watch = self.watch()
        server = self.servers[0]
        watch.expect(server.id)
        self.cloud.land(server.id, after=2)
        watch.wait(server.id, "move", landed, 60)
        # From the plan's latest (10), then the latest each answer showed:
        # the move asked (11), then landed (12).
        sinces = [since for call, since in self.cloud.calls]
        self.assertEqual([stamp(10), stamp(11)], sinces)
        self.assertEqual(stamp(12), watch.cursor)

    def test_only_what_nova_showed_after_expect_is_judged(self):
        watch = self.watch()
        server = self.servers[0]
        judged = []
        watch.expect(server.id)
        self.cloud.land(server.id, after=1)

        def judge(seen):
            judged.append(seen.updated)
            return landed(seen)

        watch.wait(server.id, "move", judge, 60)
        # The plan's view (before the move) is never judged.
        self.assertNotIn(stamp(10), judged)

    def test_resumed_wait_reads_the_server_once_first(self):
        watch = self.watch(seeds=False)
        server = self.servers[0]
        self.cloud.change(server.id, host="sb1")
        found = watch.wait(server.id, "move", landed, 60)
        self.assertEqual("sb1", found.host)
        self.assertEqual(1, self.cloud.count("get_server"))
        self.assertEqual(0, self.cloud.count("list_servers_changed"))
        # A watch with no cursor takes the first read's.
        self.assertEqual(stamp(11), watch.cursor)

    def test_a_lone_read_never_moves_a_cursor_it_has(self):
        watch = self.watch()
        self.cloud.change(self.servers[0].id, host="sb1")
        watch.wait(self.servers[0].id, "move", landed, 60)
        self.assertEqual(stamp(10), watch.cursor)

    def test_a_change_wakes_only_its_own_waiter(self):
        watch = self.watch()
        first, second = self.servers[:2]
        watch.expect(first.id)
        watch.expect(second.id)
        waiters = watch.waiters
        self.assertFalse(waiters[first.id].wake.is_set())
        self.cloud.change(first.id, task_state="rebuilding")
        with watch.lock:
            watch._merge(self.cloud.servers[first.id])
        self.assertTrue(waiters[first.id].wake.is_set())
        self.assertFalse(waiters[second.id].wake.is_set())

    def test_times_out(self):
        watch = self.watch()
        watch.expect(self.servers[0].id)
        self.assertRaisesRegex(exception.StepTimedOut,
                               "not done after 5 s", watch.wait,
                               self.servers[0].id, "move", landed, 5)
        self.assertEqual({}, watch.waiters)

    def test_stop_interrupts(self):
        watch = self.watch()
        watch.expect(self.servers[0].id)
        self.stop.set()
        self.assertRaises(exception.Interrupted, watch.wait,
                          self.servers[0].id, "move", landed, 60)

    def test_polls_wait_for_the_shortest_move_seen(self):
        watch = self.watch()
        first, second = self.servers[:2]
        watch.expect(first.id)
        self.cloud.land(first.id, after=5)
        watch.wait(first.id, "move", landed, 60)
        took = watch.shortest
        self.assertIsNotNone(took)
        polls = self.cloud.count("list_servers_changed")
        start = self.clock.monotonic()
        watch.expect(second.id)
        self.cloud.land(second.id, after=1)
        watch.wait(second.id, "move", landed, 60)
        # Its only poll came when a move had taken as long as the first.
        self.assertEqual(polls + 1, self.cloud.count("list_servers_changed"))
        self.assertGreaterEqual(self.clock.monotonic() - start, took)
