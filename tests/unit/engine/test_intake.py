import oslo_messaging
import testtools

from tests.unit.engine import base
from vmotiond import constants
from vmotiond import exception
from vmotiond.engine import intake


class ValidateTest(testtools.TestCase):

    def test_valid(self):
        down = intake.validate({"host": " h1 ", "generation": 3,
                                "detected_at": "2026-01-01T00:00:05Z",
                                "evidence": {"heartbeat_age": 40}})
        self.assertEqual("h1", down.host)
        self.assertEqual("COMPUTE_HOST:h1:3", down.dedup_key)
        self.assertIsNone(down.detected_at.tzinfo)
        self.assertEqual(5, down.detected_at.second)

    def test_monitor_versioned_payload(self):
        import datetime

        from vmotiond.monitor import payload as payload_mod
        sent = payload_mod.build(
            host="h2", generation=4,
            detected_at=datetime.datetime(2026, 1, 1, 0, 0, 25),
            evidence={"probe": "dead"}, monitor="ctl-1", auto_evacuate=True)
        down = intake.validate(sent)
        self.assertEqual("COMPUTE_HOST:h2:4", down.dedup_key)
        self.assertEqual(datetime.datetime(2026, 1, 1, 0, 0, 25),
                         down.detected_at)
        self.assertEqual("ctl-1", down.payload()["monitor"])
        self.assertEqual("1.0", down.payload()["payload_version"])
        bad = dict(sent, payload_version="2.0")
        self.assertRaises(exception.InvalidInput, intake.validate, bad)

    def test_explicit_dedup_key_without_generation(self):
        down = intake.validate({"host": "h", "dedup_key": "other:h:x",
                                "detected_at": "2026-01-01T00:00:05Z"})
        self.assertEqual("other:h:x", down.dedup_key)
        self.assertIsNone(down.generation)

    def test_invalid(self):
        for payload in (None, [], {}, {"host": ""}, {"host": "h"},
                        {"host": "h", "generation": -1},
                        {"host": "h", "generation": True},
                        {"host": "h", "generation": "1"},
                        {"host": "h", "generation": 1, "detected_at": "x"},
                        {"host": "h", "generation": 1, "evidence": [1]}):
            self.assertRaises(exception.InvalidInput, intake.validate,
                              payload)


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
