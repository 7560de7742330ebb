"""Claims of other monitors: parsing, rejection reasons, the Nova check,
the host-down message that forwards them."""

import datetime
import types

import oslo_messaging
import testtools

from tests.fixtures import conf as conf_fixture
from tests.unit.monitor.fakes import T0
from tests.unit.monitor.fakes import svc
from vmotiond import clock as clock_mod
from vmotiond import constants as c
from vmotiond import exception
from vmotiond.monitor import listener
from vmotiond.monitor import probe
from vmotiond.monitor import records
from vmotiond.monitor import store
from vmotiond.verdict import confirm
from vmotiond.verdict import payload
from vmotiond.verdict import validation

NOW = T0 + datetime.timedelta(seconds=100)


def masakari(host: str = "h1", event: str = "STOPPED",
             cluster: str = "OFFLINE", when: str = "2026-01-01T00:01:30Z",
             wrap: bool = True) -> dict:
    body = {"type": "COMPUTE_HOST", "hostname": host,
            "generated_time": when,
            "payload": {"event": event, "host_status": "NORMAL",
                        "cluster_status": cluster}}
    return {"notification": body} if wrap else body


def ours(host: str = "h1", generation: int = 2,
         detected: datetime.datetime = NOW) -> dict:
    return payload.build(host=host, generation=generation,
                         detected_at=detected, evidence={"probe": "dead"},
                         monitor="ctl-2", auto_evacuate=True)


class Cloud:
    def __init__(self, services: list | None = None,
                 fail: bool = False) -> None:
        self.services = services or []
        self.fail = fail

    def list_compute_services(self) -> list:
        if self.fail:
            raise exception.CloudUnavailable(service="compute", call="list",
                                             reason="boom")
        return self.services


class ListenerTestBase(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.fx = self.useFixture(conf_fixture.Conf())
        self.fx.set("host", "ctl-1")
        self.accepted: list[listener.Claim] = []
        self.alive: dict[str, bool] = {"h1": False}
        self.cloud = Cloud([svc("h0", NOW),
                            svc("h1", NOW - datetime.timedelta(seconds=40))])
        self.saved: list[records.HostRecord] = []
        self.endpoint = listener.ClaimEndpoint(
            self.fx.conf, self.cloud, self.accepted.append,
            known_hosts=lambda: {"h0", "h1"},
            clock=clock_mod.FakeClock(NOW),
            probe=probe.CallableProbe(lambda h: self.alive.get(h, True)),
            saved=lambda: confirm.saved([row(rec) for rec in self.saved]))

    def rejected(self, publisher: str, event_type: str, body: object,
                 reason: str) -> None:
        error = self.assertRaises(listener.Rejected, self.endpoint.check,
                                  publisher, event_type, body)
        self.assertIn(reason, str(error))


class AcceptTest(ListenerTestBase):

    def test_vmotiond_claim_checked_with_nova(self) -> None:
        self.assertIsNone(self.endpoint.info(
            {}, "vmotiond-monitor.ctl-2", payload.EVENT_HOST_DOWN, ours(),
            {}))
        claim, = self.accepted
        self.assertEqual(("h1", 2, "COMPUTE_HOST:h1:2", False),
                         (claim.host, claim.generation, claim.dedup_key,
                          claim.trusted))
        self.assertEqual(listener.SOURCE_VMOTIOND, claim.source)
        self.assertEqual(40.0, claim.evidence["nova_heartbeat_age"])
        self.assertEqual("dead", claim.evidence["probe"])

    def test_masakari_claim_wrapped_or_bare(self) -> None:
        for wrap in (True, False):
            self.endpoint.handle("masakari-hostmonitor", "anything",
                                 masakari(wrap=wrap))
        self.assertEqual(2, len(self.accepted))
        claim = self.accepted[0]
        self.assertEqual(listener.SOURCE_MASAKARI, claim.source)
        self.assertEqual(T0 + datetime.timedelta(seconds=90),
                         claim.detected_at)
        self.assertEqual("NORMAL", claim.evidence["host_status"])
        self.assertEqual(
            "COMPUTE_HOST:h1:ext:masakari-hostmonitor:2026-01-01T00:01:30Z",
            claim.dedup_key)

    def test_trusted_publisher_skips_the_nova_check(self) -> None:
        self.fx.set("trusted_publishers", ["site-b.*"], group="monitor")
        self.cloud.fail = True
        self.alive["h1"] = True
        claim = self.endpoint.check("site-b.mon", "x", masakari())
        self.assertTrue(claim.trusted)
        self.fx.set("trusted_publishers", ["exact"], group="monitor")
        self.assertTrue(self.endpoint.check("exact", "x", masakari()).trusted)
        self.rejected("exactly", "x", masakari(), "cannot check with Nova")

    def test_forced_down_host_is_accepted_with_fresh_heartbeat(self) -> None:
        self.cloud.services = [svc("h1", NOW, forced_down=True)]
        claim = self.endpoint.check("m", "x", masakari())
        self.assertTrue(claim.evidence["nova_forced_down"])

    def test_without_probe_nova_alone_decides(self) -> None:
        self.fx.set("probe_driver", "none", group="monitor")
        self.alive["h1"] = True
        claim = self.endpoint.check("m", "x", masakari())
        self.assertEqual("none", claim.evidence["probe"])


    def test_probe_of_a_shared_address_does_not_veto(self) -> None:
        self.alive["h1"] = True       # something answers at that address
        self.endpoint.addresses = lambda: {"h0": "192.0.2.1",
                                           "h1": "192.0.2.1"}
        claim = self.endpoint.check("m", "x", masakari())
        self.assertEqual("untrusted", claim.evidence["probe"])
        self.endpoint.addresses = lambda: {"h0": "192.0.2.1",
                                           "h1": "192.0.2.2"}
        self.rejected("m", "x", masakari(), "h1 answers the probe")


def row(rec: records.HostRecord) -> types.SimpleNamespace:
    """A hosts-table row as the monitor saved ``rec`` to it."""
    return types.SimpleNamespace(
        name=rec.host, monitor_state=rec.state, monitor_state_since=rec.since,
        monitor_generation=rec.generation, monitor_detail=store.to_detail(rec))


class ServiceWriteTest(ListenerTestBase):
    """Nova's check reads a write to the service record as the monitor
    does (``confirm.heartbeat_of``): an operator's disable of a dead host
    is no heartbeat (issue 15)."""

    DISABLED = ("disabled", False, "dead, ticket 42")

    def setUp(self) -> None:
        super().setUp()
        self.fx.set("probe_driver", "none", group="monitor")
        # Nova: h0 heartbeats; h1 is dead, and an operator just disabled
        # it, which stamped its updated_at.
        self.cloud.services = [svc("h0", NOW),
                               svc("h1", NOW, status="disabled",
                                   reason="dead, ticket 42")]

    def test_operator_disable_seen_by_the_monitor(self) -> None:
        # The monitor saw h1's heartbeat stop 40 s ago, then the write.
        self.saved = [records.HostRecord(
            "h1", state=c.HOST_DISABLED, since=NOW,
            heartbeat=NOW - datetime.timedelta(seconds=40), written_at=NOW,
            service_fields=self.DISABLED)]
        claim = self.endpoint.check("m", "x", masakari())
        self.assertEqual(40.0, claim.evidence["nova_heartbeat_age"])

    def test_decided_failure_written_since(self) -> None:
        # h1 is declared down; the monitor has not polled since the write.
        self.saved = [records.HostRecord(
            "h1", state=c.HOST_DOWN, since=NOW,
            heartbeat=NOW - datetime.timedelta(seconds=40),
            service_fields=("enabled", False, None))]
        claim = self.endpoint.check("m", "x", masakari())
        self.assertEqual(float("inf"), claim.evidence["nova_heartbeat_age"])

    def test_write_not_seen_on_a_host_not_failed_is_a_heartbeat(self) -> None:
        # What the monitor knows of h1 predates the write: as after a
        # restart, the stamp may be a heartbeat too.
        self.saved = [records.HostRecord(
            "h1", state=c.HOST_SUSPECT, since=NOW,
            heartbeat=NOW - datetime.timedelta(seconds=40),
            stale_since=NOW, service_fields=("enabled", False, None))]
        self.rejected("m", "x", masakari(), "fresh heartbeat")
        self.saved = []
        self.rejected("m", "x", masakari(), "fresh heartbeat")


class RejectTest(ListenerTestBase):

    def test_malformed(self) -> None:
        self.rejected("m", "x", "text", "not an object")
        self.rejected("m", "x", {"hostname": "h1"}, "no event/host_status")
        body = masakari()
        del body["notification"]["payload"]["cluster_status"]
        self.rejected("m", "x", body, "lacks cluster_status")
        body = masakari()
        del body["notification"]["hostname"]
        self.rejected("m", "x", body, "no hostname")
        self.rejected("m", "x", masakari(when="yesterday"),
                      "not ISO 8601")
        bad = ours()
        del bad["evidence"]
        self.rejected("m", payload.EVENT_HOST_DOWN, bad, "lacks evidence")
        bad = ours()
        bad["payload_version"] = "2.0"
        self.rejected("m", payload.EVENT_HOST_DOWN, bad,
                      "unsupported payload version")

    def test_what_the_engine_would_refuse(self) -> None:
        # Issue 21: such claims were accepted, then refused by the engine.
        big = ours()
        big["evidence"] = {"log": "x" * validation.MAX_PAYLOAD}
        self.rejected("m", payload.EVENT_HOST_DOWN, big, "too large")
        bad = ours(generation=2 ** 40)
        self.rejected("m", payload.EVENT_HOST_DOWN, bad, "generation")
        bad = ours()
        bad["dedup_key"] = ["COMPUTE_HOST:h1:2"]
        self.rejected("m", payload.EVENT_HOST_DOWN, bad, "dedup_key")
        self.assertEqual(None, self.endpoint.handle(
            "m", payload.EVENT_HOST_DOWN, big))
        self.assertEqual([], self.accepted)
        self.assertEqual(
            None, self.endpoint.handle(
                "m", "x", masakari(when="0001-01-01T00:00:00+05:00")))

    def test_not_a_failure(self) -> None:
        self.rejected("m", "x", masakari(event="STARTED"),
                      "event STARTED is not a failure")
        self.rejected("m", "x", masakari(cluster="ONLINE"),
                      "cluster_status ONLINE")
        body = masakari()
        body["notification"]["type"] = "VM"
        self.rejected("m", "x", body, "type VM is not a host failure")
        self.rejected("m", payload.EVENT_HOST_RECOVERED, ours(),
                      "is not a failure claim")

    def test_unknown_host(self) -> None:
        self.rejected("m", "x", masakari(host="h9"), "unknown host h9")

    def test_stale_and_future(self) -> None:
        self.rejected("m", "x", masakari(when="2025-12-31T23:00:00Z"),
                      "stale")
        self.rejected("m", payload.EVENT_HOST_DOWN,
                      ours(detected=NOW + datetime.timedelta(hours=1)),
                      "in the future")

    def test_own_publisher(self) -> None:
        self.rejected("vmotiond-monitor.ctl-1", payload.EVENT_HOST_DOWN,
                      ours(), "this monitor itself")

    def test_nova_contradicts(self) -> None:
        self.cloud.services = [svc("h0", NOW), svc("h1", NOW)]
        self.rejected("m", "x", masakari(), "fresh heartbeat")
        self.cloud.services = [svc("h0", NOW)]
        self.rejected("m", "x", masakari(), "no compute service on h1")
        self.cloud.fail = True
        self.rejected("m", "x", masakari(), "cannot check with Nova")

    def test_probe_contradicts(self) -> None:
        self.alive["h1"] = True
        self.rejected("m", "x", masakari(), "h1 answers the probe")

    def test_rejection_is_acked_and_logged(self) -> None:
        self.assertIsNone(self.endpoint.handle("m", "x", masakari(host="zz")))
        self.assertEqual([], self.accepted)


class IntakeTest(ListenerTestBase):

    def test_duplicate_is_done_other_errors_requeue(self) -> None:
        def dup(claim):
            raise exception.DuplicateNotification(dedup_key=claim.dedup_key)
        self.endpoint.intake = dup
        self.assertIsNone(self.endpoint.handle("m", "x", masakari()))

        def broken(claim):
            raise RuntimeError("db down")
        self.endpoint.intake = broken
        self.assertEqual(oslo_messaging.NotificationResult.REQUEUE,
                         self.endpoint.handle("m", "x", masakari()))


class ForwardTest(testtools.TestCase):
    """The listener turns an accepted claim into this monitor's host-down
    message for the engine."""

    def test_host_down_of_a_claim(self) -> None:
        claim = listener.Claim(
            host="h3", publisher="masakari-hostmonitor.n7",
            source=listener.SOURCE_MASAKARI, generation=None,
            detected_at=T0, dedup_key="COMPUTE_HOST:h3:ext:x",
            trusted=False, evidence={"nova_heartbeat_age": 30.0})
        body = listener.host_down(claim, "ctl-1")
        self.assertEqual("ctl-1 (claim of masakari-hostmonitor.n7)",
                         body["monitor"])
        self.assertEqual("claim:masakari", body["reason"])
        down = validation.validate(body)
        self.assertEqual(("h3", None, T0, "COMPUTE_HOST:h3:ext:x"),
                         (down.host, down.generation, down.detected_at,
                          down.dedup_key))
        self.assertEqual({"nova_heartbeat_age": 30.0}, dict(down.evidence))


class ExternalKeyTest(testtools.TestCase):

    def test_keys_of_long_names_fit_the_engines_bound(self) -> None:
        key = listener._external_key("h" * 255, "p" * 255, T0)
        self.assertLessEqual(len(key), validation.MAX_KEY)
        self.assertEqual(key, listener._external_key("h" * 255, "p" * 255,
                                                     T0))
        self.assertNotEqual(key, listener._external_key("h" * 255,
                                                        "q" * 255, T0))
