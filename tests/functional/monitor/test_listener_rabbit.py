"""Claims of other monitors over RabbitMQ, checked against the simulator."""

import threading
import time

import oslo_messaging

from tests.functional.monitor import base
from vmotiond.monitor import listener
from vmotiond.monitor import probe
from vmotiond.verdict import payload


class ListenerRabbitTest(base.MonitorSimTestCase):

    def setUp(self) -> None:
        super().setUp()
        self.run_for(30)                       # hosts table filled
        self.claims: list[listener.Claim] = []
        endpoint = listener.ClaimEndpoint(
            self.fx.conf, self.cloud, self.claims.append,
            known_hosts=lambda: [row.name for row in self.db.host_list()],
            clock=self.clock, probe=probe.CallableProbe(self.sim.cloud.probe))
        server = listener.make_listener(self.fx.conf, endpoint,
                                        self.transport)
        server.start()
        self.addCleanup(server.wait)
        self.addCleanup(server.stop)
        self.publisher = oslo_messaging.Notifier(
            self.transport, publisher_id="masakari-hostmonitor.node-7",
            driver="messagingv2",
            topics=[self.fx.conf.monitor.listener_topic])

    def claim(self, host: str, event: str = "STOPPED") -> None:
        self.publisher.info({}, "masakari.host.event", {"notification": {
            "type": "COMPUTE_HOST", "hostname": host,
            "generated_time": payload.format_time(self.clock.now()),
            "payload": {"event": event, "host_status": "NORMAL",
                        "cluster_status": "OFFLINE"}}})

    def wait_claims(self, count: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.claims) < count:
            threading.Event().wait(0.05)
        self.assertEqual(count, len(self.claims))

    def test_claims_are_checked_against_nova(self) -> None:
        dead, alive = self.compute_hosts[0], self.compute_hosts[1]
        self.sim.cloud.kill_host(dead)
        self.sim.advance(30)
        # Rejected: alive host, unknown host, not a failure, malformed.
        self.claim(alive)
        self.claim("nowhere")
        self.claim(dead, event="STARTED")
        self.publisher.info({}, "masakari.host.event", {"junk": True})
        # Accepted: the dead one.
        self.claim(dead)
        self.wait_claims(1)
        self.settle(1.0)
        claim, = self.claims
        self.assertEqual((dead, listener.SOURCE_MASAKARI, False),
                         (claim.host, claim.source, claim.trusted))
        self.assertEqual("dead", claim.evidence["probe"])
        self.assertGreater(claim.evidence["nova_heartbeat_age"], 14)

    def test_vmotiond_claim_from_a_peer(self) -> None:
        dead = self.compute_hosts[2]
        self.sim.cloud.kill_host(dead)
        self.sim.advance(30)
        self.publisher.info({}, payload.EVENT_HOST_DOWN, payload.build(
            host=dead, generation=5, detected_at=self.clock.now(),
            evidence={"why": "peer"}, monitor="ctl-9", auto_evacuate=True))
        self.wait_claims(1)
        self.assertEqual(("COMPUTE_HOST:%s:5" % dead, 5),
                         (self.claims[0].dedup_key,
                          self.claims[0].generation))
