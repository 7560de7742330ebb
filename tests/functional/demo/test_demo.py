"""The README's first command, as a newcomer runs it (minus the venv)."""

import os
import signal
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
        # The recovery is said to be finished after each of its moves.
        self.assertLess(out.rindex("evacuation succeeded"),
                        out.index("engine: notification finished"))
        for stage in ("is recovered", "MOVE_BACK notification",
                      "live_migration succeeded"):
            self.assertIn(stage, out)
        self.assertTrue(os.path.exists(os.path.join(state, "vmotiond.log")))
        self.assertIn("the times count from this kill on", out)
        # The catalog's instance-ha endpoint and the commands through it.
        self.assertRegex(out, r"The REST API \(Masakari-compatible\) is "
                              r"http://127\.0\.0\.1:\d+/v1, the instance-ha "
                              r"endpoint of the cloud's catalog")
        self.assertIn("export OS_CLIENT_CONFIG_FILE=%s OS_CLOUD=vmotiond-sim"
                      % os.path.join(state, "clouds.yaml"), out)
        with open(os.path.join(state, "clouds.yaml")) as f:
            self.assertIn("/identity", f.read())
        self.assertRegex(out, r"standby-0\d(, standby-0\d)? received "
                              r"instances: normal hosts now")


class KeepRunningDemoTest(testtools.TestCase):
    """With ``--keep-running`` the verdict comes before the wait."""

    def test_verdict_before_the_wait(self) -> None:
        state = self.useFixture(fixtures.TempDir()).path
        demo = subprocess.Popen(
            [sys.executable, "-m", "vmotiond.demo", "--state-dir", state,
             "--keep-running"], cwd=TOP, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(demo.wait, 60)
        self.addCleanup(demo.kill)
        assert demo.stdout is not None
        self.addCleanup(demo.stdout.close)
        lines = []
        for line in demo.stdout:
            lines.append(line)
            if "keeps running" in line:
                break
        out = "".join(lines)
        self.assertIn("vmotiond keeps running; Ctrl-C stops it", out)
        self.assertRegex(out, r"demo succeeded in \d+ s\n.*keeps running")
        demo.send_signal(signal.SIGINT)
        rest = demo.stdout.read()
        self.assertEqual(0, demo.wait(60))
        self.assertNotIn("demo succeeded", rest)


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
