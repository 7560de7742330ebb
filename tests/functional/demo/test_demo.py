"""The README's first command, as a newcomer runs it (minus the venv)."""

import os
import subprocess
import sys

import fixtures
import testtools

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


class DemoTest(testtools.TestCase):

    def test_demo_recovers_every_instance(self) -> None:
        state = self.useFixture(fixtures.TempDir()).path
        result = subprocess.run(
            [sys.executable, "-m", "vmotiond.demo", "--state-dir", state],
            cwd=TOP, capture_output=True, text=True, timeout=600)
        out = result.stdout
        self.assertEqual(0, result.returncode, out + result.stderr)
        self.assertIn("demo succeeded", out)
        self.assertNotIn("PROBLEM", out)
        for stage in ("is suspect", "is down", "COMPUTE_HOST notification",
                      "forced_down=True, disabled",
                      "engine: notification finished"):
            self.assertIn(stage, out)
        # Standby hosts were the first targets.
        self.assertIn("evacuation to standby-0", out)
        for stage in ("is recovered", "MOVE_BACK notification",
                      "live_migration succeeded"):
            self.assertIn(stage, out)
        self.assertTrue(os.path.exists(os.path.join(state, "vmotiond.log")))


class NoNetworkDemoTest(testtools.TestCase):
    """``tools/demo.sh --no-network``: a cloud without a network service,
    in both of its shapes; every instance is recovered and moved back."""

    def run_demo(self, *args: str) -> str:
        state = self.useFixture(fixtures.TempDir()).path
        result = subprocess.run(
            [sys.executable, "-m", "vmotiond.demo", "--state-dir", state,
             *args], cwd=TOP, capture_output=True, text=True, timeout=600)
        out = result.stdout
        self.assertEqual(0, result.returncode, out + result.stderr)
        self.assertIn("demo succeeded", out)
        self.assertNotIn("PROBLEM", out)
        self.assertNotIn("<", out)
        self.assertIn("engine: notification finished", out)
        self.assertIn("floating IPs skipped: the cloud has no network "
                      "service", out)
        self.assertNotIn(" failed: ", out)
        with open(os.path.join(state, "vmotiond.log")) as f:
            log = f.read()
        self.assertEqual(1, log.count("The cloud has no network service"))
        return out

    def test_keystone_catalog_without_network(self) -> None:
        out = self.run_demo("--no-network")
        self.assertIn("no network service (catalog)", out)

    def test_no_keystone_network_calls_reach_nova(self) -> None:
        out = self.run_demo("--no-network", "noauth")
        self.assertIn("no network service (noauth)", out)
