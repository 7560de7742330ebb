import os
import threading

import fixtures
from oslo_config import cfg
import testtools

from tests.unit.engine import fake_cloud
from vmotiond import clock as clock_mod
from vmotiond import conf as conf_mod
from vmotiond import exception
from vmotiond.engine.workflows import fence


class FencerTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.clock = clock_mod.FakeClock()
        self.cloud = fake_cloud.FakeCloud(self.clock)
        self.cloud.add_host("failed")

    def fencer(self, driver=None, attempts=1):
        return fence.Fencer(self.cloud, driver or fence.PowerDriver(),
                            self.clock, threading.Event(), attempts=attempts)

    def fence(self, host, reason, address=None, driver=None):
        """Power off, then cut off in Nova, as a recovery does."""
        fencer = self.fencer(driver)
        return fencer.cut_off(host, reason,
                              fencer.power_off(host, address))

    def test_force_down_before_disable_with_reason(self):
        result = self.fence("failed", "vmotiond:standby")
        names = [c[0] for c in self.cloud.calls]
        self.assertEqual(["force_down_service", "disable_service"], names)
        self.assertEqual("vmotiond:standby",
                         self.cloud.calls[1][1][1])
        self.assertTrue(result.forced_down and result.disabled)

    def test_idempotent(self):
        self.fence("failed", "x")
        result = self.fence("failed", "x")
        self.assertEqual(2, len(self.cloud.calls))
        self.assertFalse(result.forced_down or result.disabled)

    def test_unknown_host(self):
        err = self.assertRaises(exception.FencingFailed,
                                self.fence, "nope", "x")
        self.assertIn("no nova-compute service", str(err))

    def test_power_failure_stops_before_nova(self):
        driver = fence.CommandDriver("false %(host)s", 5)
        err = self.assertRaises(exception.FencingFailed, self.fence,
                                "failed", "x", driver=driver)
        self.assertIn("false exited 1", str(err))
        self.assertEqual([], self.cloud.calls)

    def test_bounded_attempts_each_told(self):
        told = []
        err = self.assertRaises(
            exception.PowerFencingFailed, self.fencer(
                fence.CommandDriver("false", 5), attempts=3).power_off,
            "failed", None, attempted=told.append)
        self.assertEqual(["power fencing attempt %d/3 failed: false exited "
                          "1: " % n for n in (1, 2, 3)], told)
        self.assertEqual(told, err.attempts)
        self.assertEqual([], self.cloud.calls)

    def test_a_later_attempt_fences(self):
        marker = os.path.join(self.useFixture(fixtures.TempDir()).path, "t")
        driver = fence.CommandDriver(
            "sh -c 'test -e %s || { touch %s; exit 1; }'" % (marker, marker),
            5)
        told = []
        power = self.fencer(driver, attempts=3).power_off(
            "failed", None, attempted=told.append)
        self.assertEqual("powered off by sh (attempt 2/3)", power)
        self.assertEqual(1, len(told))

    def test_already_off_is_fenced(self):
        power = self.fencer(fence.CommandDriver("sh -c 'exit 2'", 5),
                            attempts=3).power_off("failed", None)
        self.assertEqual("already powered off (sh exited 2)", power)

    def test_operator_reason_kept_ours_rewritten(self):
        self.cloud.disable_service("svc-failed", "failed", "ops: fan")
        self.assertEqual("ops: fan", self.fence(
            "failed", "vmotiond:standby").service.disabled_reason)
        self.cloud.disable_service("svc-failed", "failed",
                                   "vmotiond: standby host, kept out of "
                                   "scheduling")
        result = self.fence("failed", "vmotiond:standby")
        self.assertEqual("vmotiond:standby",
                         self.cloud.services["failed"].disabled_reason)
        self.assertFalse(result.disabled)    # it was disabled already

    def test_command_driver_success_substitutes(self):
        marker = os.path.join(self.useFixture(fixtures.TempDir()).path,
                              "fenced")
        driver = fence.CommandDriver(
            "sh -c 'echo %(host)s-%(address)s > " + marker + "'", 5)
        result = self.fence("failed", "x", "10.0.0.9", driver)
        with open(marker) as f:
            self.assertEqual("failed-10.0.0.9", f.read().strip())
        self.assertIn("powered off by sh", result.power)

    def test_command_timeout(self):
        driver = fence.CommandDriver("sleep 5", 0.2)
        err = self.assertRaises(exception.PowerFencingFailed,
                                self.fencer(driver, attempts=2).power_off,
                                "failed", None)
        self.assertEqual(2, len(err.attempts))
        self.assertIn("timed out", err.attempts[1])

    def test_driver_from_conf(self):
        conf = cfg.ConfigOpts()
        conf_mod.register_opts(conf)
        conf([])
        self.assertIsInstance(fence.power_driver(conf), fence.PowerDriver)
        conf.set_override("fence_driver", "command", "engine")
        self.assertRaises(exception.ConfigError, fence.power_driver, conf)
        conf.set_override("fence_command", "true", "engine")
        self.assertIsInstance(fence.power_driver(conf), fence.CommandDriver)
        conf.set_override("fence_driver", "ipmi", "engine")
        driver = fence.power_driver(conf)
        self.assertIsInstance(driver, fence.IpmiDriver)
        err = self.assertRaises(exception.FencingFailed, driver.fence,
                                "h", None)
        self.assertIn("no BMC address", str(err))


class PowerAddressTest(testtools.TestCase):
    """Where power fencing reaches a host (issue 15: never at a management
    IP that is not the host's own)."""

    def test_cases(self):
        ips = {"a": "10.0.0.9", "b": "10.0.0.9", "c": "10.0.0.3",
               "d": "::1", "e": None}
        self.assertEqual(("10.9.0.1", None), fence.power_address(
            "a", {"a": "10.9.0.1"}, ips))
        self.assertEqual(("10.0.0.3", None),
                         fence.power_address("c", {}, ips))
        self.assertEqual((None, fence.NO_ADDRESS),
                         fence.power_address("e", {}, ips))
        self.assertEqual((None, fence.NO_ADDRESS),
                         fence.power_address("zz", {}, ips))
        self.assertEqual(
            (None, "the management IP 10.0.0.9 is shared by 2 hosts (a, b), "
                   "not the host's own: set [engine] ipmi_addresses for it"),
            fence.power_address("b", {}, ips))
        self.assertEqual(
            (None, "the management IP ::1 is the loopback address, not the "
                   "host's own: set [engine] ipmi_addresses for it"),
            fence.power_address("d", {}, ips))

    def test_command_needs_an_address_only_when_it_names_one(self):
        err = self.assertRaises(
            exception.FencingFailed, fence.CommandDriver(
                "fence-it %(address)s", 5).fence, "h", None, "why not")
        self.assertIn("no address for %(address)s: why not", str(err))
        self.assertIn("powered off by true", fence.CommandDriver(
            "true %(host)s", 5).fence("h", None, "why not"))
