import datetime
import threading

import testtools

from tests.unit.engine import fake_cloud
from tests.unit.engine import fakes
from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond.engine.running import steps
from vmotiond.engine.running.steps import base


class StepTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.clock = clock_mod.FakeClock()
        self.cloud = fake_cloud.FakeCloud(self.clock, lag=3)
        self.stop = threading.Event()
        self.server = fakes.server(host="failed")
        self.cloud.add_server(self.server, fip="fip-1")

    def ctx(self, move_type=constants.EVACUATION, dest="sb1", **kw):
        options = kw.pop("options", base.StepOptions(poll_interval=1.0,
                                                     move_timeout=60))
        return base.StepContext(
            self.cloud, self.clock, self.stop, options, self.server.id,
            move_type, "failed", dest,
            since=self.clock.now() - datetime.timedelta(seconds=1), **kw)

    def run_step(self, key, ctx):
        outcome = steps.build(key).execute(ctx)
        ctx.data.update(outcome.context)
        return outcome


class EvacuateTest(StepTestCase):

    def test_calls_evacuate_with_target_and_microversion(self):
        out = self.run_step("evacuate", self.ctx())
        self.assertEqual(1, self.cloud.count("evacuate_server"))
        self.assertIn(("evacuate_server", (self.server.id, "sb1", "2.94")),
                      self.cloud.calls)
        self.assertTrue(out.context["called"])

    def test_never_twice_when_migration_exists(self):
        ctx = self.ctx()
        self.run_step("evacuate", ctx)
        out = self.run_step("evacuate", ctx)
        self.assertEqual(1, self.cloud.count("evacuate_server"))
        self.assertIn("already", out.result)
        self.assertFalse(out.context["called"])

    def test_skipped_when_already_moved(self):
        self.cloud._set(self.server.id, host="sb1")
        out = self.run_step("evacuate", self.ctx())
        self.assertEqual(0, self.cloud.count("evacuate_server"))
        self.assertIn("already on host sb1", out.result)

    def test_old_or_failed_migrations_do_not_block(self):
        ctx = self.ctx()
        self.run_step("evacuate", ctx)
        self.cloud._mig(self.cloud.migrations[0], "error")
        self.cloud.landing.clear()
        self.run_step("evacuate", ctx)
        self.assertEqual(2, self.cloud.count("evacuate_server"))
        # A migration from before the notification is not this recovery's.
        later = self.ctx()
        later.since = self.clock.now() + datetime.timedelta(seconds=5)
        self.cloud.landing.clear()
        self.run_step("evacuate", later)
        self.assertEqual(3, self.cloud.count("evacuate_server"))


class WaitMovedTest(StepTestCase):

    def test_waits_for_host_change_not_status_alone(self):
        ctx = self.ctx()
        self.run_step("evacuate", ctx)
        out = self.run_step("wait_moved", ctx)
        self.assertEqual("sb1", out.context["host"])
        self.assertEqual("ACTIVE", out.context["status"])
        # It saw ACTIVE on the old host first and kept waiting.
        self.assertGreaterEqual(self.cloud.count("get_server"), 3)

    def test_lands_shutoff_at_2_95(self):
        options = base.StepOptions(evacuate_microversion="2.95")
        ctx = self.ctx(options=options)
        self.run_step("evacuate", ctx)
        self.assertEqual("SHUTOFF",
                         self.run_step("wait_moved", ctx).context["status"])
        out = self.run_step("start", ctx)
        self.assertEqual(1, self.cloud.count("start_server"))
        self.assertIn("ACTIVE", out.result)

    def test_timeout(self):
        ctx = self.ctx(options=base.StepOptions(poll_interval=5,
                                                move_timeout=20))
        self.cloud.lag = 1000
        self.run_step("evacuate", ctx)
        err = self.assertRaises(exception.StepTimedOut, self.run_step,
                                "wait_moved", ctx)
        self.assertIn("not done after 20 s", str(err))
        self.assertEqual(20.0, self.clock.monotonic())

    def test_error_on_new_host_fails(self):
        ctx = self.ctx()
        self.cloud.land_in_error.add(self.server.id)
        self.run_step("evacuate", ctx)
        err = self.assertRaises(exception.StepFailed, self.run_step,
                                "wait_moved", ctx)
        self.assertIn("ERROR on host sb1", str(err))

    def test_failed_migration_fails_fast(self):
        ctx = self.ctx()
        self.cloud.lag = 1000
        self.run_step("evacuate", ctx)
        self.cloud._mig(self.cloud.migrations[0], "failed")
        err = self.assertRaises(exception.StepFailed, self.run_step,
                                "wait_moved", ctx)
        self.assertIn("failed (migration", str(err))

    def test_interrupted_by_stop(self):
        ctx = self.ctx()
        self.cloud.lag = 1000
        self.run_step("evacuate", ctx)
        self.stop.set()
        self.assertRaises(exception.Interrupted, self.run_step,
                          "wait_moved", ctx)

    def test_migration_record_done_while_host_lags(self):
        ctx = self.ctx()
        self.run_step("evacuate", ctx)
        self.cloud.landing.clear()
        self.cloud._set(self.server.id, status="ACTIVE", task_state=None)
        self.cloud._mig(self.cloud.migrations[0], "done")
        out = self.run_step("wait_moved", ctx)
        self.assertEqual("sb1", out.context["host"])


class StateStepsTest(StepTestCase):

    def test_reset_and_revert(self):
        ctx = self.ctx()
        step = steps.build("reset_state:error")
        out = step.execute(ctx)
        self.assertEqual("error", self.cloud.servers[self.server.id].vm_state)
        step.revert(ctx, out)
        self.assertEqual("active",
                         self.cloud.servers[self.server.id].vm_state)

    def test_reset_skipped_when_done_or_moved(self):
        ctx = self.ctx()
        self.run_step("reset_state:error", ctx)
        self.assertIn("already", self.run_step("reset_state:error",
                                               ctx).result)
        self.cloud._set(self.server.id, host="x", vm_state="active")
        self.assertIn("already on host x",
                      self.run_step("reset_state:error", ctx).result)
        self.assertEqual(1, self.cloud.count("reset_server_state"))

    def test_revert_does_nothing_once_moved(self):
        ctx = self.ctx()
        step = steps.build("reset_state:error")
        out = step.execute(ctx)
        self.cloud._set(self.server.id, host="sb1")
        step.revert(ctx, out)
        self.assertEqual(1, self.cloud.count("reset_server_state"))

    def test_stop_and_start_idempotent(self):
        ctx = self.ctx()
        self.assertIn("skipped", self.run_step("start", ctx).result)
        self.run_step("stop", ctx)
        self.run_step("stop", ctx)
        self.assertEqual(1, self.cloud.count("stop_server"))

    def test_restore_paused(self):
        ctx = self.ctx()
        self.assertEqual("restored to PAUSED",
                         self.run_step("restore_state:PAUSED", ctx).result)
        self.assertEqual(1, self.cloud.count("pause_server"))

    def test_restore_suspended(self):
        ctx = self.ctx()
        self.assertEqual("restored to SUSPENDED",
                         self.run_step("restore_state:SUSPENDED", ctx).result)
        self.assertEqual(1, self.cloud.count("suspend_server"))
        self.assertIn("skipped", self.run_step("restore_state:SUSPENDED",
                                               ctx).result)
        self.assertEqual(1, self.cloud.count("suspend_server"))

    def test_rescue_not_restorable_fails_the_step(self):
        ctx = self.ctx()
        raised = self.assertRaises(exception.StepFailed, self.run_step,
                                   "restore_state:RESCUE", ctx)
        self.assertIn("cannot put it back", str(raised))
        self.assertIn("ACTIVE on host", str(raised))

    def test_resume_and_its_revert(self):
        ctx = self.ctx()
        self.cloud._set(ctx.server_id, status="SUSPENDED",
                        vm_state="suspended")
        outcome = self.run_step("resume", ctx)
        self.assertEqual("ACTIVE", self.cloud.servers[ctx.server_id].status)
        steps.build("resume").revert(ctx, outcome)
        self.assertEqual("SUSPENDED",
                         self.cloud.servers[ctx.server_id].status)


class FloatingIpTest(StepTestCase):

    def evacuate(self, ctx):
        for key in ("record_floating_ips", "evacuate", "wait_moved"):
            self.run_step(key, ctx)

    def test_followed(self):
        ctx = self.ctx()
        self.evacuate(ctx)
        ports, fips = (self.cloud.count("list_ports"),
                       self.cloud.count("list_floating_ips"))
        self.assertIn("followed",
                      self.run_step("rebind_floating_ips", ctx).result)
        self.assertIn("bound: fip-1",
                      self.run_step("check_floating_ips", ctx).result)
        self.assertEqual(0, self.cloud.count("associate_floating_ip"))
        # One read of the recorded ports' floating IPs, for both steps.
        self.assertEqual((ports, fips + 1),
                         (self.cloud.count("list_ports"),
                          self.cloud.count("list_floating_ips")))

    def test_ports_read_again_when_not_recorded(self):
        ctx = self.ctx()
        self.evacuate(ctx)
        ctx.data.pop("ports")
        ports = self.cloud.count("list_ports")
        self.assertIn("followed",
                      self.run_step("rebind_floating_ips", ctx).result)
        self.assertEqual(ports + 1, self.cloud.count("list_ports"))

    def test_rebound_when_it_did_not_follow(self):
        self.cloud.fip_follows = False
        ctx = self.ctx()
        self.evacuate(ctx)
        self.assertEqual(None, self.cloud.fips["fip-1"].port_id)
        ports = self.cloud.count("list_ports")
        out = self.run_step("rebind_floating_ips", ctx)
        # The recorded ports' read found it off its port: all read again.
        self.assertEqual(ports + 1, self.cloud.count("list_ports"))
        self.assertEqual(["fip-1"], out.context["rebound"])
        self.assertEqual(1, self.cloud.count("disassociate_floating_ip"))
        self.assertEqual("port-" + self.server.id,
                         self.cloud.fips["fip-1"].port_id)
        self.run_step("check_floating_ips", ctx)

    def test_check_fails_when_unbound(self):
        ctx = self.ctx(options=base.StepOptions(floating_ip_timeout=3))
        self.run_step("record_floating_ips", ctx)
        self.cloud.disassociate_floating_ip("fip-1")
        err = self.assertRaises(exception.StepFailed, self.run_step,
                                "check_floating_ips", ctx)
        self.assertIn("fip-1 not bound", str(err))

    def test_no_floating_ip(self):
        self.cloud.fips.clear()
        ctx = self.ctx()
        self.assertIn("0 floating", self.run_step("record_floating_ips",
                                                  ctx).result)
        self.assertIn("skipped", self.run_step("rebind_floating_ips",
                                               ctx).result)
        self.assertIn("no floating", self.run_step("check_floating_ips",
                                                   ctx).result)


class MigrationStepsTest(StepTestCase):

    def test_cold_migration_and_confirm(self):
        self.cloud._set(self.server.id, status="SHUTOFF", vm_state="stopped")
        ctx = self.ctx(constants.MIGRATION, dest="h2")
        for key in ("migrate", "wait_moved", "confirm_resize"):
            out = self.run_step(key, ctx)
        self.assertIn("SHUTOFF on h2", out.result)
        self.assertEqual(1, self.cloud.count("confirm_resize"))
        self.assertIn("already confirmed",
                      self.run_step("confirm_resize", ctx).result)

    def test_live_migration(self):
        ctx = self.ctx(constants.LIVE_MIGRATION, dest=None)
        self.run_step("live_migrate", ctx)
        self.run_step("live_migrate", ctx)
        out = self.run_step("wait_moved", ctx)
        self.assertEqual(1, self.cloud.count("live_migrate_server"))
        self.assertEqual("auto-host", out.context["host"])

    def test_unknown_step(self):
        self.assertRaises(ValueError, steps.build, "teleport")
