"""A recovery on SQLite while other processes read and lock the file.

The engine runs against the simulator over HTTP on a SQLite file; one
process keeps read transactions open on the file and another takes its
write lock for 0.4 s now and then. With a short busy timeout (0.2 s) some
of the engine's writes find "database is locked": whatever failed, every
vmove ends final, every instance counted as moved is on a live host, and
no notification is ``finished`` with a vmove not final. With the default
timeout (WAL: readers never block the writer) every instance is moved.
"""

import os
import subprocess
import sys
import time

import fixtures
import testtools

from tests.functional.engine import env as env_mod
from vmotiond import constants
from vmotiond.db import api as db_api

SERVERS = 12


class SqliteContentionTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env = self.useFixture(env_mod.EngineEnv(
            backend="sqlite", latency={"evacuate": 0.2, "start": 0.05}))
        self.env.conf_fixture.set("workers", 4, "engine")
        self.path = self.env.db.url[len("sqlite:///"):]
        # The test reads with the default busy timeout.
        self.observer = self.env.db
        cloud = self.env.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        for name in ("compute-a", "compute-b"):
            cloud.add_host(name)
        cloud.add_host(self.env.failed_host)
        self.servers = [cloud.add_server(self.env.failed_host, "m1.small",
                                         name="vm-%d" % n).id
                        for n in range(SERVERS)]
        self.env.sync_hosts()

    def hammer(self, mode):
        stop = os.path.join(self.useFixture(fixtures.TempDir()).path, "stop")
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(__file__)))))
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.functional.engine.hammer", mode,
             self.path, stop], cwd=root, stdout=subprocess.PIPE, text=True)
        self.addCleanup(env_mod._kill, proc)

        def finish():
            open(stop, "w").close()
            out, _ = proc.communicate(timeout=30)
            rounds, busy = (int(n) for n in out.split())
            self.addDetail("%s-rounds" % mode, testtools.content.text_content(
                "%d rounds, %d busy" % (rounds, busy)))
            return rounds
        return finish

    def engine_db(self, query=""):
        """The engine's own connections to the file, with ``query``."""
        self.env.db = db_api.Database(
            self.env.conf, connection=self.observer.url + query)
        self.addCleanup(self.env.db.dispose)

    def test_every_vmove_ends_final(self):
        # The engine waits only 0.2 s for a busy file.
        self.engine_db("?timeout=0.2")
        moves, ended = self.recover()
        report = {m.instance_name: (m.status, m.message) for m in moves}
        # No abort, no plan refusal: each one moved or failed, saying why.
        for move in moves:
            self.assertIn(move.status, (constants.SUCCEEDED,
                                        constants.FAILED), report)
            self.assertTrue(move.message, report)
        failed = sum(m.status == constants.FAILED for m in moves)
        self.assertEqual(constants.NOTIFICATION_FAILED if failed
                         else constants.NOTIFICATION_FINISHED, ended.status,
                         ended.message)

    def test_default_busy_timeout_moves_everything(self):
        self.engine_db()
        moves, ended = self.recover()
        self.assertEqual(constants.NOTIFICATION_FINISHED, ended.status,
                         ended.message)
        self.assertEqual({constants.SUCCEEDED}, {m.status for m in moves},
                         [m.message for m in moves])

    def recover(self):
        """Recover the failed host while the file is hammered; check what
        holds whatever failed; return the vmoves and the notification."""
        readers = self.hammer("read")
        locker = self.hammer("lock")
        engine = self.env.engine(listen=False)
        self.env.sim.cloud.kill_host(self.env.failed_host)
        note = self.observer.notification_create(
            constants.COMPUTE_HOST, self.env.failed_host,
            "%s:%s:1" % (constants.COMPUTE_HOST, self.env.failed_host),
            {"host": self.env.failed_host, "generation": 1})
        engine.submit(note.uuid)
        ended = self.wait_ended(note.uuid)
        self.assertGreater(readers(), 0)
        self.assertGreater(locker(), 0)
        engine.stop()
        moves = self.observer.vmove_list(notification_uuid=note.uuid)
        self.assertEqual(SERVERS, len(moves))
        self.addDetail("vmoves", testtools.content.text_content(
            "\n".join("%s %s %s" % (m.instance_name, m.status, m.message)
                      for m in moves)))
        self.assertTrue(all(m.status in constants.VMOVE_DONE_STATUSES
                            for m in moves))
        sim = self.env.sim.cloud
        for move in moves:
            if move.status == constants.SUCCEEDED:
                server = sim.state.servers[move.instance_uuid]
                self.assertEqual(move.dest_host, server.host)
                self.assertNotEqual(self.env.failed_host, server.host)
        self.assert_no_finished_with_open_vmoves()
        return moves, ended

    def wait_ended(self, uuid, timeout=120.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.observer.notification_get(uuid)
            if row.status not in (constants.NOTIFICATION_NEW,
                                  constants.NOTIFICATION_RUNNING):
                return row
            self.assert_no_finished_with_open_vmoves()
            time.sleep(0.1)
        raise AssertionError("notification %s still %s after %.0f s"
                             % (uuid, row.status, timeout))

    def assert_no_finished_with_open_vmoves(self):
        for note in self.observer.notification_list(
                status=(constants.NOTIFICATION_FINISHED,)):
            open_moves = self.observer.vmove_list(
                notification_uuid=note.uuid,
                status=(constants.PENDING, constants.ONGOING))
            self.assertEqual([], open_moves, note.message)
