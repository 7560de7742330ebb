"""Every state change goes out as a versioned notification: heard by a
listener on the real RabbitMQ."""

import functools
import time
import uuid

import oslo_messaging

from tests.fixtures import rabbit
from tests.functional.monitor import base
from vmotiond import constants
from vmotiond import events
from vmotiond.verdict import payload


class StateNotificationsTest(base.MonitorSimTestCase):

    def setUp(self) -> None:
        super().setUp()
        topic = "vmotiond_test_events_%s" % uuid.uuid4().hex[:8]
        transport = oslo_messaging.get_notification_transport(
            self.fx.conf, url=rabbit.RABBIT_URL)
        self.addCleanup(transport.cleanup)
        self.addCleanup(rabbit.delete_queues, topic)
        self.fx.set("driver", ["messagingv2"], "oslo_messaging_notifications")
        self.fx.set("topics", [topic], "oslo_messaging_notifications")
        self.events = base.Recorder()
        listener = oslo_messaging.get_notification_listener(
            transport, [oslo_messaging.Target(topic=topic)], [self.events],
            executor="threading")
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)
        publisher = events.Publisher(self.fx.conf, transport)
        self.assertTrue(publisher.enabled)
        self.db.on_status = publisher.changed
        self.monitor.on_state = functools.partial(publisher.changed,
                                                  events.HOST)

    def heard(self, kind: str, ident: str, count: int) -> list[dict]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = [b for b in self.events.of(events.event_type(kind))
                     if b["id"] == ident]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        self.fail("%d %s update(s) of %s not heard: %s" % (
            count, kind, ident, self.events.heard))

    def test_host_notification_and_vmove_changes(self) -> None:
        self.run_for(60)
        victim = self.compute_hosts[3]
        self.sim.cloud.kill_host(victim)
        self.run_for(60)
        self.wait_heard(payload.EVENT_HOST_DOWN)
        # The host: every state it entered, in order, as the database has
        # the last.
        states = [b["status"] for b in self.heard(events.HOST, victim, 2)]
        self.assertEqual(constants.HOST_DOWN, states[-1])
        self.assertEqual(states[-1], self.db.host_get(victim).monitor_state)
        self.assertEqual({"version": "1.0", "kind": "host", "id": victim,
                          "status": constants.HOST_DOWN, "generation": 1},
                         self.heard(events.HOST, victim, 2)[-1])
        # The notification the monitor wrote, then the engine's moves.
        note, = self.db.notification_list(host=victim)
        self.db.notification_set_status(note.uuid,
                                        constants.NOTIFICATION_RUNNING)
        move, = self.db.vmoves_create(note.uuid, [{
            "instance_uuid": "i-1", "type": constants.EVACUATION}])
        self.db.vmove_update(move.uuid, {"status": constants.ONGOING})
        self.db.step_journal(move.uuid, [], vmove={
            "status": constants.SUCCEEDED, "message": "done"})
        self.assertEqual(
            [constants.NOTIFICATION_NEW, constants.NOTIFICATION_RUNNING],
            [b["status"] for b in self.heard(events.NOTIFICATION,
                                             note.uuid, 2)])
        first, _, last = self.heard(events.VMOVE, move.uuid, 3)
        self.assertEqual(
            {"version": "1.0", "kind": "vmove", "id": move.uuid,
             "status": constants.PENDING, "notification_uuid": note.uuid,
             "instance_uuid": "i-1", "type": constants.EVACUATION}, first)
        self.assertEqual((constants.SUCCEEDED, "done"),
                         (last["status"], last["message"]))

    def test_nothing_is_sent_by_default(self) -> None:
        for drivers in ([], ["noop"]):
            self.fx.set("driver", drivers, "oslo_messaging_notifications")
            self.assertFalse(events.Publisher(self.fx.conf).enabled)
