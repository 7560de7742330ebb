"""Generated messages on the engine's and the claims' topics.

Hypothesis draws sequences of messages, each for the engine's host-down
topic (``intake.Endpoint``) or the claims' topic (``listener.ClaimEndpoint``,
whose accepted claims are forwarded as the monitor's signed verdict to the
engine's endpoint, as ``listener.forwarder`` does over the bus): valid
signed verdicts for a host that really died in the simulator, the same
duplicated and reordered, stale and future ones, forged ones (no
signature, a wrong one, a tampered body, claims about a healthy host),
oversized payloads, malformed structures and wrong types. The endpoints
are called as oslo.messaging's notification dispatcher calls them
(``info(ctxt, publisher_id, event_type, payload, metadata)``), against a
``vmotiond-sim`` cloud on a FakeClock (Nova's API over HTTP, through
``OpenStackCloud``) and a SQLite file database, emptied between examples.
The engine runs with and without ``[monitor] verdict_key``.

Counted over all examples:

- ``workflows_per_failure``: distinct notifications started for the dead
  host in an example holding at least one message that must be acted on
  (must be 1; ``missed_failures`` and ``duplicate_workflows`` count the
  examples where it is 0 or more than 1);
- ``wrongful_fences``: healthy hosts a notification was started for (the
  recovery workflow fences the host first), plus hosts the simulator shows
  forced down or disabled by vmotiond;
- ``crashes``: exceptions escaping an endpoint;
- ``forwarded_refused``: claims the listener accepted and the engine
  refused; ``alerts_lost``: refused messages whose alert was not stored;
- ``requeue_loops``: REQUEUE answers (the database is up, so a requeued
  message meets the same answer again: none can ever succeed), and
  REQUEUE answers to a permanent database error injected on the engine's
  write; a transient one is requeued (``requeued_transient``) and
  redelivered, as the bus does, and must then succeed.
"""

import collections
import datetime
import logging
import os
from typing import Any

import fixtures
import hypothesis
from hypothesis import strategies as st
from oslo_db import exception as db_exc
import oslo_messaging
import sqlalchemy as sa
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from tests.fixtures import sim as sim_fixture
from tests.reliability import figures
from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond.cloud import openstack as os_cloud
from vmotiond.engine import intake
from vmotiond.monitor import listener
from vmotiond.monitor import probe as probe_mod
from vmotiond.sim import builder
from vmotiond.verdict import confirm
from vmotiond.verdict import payload as payload_mod
from vmotiond.verdict import signing

KEY = "reliability-verdict-key"
EXAMPLES = int(os.environ.get("VMOTIOND_MESSAGE_EXAMPLES", "1000"))
REQUEUE = oslo_messaging.NotificationResult.REQUEUE
MONITOR = "vmotiond-monitor.ctl-2"
CLAIMER = "masakari-hostmonitor.compute-x"
ENGINE_TOPIC = "engine"
CLAIMS_TOPIC = "claims"

# JSON values of any shape, for wrong types and malformed structures.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() |
    st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) |
    st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)
TIMES = st.one_of(
    # The edges of datetime's range, with offsets that cross them.
    st.sampled_from(("0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00Z",
                     "9999-12-31T23:59:59-05:00",
                     "9999-12-31T23:59:59.999999Z")),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.text(max_size=30), JSON)
FIELDS = ("host", "generation", "detected_at", "evidence", "dedup_key",
          "payload_name", "payload_version", "signature")


class MessageFuzzTest(testtools.TestCase):

    BACKEND = "sqlite"

    def setUp(self) -> None:
        super().setUp()
        self.fx = self.useFixture(conf_fixture.Conf())
        # The engine's log: a refused message whose alert is not stored.
        self.engine_log = self.useFixture(fixtures.FakeLogger(
            name="vmotiond.engine.intake", level=logging.ERROR))
        self.fx.set("host", "ctl-1")
        self.clock = clock_mod.FakeClock()
        self.sim = self.useFixture(sim_fixture.SimFixture(
            builder.Scenario(hosts=4, standby=0, servers=0,
                             anti_affinity_groups=0), clock=self.clock))
        conn = self.sim.connect()
        self.addCleanup(conn.close)
        self.cloud = os_cloud.OpenStackCloud(conn, self.fx.conf,
                                             clock=clock_mod.Clock())
        self.db = self.useFixture(db_fixture.Database(
            self.BACKEND, self.fx.conf)).database
        self.hosts = sorted(h for h in self.sim.cloud.state.hosts
                            if h.startswith("compute"))
        self.db.hosts_sync([{"name": h} for h in self.hosts])
        self.dead, self.healthy = self.hosts[0], self.hosts[1:]
        self.sim.cloud.kill_host(self.dead)
        # Nova shows the dead host's heartbeat stale, the others' fresh.
        self.sim.advance(120)
        self.started: list[str] = []
        # A database error on the engine's next write: "transient" (the
        # server went away: requeue, the redelivery succeeds) or
        # "permanent" (data too long: never succeeds, must not requeue).
        self.fault: str | None = None
        create = self.db.notification_create

        def faulty_create(*args: Any, **kw: Any) -> Any:
            fault, self.fault = self.fault, None
            if fault == "transient":
                raise db_exc.DBConnectionError("server has gone away")
            if fault == "permanent":
                raise db_exc.DBDataError("Data too long for column")
            return create(*args, **kw)

        self.db.notification_create = faulty_create  # type: ignore
        self.engines = {
            mode: intake.Endpoint(self.db, self.clock, self.on_new,
                                  self.cloud, intake.Checks(
                                      key=KEY if mode == "signed" else None,
                                      max_age=300.0,
                                      heartbeat_threshold=14.0))
            for mode in ("signed", "open")}
        self.mode = "signed"
        self.claims = listener.ClaimEndpoint(
            self.fx.conf, self.cloud, self.forward,
            known_hosts=lambda: [h.name for h in self.db.host_list()],
            clock=self.clock,
            probe=probe_mod.CallableProbe(self.sim.cloud.probe),
            saved=lambda: confirm.saved(self.db.host_list()))
        self.counts: collections.Counter[str] = collections.Counter()
        self.per_failure: collections.Counter[int] = collections.Counter()
        self.crashes: list[str] = []
        self.findings: list[str] = []
        self.sequence: list[tuple[str, Any, bool]] = []
        self.kinds: list[str] = []

    # -- the engine's side ----------------------------------------------

    def on_new(self, uuid: str) -> None:
        """The engine's ``submit``: the workflow takes the notification."""
        self.started.append(uuid)
        self.db.notification_set_status(uuid,
                                        constants.NOTIFICATION_RUNNING)

    def forward(self, claim: listener.Claim) -> None:
        """``listener.forwarder``: the claim as this monitor's verdict."""
        body = signing.sign(listener.host_down(claim, "ctl-1"), KEY)
        before = len(self.db.alert_list())
        self.deliver(self.engines[self.mode], "vmotiond-monitor.ctl-1",
                     body)
        if len(self.db.alert_list()) > before:
            # The listener accepted a claim the engine refuses: neither
            # acted on nor rejected where it was heard.
            self.counts["forwarded_refused"] += 1
            self.findings.append("forwarded, refused: %s" % (
                self.db.alert_list()[0].message,))

    def deliver(self, endpoint: Any, publisher: str, body: Any,
                fault: str | None = None) -> None:
        """Deliver ``body``; a requeued one again, as the bus does."""
        for attempt in range(3):
            self.fault = fault if attempt == 0 else None
            try:
                answer = endpoint.info({}, publisher,
                                       intake.EVENT_HOST_DOWN, body,
                                       {"message_id": "m"})
            except Exception as exc:
                self.crashes.append("%s: %s: %r" % (
                    type(endpoint).__name__, type(exc).__name__, exc))
                return
            finally:
                self.fault = None
            if answer != REQUEUE:
                return
            if fault != "transient" or attempt > 0:
                # Requeued although the same answer comes back.
                self.counts["requeue_loops"] += 1
                return
            self.counts["requeued_transient"] += 1

    # -- messages -------------------------------------------------------

    def verdict(self, host: str, generation: int, age: float,
                **extra: Any) -> dict[str, Any]:
        body = payload_mod.build(
            host=host, generation=generation,
            detected_at=self.clock.now() - datetime.timedelta(seconds=age),
            evidence={"heartbeat_age": 30}, monitor="ctl-2",
            auto_evacuate=True)
        body.update(extra)
        return body

    def masakari(self, host: str, age: float) -> dict[str, Any]:
        when = self.clock.now() - datetime.timedelta(seconds=age)
        return {"notification": {
            "type": "COMPUTE_HOST", "hostname": host,
            "generated_time": payload_mod.format_time(when),
            "payload": {"event": "STOPPED", "host_status": "NORMAL",
                        "cluster_status": "OFFLINE"}}}

    def message(self, draw: Any) -> tuple[str, Any, bool]:
        """(topic, body, must be acted on) of one generated message."""
        kind = draw(st.sampled_from((
            "verdict", "odd_evidence", "unsigned", "stale", "future",
            "bad_signature", "tampered", "healthy", "oversized",
            "malformed", "wrong_type",
            "claim", "claim_healthy", "claim_stale", "claim_malformed")))
        self.kinds.append(kind)
        dead = self.dead
        healthy = draw(st.sampled_from(self.healthy))
        gen = draw(st.integers(1, 3))
        age = draw(st.floats(0, 250))
        if kind == "verdict":
            return ENGINE_TOPIC, signing.sign(
                self.verdict(dead, gen, age), KEY), True
        if kind == "odd_evidence":
            # A true verdict whose evidence holds anything JSON holds.
            body = self.verdict(dead, gen, age)
            body["evidence"] = draw(st.dictionaries(
                st.text(max_size=10), JSON, max_size=4))
            return ENGINE_TOPIC, signing.sign(body, KEY), True
        if kind == "unsigned":
            return ENGINE_TOPIC, self.verdict(dead, gen, age), \
                self.mode == "open"
        if kind == "stale":
            return ENGINE_TOPIC, signing.sign(self.verdict(
                dead, gen, draw(st.floats(301, 1e7))), KEY), False
        if kind == "future":
            return ENGINE_TOPIC, signing.sign(self.verdict(
                dead, gen, -draw(st.floats(61, 1e7))), KEY), False
        if kind == "bad_signature":
            # Without a key the engine reads any message as a claim Nova
            # must confirm: one about the dead host is a real failure.
            host = draw(st.sampled_from(self.hosts))
            return ENGINE_TOPIC, signing.sign(
                self.verdict(host, gen, age), "not-the-key"), \
                self.mode == "open" and host == dead
        if kind == "tampered":
            body = signing.sign(self.verdict(dead, gen, age), KEY)
            body["host"] = healthy
            return ENGINE_TOPIC, body, False
        if kind == "healthy":
            body = self.verdict(healthy, gen, age)
            if draw(st.booleans()):
                body = signing.sign(body, "forged")
            return ENGINE_TOPIC, body, False
        if kind == "oversized":
            body = self.verdict(draw(st.sampled_from(self.hosts)), gen, age,
                                evidence={"log": "x" * draw(
                                    st.integers(65536, 200000))})
            return draw(st.sampled_from((ENGINE_TOPIC, CLAIMS_TOPIC))), \
                signing.sign(body, KEY), False
        if kind == "malformed":
            return draw(st.sampled_from((ENGINE_TOPIC, CLAIMS_TOPIC))), \
                draw(JSON), False
        if kind == "wrong_type":
            # A verdict for a healthy host (never signed with the key)
            # with fields replaced by anything, the time by odd times.
            body = self.verdict(healthy, gen, age)
            for field in draw(st.lists(st.sampled_from(FIELDS),
                                       min_size=1, max_size=3)):
                body[field] = draw(TIMES if field == "detected_at"
                                   else JSON)
            return draw(st.sampled_from((ENGINE_TOPIC, CLAIMS_TOPIC))), \
                body, False
        if kind == "claim":
            body = (self.masakari(dead, age) if draw(st.booleans())
                    else self.verdict(dead, gen, age))
            return CLAIMS_TOPIC, body, True
        if kind == "claim_healthy":
            body = (self.masakari(healthy, age) if draw(st.booleans())
                    else self.verdict(healthy, gen, age))
            return CLAIMS_TOPIC, body, False
        if kind == "claim_stale":
            return CLAIMS_TOPIC, self.masakari(
                dead, draw(st.floats(301, 1e7))), False
        body = self.masakari(draw(st.sampled_from(self.hosts)), age)
        note = body["notification"]
        field = draw(st.sampled_from(("hostname", "generated_time",
                                      "payload", "type")))
        note[field] = draw(TIMES if field == "generated_time" else JSON)
        return CLAIMS_TOPIC, body, False

    # -- one example ----------------------------------------------------

    def reset(self) -> None:
        with self.db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM notifications"))
            connection.execute(sa.text("DELETE FROM alerts"))
        del self.started[:]
        del self.crashes[:]

    def run_sequence(self, data: Any) -> None:
        self.reset()
        del self.kinds[:]
        self.mode = data.draw(st.sampled_from(("signed", "open")))
        drawn = data.draw(st.lists(st.builds(object), min_size=1,
                                   max_size=6))
        messages = [self.message(data.draw) for _ in drawn]
        # Duplicated and reordered: some messages again, in any order.
        again = data.draw(st.lists(st.sampled_from(messages), max_size=3))
        messages = data.draw(st.permutations(messages + again))
        self.sequence = messages
        faults = [data.draw(st.sampled_from(
            (None, None, None, "transient", "permanent")))
            for _ in messages]
        real_failure = False
        for (topic, body, must), fault in zip(messages, faults,
                                              strict=True):
            if topic == ENGINE_TOPIC:
                self.deliver(self.engines[self.mode], MONITOR, body, fault)
                # A message the database cannot store is dropped.
                real_failure |= must and fault != "permanent"
            else:
                self.deliver(self.claims, CLAIMER, body)
                real_failure |= must
        self.tally(real_failure)

    def tally(self, real_failure: bool) -> None:
        self.counts["examples"] += 1
        hosts = collections.Counter(
            self.db.notification_get(u).host for u in set(self.started))
        if real_failure:
            self.counts["failures"] += 1
            self.per_failure[hosts[self.dead]] += 1
            if hosts[self.dead] == 0:
                self.counts["missed_failures"] += 1
            elif hosts[self.dead] > 1:
                self.counts["duplicate_workflows"] += 1
        elif hosts[self.dead]:
            # Acted on although no message had to be: a check let a
            # forged or stale one through.
            self.counts["unwarranted_workflows"] += 1
            self.findings.append("unwarranted (%s, %s): %s" % (
                self.mode, self.kinds, "; ".join(
                "%s %.150r" % (t, b) for t, b, _m in self.sequence)))
        self.counts["wrongful_fences"] += sum(
            1 for h in self.healthy if hosts[h])
        self.counts["crashes"] += len(self.crashes)

    def test_generated_messages(self) -> None:
        first_crashes: list[str] = []

        @hypothesis.settings(max_examples=EXAMPLES, deadline=None,
                             derandomize=True, database=None,
                             suppress_health_check=list(
                                 hypothesis.HealthCheck))
        @hypothesis.given(st.data())
        def example(data: Any) -> None:
            self.run_sequence(data)
            if self.crashes and len(first_crashes) < 5:
                first_crashes.extend(self.crashes)

        example()
        fenced = [h for h in self.healthy
                  if self.sim.cloud.host_view(h)["forced_down"] or
                  (self.sim.cloud.host_view(h)["disabled_reason"] or ""
                   ).startswith("vmotiond")]
        self.counts["wrongful_fences"] += len(fenced)
        self.counts["alerts_lost"] = self.engine_log.output.count(
            "Could not record the alert")
        per_failure = sorted(self.per_failure)
        figures.record(
            "generated messages (engine and claims topics, %s)"
            % self.BACKEND,
            examples=self.counts["examples"],
            failures=self.counts["failures"],
            workflows_per_failure="/".join(str(n) for n in per_failure),
            missed_failures=self.counts["missed_failures"],
            duplicate_workflows=self.counts["duplicate_workflows"],
            unwarranted_workflows=self.counts["unwarranted_workflows"],
            wrongful_fences=self.counts["wrongful_fences"],
            forwarded_refused=self.counts["forwarded_refused"],
            alerts_lost=self.counts["alerts_lost"],
            crashes=self.counts["crashes"],
            requeue_loops=self.counts["requeue_loops"],
            requeued_transient=self.counts["requeued_transient"])
        self.assertGreaterEqual(self.counts["examples"], EXAMPLES)
        self.assertEqual([1], per_failure)
        self.assertEqual([], first_crashes)
        for name in ("missed_failures", "duplicate_workflows",
                     "unwarranted_workflows", "wrongful_fences",
                     "forwarded_refused", "alerts_lost",
                     "crashes", "requeue_loops"):
            self.assertEqual(0, self.counts[name], name)


class MariaDBMessageFuzzTest(MessageFuzzTest):

    BACKEND = "mysql"
