import oslo_messaging

from tests.unit.engine import base
from vmotiond import constants
from vmotiond import exception
from vmotiond.engine import intake


class EndpointTest(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.started = []
        self.endpoint = intake.Endpoint(self.db, self.clock,
                                        self.started.append, self.cloud,
                                        intake.Checks())
        self.add_hosts(standby=(), normal=(), failed="h1")

    def send(self, payload):
        payload.setdefault("detected_at", "2026-01-01T00:00:00Z")
        return self.endpoint.info({}, "vmotiond.monitor",
                                  intake.EVENT_HOST_DOWN, payload, {})

    def test_persists_then_starts(self):
        result = self.send({"host": "h1", "generation": 1})
        self.assertEqual(oslo_messaging.NotificationResult.HANDLED, result)
        row = self.db.notification_get(self.started[0])
        self.assertEqual(constants.COMPUTE_HOST, row.type)
        self.assertEqual("h1", row.host)
        self.assertEqual(constants.NOTIFICATION_NEW, row.status)
        self.assertEqual("vmotiond.monitor", row.source)

    def test_duplicate_recorded_and_starts_nothing(self):
        self.send({"host": "h1", "generation": 1})
        self.db.notification_set_status(self.started[0],
                                        constants.NOTIFICATION_RUNNING)
        self.send({"host": "h1", "generation": 1})
        self.assertEqual(1, len(self.started))
        rows = self.db.notification_list(host="h1")
        self.assertEqual(2, len(rows))
        dup = [r for r in rows if r.status == constants.NOTIFICATION_IGNORED]
        self.assertIn("duplicate of notification %s" % self.started[0],
                      dup[0].message)
        # A new failure (next generation) once that recovery ended is a
        # new notification.
        self.db.notification_set_status(self.started[0],
                                        constants.NOTIFICATION_FINISHED)
        self.send({"host": "h1", "generation": 2})
        self.assertEqual(2, len(self.started))

    def test_notification_persisted_by_the_monitor_is_started(self):
        row = self.db.notification_create(
            constants.COMPUTE_HOST, "h1", "COMPUTE_HOST:h1:1",
            {"host": "h1"}, source="vmotiond-monitor")
        self.send({"host": "h1", "generation": 1})
        self.assertEqual([row.uuid], self.started)
        self.assertEqual(1, len(self.db.notification_list(host="h1")))

    def test_persisted_verdict_taken_up_before_its_message_is_that_one(self):
        # The engine's poll started the monitor's persisted verdict before
        # the bus delivered it: the delivery is the same notification, not
        # a duplicate to record (an operator following the message would
        # follow an ignored row while the real recovery runs).
        row = self.db.notification_create(
            constants.COMPUTE_HOST, "h1", "COMPUTE_HOST:h1:1",
            {"host": "h1"}, source="vmotiond-monitor")
        self.db.notification_set_status(row.uuid,
                                        constants.NOTIFICATION_RUNNING)
        result = self.send({"host": "h1", "generation": 1})
        self.assertEqual(oslo_messaging.NotificationResult.HANDLED, result)
        self.assertEqual([], self.started)
        self.assertEqual([row.uuid], [r.uuid for r in
                                      self.db.notification_list(host="h1")])

    def test_invalid_dropped(self):
        self.assertEqual(oslo_messaging.NotificationResult.HANDLED,
                         self.send({"generation": 1}))
        self.assertEqual([], self.db.notification_list())

    def test_db_error_requeues(self):
        def broken(*a, **kw):
            raise exception.DatabaseUnavailable(url="x", reason="down")

        self.db.notification_get_by_key = broken
        self.assertEqual(oslo_messaging.NotificationResult.REQUEUE,
                         self.send({"host": "h1", "generation": 1}))
        self.assertEqual([], self.started)
