"""The engine's /metrics after a host's recovery in the simulator: the
counts are what happened, and what the database holds."""

import datetime

import testtools

from tests.functional.engine import env
from tests.functional.observability import scrape
from vmotiond import clock
from vmotiond import constants
from vmotiond.monitor import emitter
from vmotiond.verdict import payload


class EngineMetricsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env = self.useFixture(env.EngineEnv(latency={"evacuate": 0.2}))
        cloud = self.env.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        cloud.add_host("compute-a")
        cloud.add_host(self.env.failed_host)
        for n in range(3):
            cloud.add_server(self.env.failed_host, "m1.small",
                             name="vm-%d" % n)
        self.env.sync_hosts()
        self.url = scrape.serve(self)

    def test_recovery_is_counted(self):
        before = scrape.samples(self.url)
        self.env.engine()
        self.env.sim.cloud.kill_host(self.env.failed_host)
        beat = clock.utcnow() - datetime.timedelta(seconds=30)
        sender = emitter.Emitter(
            emitter.make_notifier(self.env.conf, self.env.transport),
            env.VERDICT_KEY)
        sender.emit(payload.EVENT_HOST_DOWN, payload.build(
            host=self.env.failed_host, generation=1,
            detected_at=clock.utcnow(),
            evidence={"heartbeat": payload.format_time(beat)},
            monitor="test", auto_evacuate=True))
        note = self.env.wait_notification(self.env.failed_host)
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        after = scrape.samples_when(self.url, lambda got: scrape.delta(
            before, got, "vmotiond_recovery_seconds_count") >= 1)
        moves = self.env.db.vmove_list(notification_uuid=note.uuid)
        self.assertEqual(3, len(moves))
        self.assertEqual(1.0, scrape.delta(
            before, after, "vmotiond_fence_attempts_total",
            result="succeeded"))
        self.assertEqual(0.0, scrape.delta(
            before, after, "vmotiond_fence_attempts_total",
            result="failed"))
        self.assertEqual(len(moves), scrape.delta(
            before, after, "vmotiond_evacuation_duration_seconds_count"))
        took = sum((m.end_time - m.start_time).total_seconds()
                   for m in moves)
        self.assertAlmostEqual(took, scrape.delta(
            before, after, "vmotiond_evacuation_duration_seconds_sum"),
            places=3)
        self.assertEqual(1.0, scrape.delta(
            before, after, "vmotiond_recovery_seconds_count"))
        # Each evacuation's step keeps the id Nova gave its request.
        for move in moves:
            step, = [s for s in self.env.db.step_list(move.uuid)
                     if s.name == "evacuate"]
            request_id, = step.request_ids
            self.assertTrue(request_id.startswith("req-"), request_id)
        last = max(m.end_time for m in moves)
        self.assertAlmostEqual(
            (last - beat).total_seconds(),
            scrape.delta(before, after, "vmotiond_recovery_seconds_sum"),
            places=3)

    def test_failed_cloud_calls_are_counted_by_call_and_status(self):
        before = scrape.samples(self.url)
        cloud = self.env.cloud()
        self.assertRaises(Exception, cloud.get_server,
                          "00000000-0000-0000-0000-000000000000")
        after = scrape.samples(self.url)
        self.assertEqual(1.0, scrape.delta(
            before, after, "vmotiond_cloud_errors_total",
            service="compute", call="get server", status="404"))
