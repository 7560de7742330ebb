"""The fence's life on MariaDB and the simulator over HTTP: a failed host
stays forced down and disabled, saying why, until its last vmove ends; a
BMC that does not answer blocks the recovery until confirm-fenced; a host
already off counts as fenced."""

import time

import testtools

from tests.functional.engine import env
from vmotiond import constants
from vmotiond import disabled_reason
from vmotiond import exception
from vmotiond.engine.workflows import recovery


class FenceLifecycleTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env = self.useFixture(env.EngineEnv(latency={
            "evacuate": 0.3, "host_update_lag": 0.05}))
        cloud = self.env.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        for name in ("compute-a", "compute-b"):
            cloud.add_host(name)
        cloud.add_host(self.env.failed_host)
        self.servers = [cloud.add_server(self.env.failed_host, "m1.small",
                                         name="vm-%d" % i).id
                        for i in range(6)]
        self.env.sync_hosts()
        self.host = self.env.failed_host

    def wait_for(self, what, predicate, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("%s not seen in %.0f s" % (what, timeout))

    def view(self):
        view = self.env.sim.cloud.host_view(self.host)
        return view["forced_down"], view["status"], view["disabled_reason"]

    def evacuations(self):
        return sum(self.env.sim.cloud.action_count(sid, "evacuate")
                   for sid in self.servers)

    def fail(self, command=None, attempts=3):
        if command is not None:
            self.env.conf_fixture.set("fence_driver", "command", "engine")
            self.env.conf_fixture.set("fence_command", command, "engine")
            self.env.conf_fixture.set("fence_attempts", attempts, "engine")
            self.env.conf_fixture.set("fence_timeout", 1, "engine")
        self.env.conf_fixture.set("workers", 1, "engine")
        engine = self.env.engine()
        self.env.sim.cloud.kill_host(self.host)
        self.env.send_host_down(self.host)
        return engine

    def test_stays_fenced_until_its_last_vmove_ends(self):
        engine = self.fail()
        operator = engine.operations.operator
        note = self.wait_for("a recovery half way", lambda: next((
            n for n in self.env.db.notification_list(host=self.host)
            if any(v.status == constants.SUCCEEDED for v in
                   self.env.db.vmove_list(notification_uuid=n.uuid))), None))
        recovering = disabled_reason.make(disabled_reason.RECOVERING,
                                          note.uuid)
        # The host is back for the monitor while vmoves still run.
        self.env.db.host_update(self.host, {
            "monitor_state": constants.HOST_RECOVERED})
        self.assertEqual((True, "disabled", recovering), self.view())
        for ask in (operator.release, operator.move_back):
            error = self.assertRaises(exception.Conflict, ask, self.host)
            self.assertIn(note.uuid, str(error))
        self.assertTrue(self.env.db.vmove_list(
            notification_uuid=note.uuid,
            status=(constants.PENDING, constants.ONGOING)))
        self.assertEqual((True, "disabled", recovering), self.view())
        ended = self.env.wait_notification(self.host)
        self.assertEqual(constants.NOTIFICATION_FINISHED, ended.status,
                         ended.message)
        # Every vmove final: still fenced, the reason says why.
        self.assertEqual((True, "disabled", recovering), self.view())
        self.assertEqual(recovering,
                         self.env.db.host_get(self.host).disabled_reason)
        self.assertEqual(6, self.evacuations())

    def test_dead_bmc_blocks_until_confirm_fenced(self):
        engine = self.fail("sleep 5", attempts=2)
        alert = self.wait_for("the power fencing alert", lambda: next(iter(
            self.env.db.alert_list(host=self.host,
                                   type=[recovery.ALERT_POWER_FENCING])),
            None), timeout=30)
        self.assertEqual(2, len(alert.evidence["attempts"]))
        self.assertIn("timed out", alert.evidence["attempts"][0])
        uuid = alert.evidence["notification"]
        note = self.wait_for("the recovery waiting", lambda: next(iter(
            n for n in [self.env.db.notification_get(uuid)]
            if "waiting for 'vmotiond-manage host confirm-fenced"
            in (n.message or "")), None))
        self.assertEqual(constants.NOTIFICATION_RUNNING, note.status)
        # Blocked: nothing fenced in Nova, nothing evacuated.
        self.assertEqual((False, "enabled", None), self.view())
        self.assertEqual(0, self.evacuations())
        engine.operations.operator.confirm_fenced(self.host)
        ended = self.env.wait_notification(self.host)
        self.assertEqual(constants.NOTIFICATION_FINISHED, ended.status,
                         ended.message)
        self.assertIsNotNone(ended.fence_confirmed_at)
        self.assertEqual(6, self.evacuations())
        self.assertEqual(
            (True, "disabled", disabled_reason.make(
                disabled_reason.RECOVERING, ended.uuid)), self.view())

    def test_already_off_counts_as_fenced(self):
        self.fail("sh -c 'exit 2'")
        ended = self.env.wait_notification(self.host)
        self.assertEqual(constants.NOTIFICATION_FINISHED, ended.status,
                         ended.message)
        self.assertEqual([], self.env.db.alert_list(host=self.host))
        self.assertEqual(6, self.evacuations())
