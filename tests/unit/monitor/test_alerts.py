"""The monitor records its alerts (with hosts and evidence) and signs
what it sends."""

from concurrent import futures
import threading
import time

from tests.unit.monitor import test_manager
from vmotiond.monitor import emitter
from vmotiond.monitor import listener
from vmotiond.monitor import manager
from vmotiond.monitor import records as r
from vmotiond.verdict import payload
from vmotiond.verdict import signing
from vmotiond.verdict import validation


class AlertRecordTest(test_manager.MonitorTestBase):

    def test_mass_failure_alert_names_its_hosts(self) -> None:
        self.run_for(20)
        for name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.kill(name)
        self.run_for(60)
        alerts = [a for a in self.store.alerts
                  if a["type"] == r.REASON_MASS_FAILURE]
        self.assertTrue(alerts)
        alert = alerts[0]
        self.assertEqual(["h1", "h2", "h3", "h4", "h5", "h6"],
                         sorted(alert["hosts"]))
        self.assertIn("h1", alert["message"])
        self.assertEqual(10, alert["evidence"]["watched"])

    def test_host_alert_recorded_with_its_host(self) -> None:
        self.run_for(20)
        self.nova.hosts["h3"].alive = False
        self.run_for(120)
        alert, = self.store.alerts
        self.assertEqual((r.PROCESS_FAILURE, "h3", ["h3"]),
                         (alert["type"], alert["host"], alert["hosts"]))


class SigningTest(test_manager.MonitorTestBase):

    def test_verdicts_are_signed_and_persisted_as_sent(self) -> None:
        self.fx.set("verdict_key", "k1", group="monitor")
        self.monitor = manager.Monitor(
            self.fx.conf, self.cloud, self.store, self.notifier,
            clock=self.clock, probe=self.monitor.probe,
            elector=self.elector)
        self.addCleanup(self.monitor.stop)
        self.run_for(20)
        self.kill("h3")
        self.run_for(120)
        self.assertEqual([payload.EVENT_HOST_DOWN], self.notifier.types())
        body = self.notifier.sent[0][2]
        self.assertIsNone(signing.check(body, "k1"))
        self.assertEqual("bad signature", signing.check(body, "k2"))
        self.assertEqual(body,
                         self.store.failures["COMPUTE_HOST:h3:1"]["payload"])

    def test_unsigned_without_a_key(self) -> None:
        self.run_for(20)
        self.kill("h3")
        self.run_for(120)
        self.assertNotIn(signing.FIELD, self.notifier.sent[0][2])


class ForwardedClaimTest(test_manager.MonitorTestBase):

    def test_a_checked_claim_is_forwarded_signed(self) -> None:
        forward = emitter.Emitter(self.notifier, key="k1")
        claim = listener.Claim(
            host="h3", publisher="masakari-hostmonitor.n7",
            source=listener.SOURCE_MASAKARI, generation=None,
            detected_at=self.clock.now(), dedup_key="COMPUTE_HOST:h3:ext:x",
            trusted=False, evidence={"nova_heartbeat_age": 30.0})
        listener.forwarder(forward, "ctl-1")(claim)
        body = self.notifier.sent[0][2]
        self.assertIsNone(signing.check(body, "k1"))
        self.assertEqual("COMPUTE_HOST:h3:ext:x",
                         validation.validate(body).dedup_key)


class SlowBusTest(test_manager.MonitorTestBase):
    """A bus that does not answer never holds up the poll loop."""

    def test_sends_do_not_block_the_cycle(self) -> None:
        release = threading.Event()
        notifier = self.notifier

        class Stuck:
            def info(self, ctxt, event_type, body):
                release.wait(10)
                notifier.info(ctxt, event_type, body)

            warn = info

        sender = futures.ThreadPoolExecutor(max_workers=1)
        self.addCleanup(sender.shutdown)
        self.addCleanup(release.set)
        self.monitor = manager.Monitor(
            self.fx.conf, self.cloud, self.store, Stuck(), clock=self.clock,
            probe=self.monitor.probe, elector=self.elector, sender=sender)
        self.addCleanup(self.monitor.stop)
        self.run_for(20)
        self.kill("h3")
        started = time.monotonic()
        self.run_for(120)
        self.assertLess(time.monotonic() - started, 5.0)
        # Persisted at once; sent when the bus answers.
        self.assertIn("COMPUTE_HOST:h3:1", self.store.failures)
        self.assertEqual([], self.notifier.sent)
        release.set()
        sender.shutdown(wait=True)
        self.assertEqual([payload.EVENT_HOST_DOWN], self.notifier.types())
