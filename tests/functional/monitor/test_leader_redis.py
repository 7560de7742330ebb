"""Two monitors racing for leadership on a real Redis (127.0.0.1:6379).

Redis must be running: a missing server fails these tests.
"""

import socket
import threading
import time
import uuid

import testtools

from tests.fixtures import conf as conf_fixture
from tests.unit.monitor.fakes import FakeNova
from vmotiond import clock as clock_mod
from vmotiond.monitor import leader
from vmotiond.monitor import manager
from vmotiond.monitor import probe
from vmotiond.monitor import store as store_mod

REDIS = ("127.0.0.1", 6379)
LEASE = 2.0
BEAT = 0.2


def _require_redis() -> None:
    try:
        socket.create_connection(REDIS, timeout=2).close()
    except OSError as exc:
        raise AssertionError("Redis is not reachable on %s:%d: %s"
                             % (REDIS + (exc,))) from exc


def _wait_for(predicate, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        threading.Event().wait(0.02)
    raise AssertionError("condition not met within %.1f s" % timeout)


class CountingCloud:
    def __init__(self) -> None:
        self.nova = FakeNova(3)
        self.calls = 0

    def list_compute_services(self) -> list:
        self.calls += 1
        return self.nova.services()

    def list_aggregates(self) -> list:
        return []

    def list_host_capacities(self) -> list:
        return []

    def list_servers(self, host=None) -> list:
        return []

    def list_network_agents(self) -> list:
        return []


class RecordingNotifier:
    def info(self, *args) -> None:
        pass

    warn = info


class LeaderRedisTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        _require_redis()
        self.fx = self.useFixture(conf_fixture.Conf())
        self.fx.set("backend_url", "redis://%s:%d" % REDIS,
                    group="coordination")
        self.fx.set("lease_timeout", LEASE, group="coordination")
        self.fx.set("heartbeat_interval", BEAT, group="coordination")
        self.lock = ("vmotiond-test-leader-%s" % uuid.uuid4().hex).encode()

    def elector(self, member: str) -> leader.LeaderElector:
        e = leader.LeaderElector(self.fx.conf, member_id=member,
                                 lock_name=self.lock)
        self.addCleanup(e.stop)
        return e

    def test_exactly_one_leads(self) -> None:
        a, b = self.elector("a"), self.elector("b")
        a.start()
        _wait_for(lambda: a.is_leader, 5)
        b.start()
        threading.Event().wait(LEASE * 2)
        self.assertTrue(a.is_leader)
        self.assertFalse(b.is_leader)

    def test_graceful_stop_hands_over_at_once(self) -> None:
        a, b = self.elector("a"), self.elector("b")
        a.start()
        _wait_for(lambda: a.is_leader, 5)
        b.start()
        a.stop()
        took = _wait_for(lambda: b.is_leader, 5)
        self.assertLess(took, 2 * BEAT + 0.5)

    def test_dead_leader_is_replaced_within_one_lease(self) -> None:
        a, b = self.elector("a"), self.elector("b")
        a.start()
        _wait_for(lambda: a.is_leader, 5)
        b.start()
        threading.Event().wait(3 * BEAT)
        # "a" dies: its thread stops renewing and nothing is released.
        a._exit.set()
        a._thread.join()
        took = _wait_for(lambda: b.is_leader, LEASE * 3)
        self.assertLessEqual(took, LEASE + 2 * BEAT + 0.5)
        # The dead one, if it wakes up, finds the lease taken and yields.
        self.assertFalse(a.tick())
        self.assertTrue(b.is_leader)

    def test_two_monitors_only_the_leader_polls(self) -> None:
        self.fx.set("poll_interval", 0.1, group="monitor")
        clouds, monitors = [], []
        for member in ("m1", "m2"):
            cloud = CountingCloud()
            mon = manager.Monitor(
                self.fx.conf, cloud, store_mod.MemoryStore(),
                RecordingNotifier(), clock=clock_mod.Clock(),
                probe=probe.NoProbe(), elector=self.elector(member))
            self.addCleanup(mon.stop)
            clouds.append(cloud)
            monitors.append(mon)
        for mon in monitors:
            mon.start()
        _wait_for(lambda: any(m.is_leader for m in monitors), 5)
        threading.Event().wait(1.0)
        leading = [m.is_leader for m in monitors]
        self.assertEqual(1, leading.count(True))
        first = leading.index(True)
        other = 1 - first
        before = clouds[other].calls
        threading.Event().wait(1.0)
        self.assertEqual(before, clouds[other].calls)
        self.assertGreater(clouds[first].calls, 5)
        # The leader dies without a word; the other takes over and polls.
        elector = monitors[first].elector
        monitors[first]._exit.set()
        elector._exit.set()
        elector._thread.join()
        _wait_for(lambda: monitors[other].is_leader, LEASE * 3)
        _wait_for(lambda: clouds[other].calls > before + 3, 5)
