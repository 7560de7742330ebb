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
