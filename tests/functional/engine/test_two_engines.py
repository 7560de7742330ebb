"""Two engines on one notification: the first loses its Redis host lock
mid-recovery (its key vanishes, as when Redis restarts), the second takes
the notification up. Nothing is done twice: the simulator counts every
evacuate call per instance, and the first engine's writes are refused.

Both engines share the simulator's FakeClock and a real database; each
has its own connection pool and tooz coordinator, as two processes would.
The first engine is held at a gate in its database writes; the test waits
on the gate's event, never on a guess.
"""

import threading
import uuid

import fixtures
import futurist
import redis
import testscenarios
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database
from tests.fixtures import sim as sim_fixture
from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import openstack as os_cloud
from vmotiond.db import api as db_api
from vmotiond.engine import locks as locks_mod
from vmotiond.engine import manager
from vmotiond.engine.deciding import names
from vmotiond.sim import builder

REDIS_URL = "redis://127.0.0.1:6379"
SERVERS = 6
# Engine A is stopped at the write that begins its third evacuation.
GATED = 3


def begins_evacuation(steps):
    return any(s.step_id is None and s.status == constants.ONGOING and
               s.name == names.EVACUATE for s in steps)


class GatedDatabase(db_api.Database):
    """Engine A's database: the first write ``gate`` matches waits until
    ``release``; the writes refused as superseded are counted."""

    def __init__(self, *args, gate, **kwargs):
        super().__init__(*args, **kwargs)
        self.gate = gate
        self.entered = threading.Event()
        self.release = threading.Event()
        self.refused = []
        self._lock = threading.Lock()

    def step_journal(self, vmove_uuid, steps, *args, **kwargs):
        steps = list(steps)
        with self._lock:
            stop = not self.entered.is_set() and self.gate(vmove_uuid, steps)
            if stop:
                self.entered.set()
        if stop:
            self.release.wait(60)
        try:
            return super().step_journal(vmove_uuid, steps, *args, **kwargs)
        except exception.Superseded:
            with self._lock:
                self.refused.append(vmove_uuid)
            raise


class TwoEnginesTest(testscenarios.WithScenarios, testtools.TestCase):

    scenarios = [("sqlite", {"backend": "sqlite"}),
                 ("mysql", {"backend": "mysql"}),
                 ("postgresql", {"backend": "postgresql"})]

    def setUp(self):
        super().setUp()
        self.logs = self.useFixture(fixtures.FakeLogger(level="INFO"))
        self.conf_fixture = self.useFixture(conf_fixture.Conf())
        self.conf = self.conf_fixture.conf
        for name, value in (("workers", 1), ("resume_interval", 0),
                            ("new_poll_interval", 0),
                            ("capacity_check_interval", 0),
                            ("resume_on_start", False),
                            ("poll_interval", 1.0),
                            ("step_retry_backoff", 1.0)):
            self.conf_fixture.set(name, value, "engine")
        self.conf_fixture.set("backend_url", REDIS_URL, "coordination")
        self.clock = clock_mod.FakeClock()
        self.sim = self.useFixture(sim_fixture.SimFixture(
            builder.Scenario(hosts=0, standby=0, servers=0,
                             anti_affinity_groups=0), clock=self.clock))
        cloud = self.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        # Unique per test: the host lock lives in the shared Redis.
        self.failed = "fail-%s" % uuid.uuid4().hex[:8]
        cloud.add_host("compute-a")
        cloud.add_host(self.failed)
        self.ids = [cloud.add_server(self.failed, "m1.small",
                                     name="vm-%d" % i).id
                    for i in range(SERVERS)]
        self.db_fixture = self.useFixture(database.Database(
            self.backend, self.conf, clock=self.clock))
        self.db = self.db_fixture.database
        self.db.hosts_sync([{"name": h} for h in cloud.state.hosts])
        cloud.kill_host(self.failed)
        # Nova sees it down.
        self.sim.advance(120)
        self.uuid = self.db.notification_create(
            constants.COMPUTE_HOST, self.failed,
            "%s:%s:1" % (constants.COMPUTE_HOST, self.failed),
            {"host": self.failed, "generation": 1}).uuid

    def engine(self, name, db, **kw):
        conn = self.sim.connect()
        self.addCleanup(conn.close)
        cloud = os_cloud.OpenStackCloud(conn, self.conf,
                                        clock=clock_mod.Clock())
        locks = locks_mod.ToozLocks(self.conf, member="%s-%s" % (
            name, uuid.uuid4().hex[:8]))
        engine = manager.EngineManager(
            self.conf, db, cloud, self.clock, locks=locks,
            notification_pool=futurist.ThreadPoolExecutor(max_workers=1),
            **kw)
        engine.start()
        self.addCleanup(engine.stop)
        return engine

    def gated_engine(self, gate):
        db = GatedDatabase(self.conf, clock=self.clock,
                           connection=self.db_fixture.url, gate=gate)
        self.addCleanup(db.dispose)
        self.addCleanup(db.release.set)
        # One vmove at a time: at the gate, the ones before are done.
        return db, self.engine("a", db, pool=futurist.ThreadPoolExecutor(
            max_workers=1))

    def expire_lock(self):
        """The host lock's key vanishes from Redis (Redis restarted)."""
        client = redis.Redis.from_url(REDIS_URL)
        self.addCleanup(client.close)
        keys = client.keys("*%s*" % locks_mod.host_lock_name(self.failed))
        self.assertEqual(1, len(keys), keys)
        client.delete(*keys)

    def evacuate_calls(self):
        return [self.sim.cloud.action_count(sid, "evacuate")
                for sid in self.ids]

    def assert_recovered_once(self, engine):
        self.assertEqual([1] * SERVERS, self.evacuate_calls())
        note = self.db.notification_get(self.uuid)
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        self.assertEqual((engine.engine_id, 2), (note.owner,
                                                 note.generation))
        for move in self.db.vmove_list(notification_uuid=self.uuid):
            self.assertEqual(constants.SUCCEEDED, move.status, move.message)
            self.assertEqual(
                [], [s.name for s in self.db.step_list(move.uuid)
                     if s.status == constants.ONGOING], move.instance_name)

    def test_takeover_refuses_the_stale_engine_writes(self):
        count = [0]

        def third_evacuation(vmove_uuid, steps):
            if begins_evacuation(steps):
                count[0] += 1
            return count[0] == GATED

        db_a, a = self.gated_engine(third_evacuation)
        first = a.submit(self.uuid)
        self.assertTrue(db_a.entered.wait(60), "engine A never got there")
        self.assertEqual(GATED - 1, sum(self.evacuate_calls()))
        self.expire_lock()
        b = self.engine("b", self.db)
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         b.submit(self.uuid).result(timeout=120))
        db_a.release.set()
        self.assertIsNone(first.result(timeout=60))
        self.assert_recovered_once(b)
        # A's gated write (its third evacuation's start) was refused, and
        # A stopped: it wrote nothing more.
        self.assertGreaterEqual(len(db_a.refused), 1)
        self.assertIn("was taken up by %s" % b.engine_id, self.logs.output)

    def test_lock_lost_means_no_nova_call(self):
        count = [0]

        def third_evacuation(vmove_uuid, steps):
            if begins_evacuation(steps):
                count[0] += 1
            return count[0] == GATED

        db_a, a = self.gated_engine(third_evacuation)
        first = a.submit(self.uuid)
        self.assertTrue(db_a.entered.wait(60), "engine A never got there")
        self.expire_lock()
        db_a.release.set()
        # Nobody took it up yet: A's write is accepted, but A finds its
        # lock gone before asking Nova, and stops.
        self.assertIsNone(first.result(timeout=60))
        self.assertEqual(GATED - 1, sum(self.evacuate_calls()))
        self.assertEqual([], db_a.refused)
        self.assertIn("its lock expired", self.logs.output)
        left = [s for m in self.db.vmove_list(notification_uuid=self.uuid)
                for s in self.db.step_list(m.uuid)
                if s.status == constants.ONGOING]
        # The gated one, and the next one already queued in A's pool: each
        # claimed and began, then found the lock gone.
        self.assertEqual({names.EVACUATE}, {s.name for s in left})
        # B takes it up: the step A left ongoing is ended, saying why.
        b = self.engine("b", self.db)
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         b.submit(self.uuid).result(timeout=120))
        self.assert_recovered_once(b)
        for step in left:
            closed = next(s for s in self.db.step_list(step.vmove_uuid)
                          if s.id == step.id)
            self.assertEqual(constants.FAILED, closed.status)
            self.assertIn("died or lost the notification", closed.result)
            self.assertIn(b.engine_id, closed.result)

    def test_stale_engine_after_its_move_asks_nothing_more(self):
        """A's lock expires after it asked for an evacuation; B resumes
        that vmove (finding the move done), A's end of it is refused."""
        seen = {}

        def after_third_evacuation(vmove_uuid, steps):
            if begins_evacuation(steps):
                seen[vmove_uuid] = len(seen) + 1
                return False
            return seen.get(vmove_uuid) == GATED

        db_a, a = self.gated_engine(after_third_evacuation)
        first = a.submit(self.uuid)
        self.assertTrue(db_a.entered.wait(60), "engine A never got there")
        self.assertEqual(GATED, sum(self.evacuate_calls()))
        self.expire_lock()
        b = self.engine("b", self.db)
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         b.submit(self.uuid).result(timeout=120))
        db_a.release.set()
        self.assertIsNone(first.result(timeout=60))
        self.assert_recovered_once(b)
        self.assertGreaterEqual(len(db_a.refused), 1)

