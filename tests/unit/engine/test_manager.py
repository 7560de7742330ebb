import logging
import threading
import time

import fixtures
import oslo_messaging

from tests.unit.engine import base
from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond.engine import intake


class ManagerTest(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.add_hosts()
        self.cloud.add_server(fakes.server(name="a", host="failed"))

    def test_resume_picks_up_new_notifications(self):
        uuid = self.notify()
        mgr = self.make_manager()
        mgr.start()
        self.addCleanup(mgr.stop)
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.db.notification_get(uuid).status)

    def test_resume_off(self):
        self.conf.set_override("resume_on_start", False, "engine")
        uuid = self.notify()
        mgr = self.make_manager()
        mgr.start()
        mgr.stop()
        self.assertEqual(constants.NOTIFICATION_NEW,
                         self.db.notification_get(uuid).status)

    def test_a_notification_another_engine_holds_is_not_news(self):
        uuid = self.notify()
        self.db.notification_set_status(uuid, constants.NOTIFICATION_RUNNING)
        mgr = self.make_manager()
        log = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        held = self.locks.get("vmotiond-recover-failed")
        held.acquire()
        self.assertEqual([uuid], mgr.resume())
        self.assertIsNone(mgr.submit(uuid).result())
        self.assertEqual(constants.NOTIFICATION_RUNNING,
                         self.db.notification_get(uuid).status)
        self.assertNotIn(uuid, log.output)
        held.release()
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         mgr.submit(uuid).result())
        self.assertIn("Taking up recovery %s (host failed), left running"
                      % uuid, log.output)

    def test_stop_keeps_its_budget(self):
        mgr = self.make_manager()
        mgr.start()
        release = threading.Event()
        self.addCleanup(release.set)
        self.useFixture(fixtures.MockPatchObject(
            mgr.operations, "stop", release.wait))
        log = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        mgr.stop(timeout=0.2)             # returns although a part hangs
        self.assertIn("Engine not stopped within 0.2 s", log.output)
        self.assertNotIn("Engine stopped", log.output)
        release.set()

    def test_unknown_type_left_new(self):
        row = self.db.notification_create(constants.HOST_DRAIN, "failed",
                                          "drain-1", {})
        mgr = self.make_manager()
        mgr.handlers.pop(constants.HOST_DRAIN)
        self.assertIsNone(mgr.submit(row.uuid).result())
        self.assertEqual(constants.NOTIFICATION_NEW,
                         self.db.notification_get(row.uuid).status)
        seen = []
        mgr.handlers[constants.HOST_DRAIN] = seen.append
        mgr.submit(row.uuid).result()
        self.assertEqual([row.uuid], seen)

    def test_notification_over_fake_transport(self):
        transport = oslo_messaging.get_notification_transport(
            self.conf, url="fake:/")
        mgr = self.make_manager(transport=transport)
        mgr.start()
        self.addCleanup(mgr.stop)
        notifier = oslo_messaging.Notifier(
            transport, publisher_id="vmotiond.monitor", driver="messaging",
            topics=[self.conf.monitor.notification_topic])
        notifier.info({}, intake.EVENT_HOST_DOWN,
                      {"host": "failed", "generation": 1,
                       "detected_at": self.clock.now().isoformat()})
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            rows = self.db.notification_list(host="failed")
            if rows and rows[0].status == constants.NOTIFICATION_FINISHED:
                break
            time.sleep(0.02)
        self.assertEqual(constants.NOTIFICATION_FINISHED, rows[0].status)
        server = next(iter(self.cloud.servers.values()))
        self.assertEqual("sb1", server.host)


class SweepTest(base.EngineTestCase):

    def _finishes_with(self, **engine_options):
        """Start a manager on the real clock with ``engine_options`` and
        wait for the event (bounded generously, not by a guess of speed)
        until a notification it did not start itself is finished."""
        from vmotiond import clock as clock_mod
        self.add_hosts()
        self.cloud.add_server(fakes.server(name="a", host="failed"))
        for name, value in dict(engine_options,
                                resume_on_start=False).items():
            self.conf.set_override(name, value, "engine")
        mgr = self.make_manager()
        mgr.clock = clock_mod.Clock()
        mgr.start()
        self.addCleanup(mgr.stop)
        uuid = self.notify()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.db.notification_get(
                uuid).status != constants.NOTIFICATION_FINISHED:
            time.sleep(0.01)
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.db.notification_get(uuid).status)

    def test_sweeper_takes_up_orphaned_notifications(self):
        self._finishes_with(resume_interval=0.02)

    def test_new_notifications_are_found_between_sweeps(self):
        self._finishes_with(resume_interval=60.0, new_poll_interval=0.02)
