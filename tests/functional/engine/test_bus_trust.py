"""The engine and a hostile or absent message bus: real RabbitMQ, MariaDB
and the simulator."""

import datetime
import threading
import time

import oslo_messaging
import testtools

from tests.fixtures import ports
from tests.functional.engine import env
from vmotiond import clock
from vmotiond import constants
from vmotiond.engine import intake
from vmotiond.monitor import emitter
from vmotiond.monitor import store as store_mod
from vmotiond.verdict import payload


class BusTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env = self.useFixture(env.EngineEnv())
        cloud = self.env.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        cloud.add_host("compute-a")
        self.healthy = "healthy-%s" % self.env.failed_host
        cloud.add_host(self.healthy)
        cloud.add_host(self.env.failed_host)
        for host in (self.healthy, self.env.failed_host):
            cloud.add_server(host, "m1.small", name="vm-" + host)
        self.env.sync_hosts()

    def wait(self, predicate, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return time.monotonic()
            time.sleep(0.05)
        raise AssertionError("not within %.0f s" % timeout)

    def test_hostile_messages_are_refused_once_and_alerted(self):
        self.env.engine()
        evil = oslo_messaging.Notifier(
            self.env.transport, publisher_id="nova-compute.evil",
            driver="messagingv2",
            topics=[self.env.conf.monitor.notification_topic])
        old = clock.utcnow() - datetime.timedelta(days=2)
        forged = payload.build(host=self.healthy, generation=10 ** 30,
                               detected_at=old, evidence={},
                               monitor="evil")
        forged["dedup_key"] = {"a": 1}
        evil.info({}, payload.EVENT_HOST_DOWN, forged)
        unsigned = payload.build(host=self.healthy, generation=1,
                                 detected_at=clock.utcnow(), evidence={},
                                 monitor="evil")
        evil.info({}, payload.EVENT_HOST_DOWN, unsigned)
        huge = dict(unsigned, host="h" * 5000)
        evil.info({}, payload.EVENT_HOST_DOWN, huge)
        self.wait(lambda: len(self.env.db.alert_list()) >= 3)
        time.sleep(1.0)          # a requeued message would come back
        alerts = self.env.db.alert_list()
        self.assertEqual(3, len(alerts), [a.message for a in alerts])
        for alert in alerts:
            self.assertEqual(intake.ALERT_REFUSED, alert.type)
            self.assertEqual("nova-compute.evil",
                             alert.evidence["publisher"])
        messages = " | ".join(a.message for a in alerts)
        self.assertIn("generation must be an integer", messages)
        self.assertIn("not signed", messages)
        self.assertIn("host is not a host name (5000 characters)", messages)
        self.assertEqual([], self.env.db.notification_list())
        service = self.env.sim.cloud.state.hosts[self.healthy]
        self.assertFalse(service.forced_down)

    def test_verdict_the_bus_did_not_take_starts_within_seconds(self):
        self.env.conf_fixture.set("resume_interval", 60.0, "engine")
        self.env.engine()
        self.env.sim.cloud.kill_host(self.env.failed_host)
        # What the monitor does for a verdict: persist, then send; here the
        # bus is a port nobody listens on.
        down = oslo_messaging.get_notification_transport(
            self.env.conf,
            url="rabbit://guest:guest@127.0.0.1:%d/" % ports.free_port())
        self.addCleanup(down.cleanup)
        sender = emitter.Emitter(emitter.make_notifier(self.env.conf, down),
                                 env.VERDICT_KEY)
        now = clock.utcnow()
        body = sender.seal(payload.build(
            host=self.env.failed_host, generation=1, detected_at=now,
            evidence={"test": True}, monitor="test", auto_evacuate=True))
        store_mod.DbStore(self.env.db).record_failure(
            self.env.failed_host, body["dedup_key"], body, now,
            constants.NOTIFICATION_NEW)
        persisted = time.monotonic()
        thread = threading.Thread(target=sender.emit,
                                  args=(payload.EVENT_HOST_DOWN, body))
        thread.start()
        self.addCleanup(thread.join)
        started = self.wait(lambda: self.env.db.notification_list(
            host=self.env.failed_host)[0].status
            != constants.NOTIFICATION_NEW, timeout=15.0)
        self.assertLess(started - persisted, 5.0)
        note = self.env.wait_notification(self.env.failed_host)
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)


