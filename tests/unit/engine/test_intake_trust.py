"""What the engine checks before it acts on a host-down message."""

import dataclasses
import datetime

from oslo_db import exception as db_exc
import oslo_messaging
from sqlalchemy import exc as sa_exc

from tests.unit.engine import base
from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond.engine import intake
from vmotiond.monitor import records
from vmotiond.monitor import store as monitor_store
from vmotiond.verdict import payload as payload_mod
from vmotiond.verdict import signing

HANDLED = oslo_messaging.NotificationResult.HANDLED
REQUEUE = oslo_messaging.NotificationResult.REQUEUE
KEY = "s3cret-verdict-key"


class TrustTest(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.add_hosts(standby=(), normal=("n1", "n2"))
        self.started = []
        self.endpoint = self.make_endpoint()

    def make_endpoint(self, key=None, max_age=300.0):
        if key is not None:
            self.conf.set_override("verdict_key", key, "monitor")
        self.conf.set_override("notification_max_age", max_age, "engine")
        return intake.Endpoint(self.db, self.clock, self.started.append,
                               self.cloud, intake.Checks.from_conf(self.conf))

    def body(self, host="failed", generation=1, age=5.0, **extra):
        body = payload_mod.build(
            host=host, generation=generation,
            detected_at=self.clock.now() - datetime.timedelta(seconds=age),
            evidence={"heartbeat_age": 30}, monitor="ctl-1",
            auto_evacuate=True)
        body.update(extra)
        return body

    def send(self, body, publisher="vmotiond-monitor.ctl-1"):
        return self.endpoint.info({}, publisher, intake.EVENT_HOST_DOWN,
                                  body, {})

    def beat(self, host):
        """Nova shows a fresh heartbeat from ``host``."""
        self.cloud.services[host] = dataclasses.replace(
            self.cloud.services[host], updated_at=self.clock.now())

    def assert_refused(self, body, reason, host=None, **kw):
        self.assertEqual(HANDLED, self.send(body, **kw))
        self.assertEqual([], self.started)
        self.assertEqual([], self.db.notification_list())
        alert, = self.db.alert_list()
        self.assertEqual(intake.ALERT_REFUSED, alert.type)
        self.assertIn(reason, alert.message)
        if host is not None:
            self.assertEqual(host, alert.host)
        return alert

    # -- accepted -------------------------------------------------------

    def test_claim_nova_confirms_is_recovered(self):
        self.assertEqual(HANDLED, self.send(self.body()))
        row = self.db.notification_get(self.started[0])
        self.assertEqual("failed", row.host)
        self.assertEqual([], self.db.alert_list())

    def test_operator_disable_of_a_dead_host_is_no_heartbeat(self):
        # Issue 15: the monitor saw the heartbeat of "failed" stop 40 s
        # ago, then an operator's disable, which stamped updated_at.
        now = self.clock.now()
        for host in ("n1", "n2"):
            self.beat(host)
        self.cloud.services["failed"] = dataclasses.replace(
            self.cloud.services["failed"], updated_at=now, status="disabled",
            disabled_reason="dead, ticket 42")
        monitor_store.DbStore(self.db).save_records([records.HostRecord(
            "failed", state=constants.HOST_DISABLED, since=now,
            heartbeat=now - datetime.timedelta(seconds=40), written_at=now,
            service_fields=("disabled", False, "dead, ticket 42"))])
        self.assertEqual(HANDLED, self.send(self.body()))
        self.assertEqual([], self.db.alert_list())
        row = self.db.notification_get(self.started[0])
        self.assertEqual(40.0,
                         row.payload["evidence"]["intake"]
                         ["nova_heartbeat_age"])

    def test_signed_verdict_is_trusted_without_nova(self):
        self.endpoint = self.make_endpoint(key=KEY)
        self.beat("failed")
        self.assertEqual(HANDLED, self.send(signing.sign(self.body(), KEY)))
        self.assertEqual(1, len(self.started))

    # -- refused --------------------------------------------------------

    def test_unknown_host_refused(self):
        alert = self.assert_refused(self.body(host="nowhere"),
                                    "unknown host nowhere", host="nowhere")
        self.assertEqual("vmotiond-monitor.ctl-1",
                         alert.evidence["publisher"])

    def test_two_days_old_refused(self):
        self.assert_refused(self.body(age=2 * 86400), "stale", "failed")

    def test_from_the_future_refused(self):
        self.assert_refused(self.body(age=-3600), "in the future")

    def test_without_time_refused(self):
        self.assert_refused({"host": "failed", "generation": 1},
                            "detected_at")

    def test_huge_generation_refused(self):
        self.assert_refused(self.body(generation=10 ** 30), "generation")

    def test_dict_dedup_key_refused(self):
        self.assert_refused(self.body(dedup_key={"a": 1}), "dedup_key")

    def test_oversized_host_refused_before_storing(self):
        alert = self.assert_refused(self.body(host="h" * 5000), "host")
        self.assertEqual(255, len(alert.host))

    def test_oversized_evidence_refused(self):
        self.assert_refused(self.body(evidence={"x": "y" * 100000}),
                            "too large")

    def test_fresh_heartbeat_refused(self):
        self.beat("failed")
        self.assert_refused(self.body(), "fresh heartbeat", "failed")

    def test_unsigned_refused_when_a_key_is_set(self):
        self.endpoint = self.make_endpoint(key=KEY)
        self.assert_refused(self.body(), "not signed")

    def test_bad_signature_refused(self):
        self.endpoint = self.make_endpoint(key=KEY)
        signed = signing.sign(self.body(), "another-key")
        self.assert_refused(signed, "bad signature")
        signed = signing.sign(self.body(), KEY)
        signed["generation"] = 2            # tampered with after signing
        self.assertEqual(HANDLED, self.send(signed))
        self.assertEqual([], self.started)
        self.assertEqual(2, len(self.db.alert_list()))

    # -- one recovery per host ------------------------------------------

    def test_second_key_for_a_host_in_recovery_starts_nothing(self):
        self.send(self.body(dedup_key="first"))
        self.send(self.body(dedup_key="second"))
        self.assertEqual(1, len(self.started))
        rows = {r.dedup_key.split("#")[0]: r for r in
                self.db.notification_list(host="failed")}
        self.assertEqual(constants.NOTIFICATION_IGNORED,
                         rows["second"].status)
        self.assertIn("being recovered by notification %s" % self.started[0],
                      rows["second"].message)

    # -- database errors ------------------------------------------------

    def test_permanent_database_error_is_not_requeued(self):
        def too_long(*a, **kw):
            raise db_exc.DBDataError(ValueError("Data too long for column"))

        self.db.notification_create = too_long
        self.assertEqual(HANDLED, self.send(self.body()))
        alert, = self.db.alert_list()
        self.assertIn("cannot be stored", alert.message)

    def test_data_error_postgresql_style_is_not_requeued(self):
        # oslo.db gives PostgreSQL's "value too long" as a bare DBError.
        def too_long(*a, **kw):
            raise db_exc.DBError(sa_exc.DataError(
                "INSERT", {}, ValueError("value too long for type "
                                         "character varying(255)")))

        self.db.notification_create = too_long
        self.assertEqual(HANDLED, self.send(self.body()))
        alert, = self.db.alert_list()
        self.assertEqual(intake.ALERT_UNSTORABLE, alert.type)

    def test_transient_database_error_requeues(self):
        def gone(*a, **kw):
            raise db_exc.DBConnectionError(ValueError("gone away"))

        self.db.notification_create = gone
        self.assertEqual(REQUEUE, self.send(self.body()))
        self.assertEqual([], self.db.alert_list())


class OneRecoveryPerHostTest(base.EngineTestCase):
    """Whatever the keys and the locks, a host has one recovery at once."""

    def test_a_later_notification_yields_to_a_running_one(self):
        self.add_hosts()
        self.cloud.add_server(fakes.server(name="a", host="failed"))
        first = self.notify(generation=1)
        second = self.db.notification_create(
            constants.COMPUTE_HOST, "failed", "{'a': 1}",
            {"host": "failed"}).uuid
        self.db.notification_set_status(first, constants.NOTIFICATION_RUNNING)
        mgr = self.make_manager()
        self.assertEqual(constants.NOTIFICATION_IGNORED,
                         mgr.recovery.run(second))
        row = self.db.notification_get(second)
        self.assertIn("being recovered by notification %s" % first,
                      row.message)
        self.assertEqual(0, self.cloud.count("force_down_service"))
        self.assertEqual([], self.db.vmove_list(notification_uuid=second))

