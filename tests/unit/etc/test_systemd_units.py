"""The shipped systemd units pass ``systemd-analyze verify``."""

import os
import shutil
import subprocess
import sys

import fixtures
import testtools

UNITS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "etc",
                     "systemd")
NAMES = ("vmotiond", "vmotiond-monitor", "vmotiond-engine", "vmotiond-api")


class SystemdUnitsTest(testtools.TestCase):

    def _verify(self, name: str) -> subprocess.CompletedProcess[str]:
        with open(os.path.join(UNITS, name + ".service")) as f:
            text = f.read()
        # Point ExecStart at the console script of this environment, which
        # exists, instead of the packaged /usr/bin path, which may not.
        script = os.path.join(os.path.dirname(sys.executable), name)
        self.assertTrue(os.path.exists(script), script)
        text = text.replace("/usr/bin/%s " % name, script + " ")
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, name + ".service")
        with open(path, "w") as f:
            f.write(text)
        return subprocess.run(["systemd-analyze", "verify", path],
                              capture_output=True, text=True, timeout=60)

    def test_units_verify(self) -> None:
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze is not installed here")
        for name in NAMES:
            result = self._verify(name)
            own = [line for line in result.stderr.splitlines()
                   if name + ".service" in line]
            self.assertEqual(0, result.returncode, result.stderr)
            self.assertEqual([], own)

    def test_units_are_hardened_and_restart(self) -> None:
        for name in NAMES:
            with open(os.path.join(UNITS, name + ".service")) as f:
                text = f.read()
            for line in ("Type=notify", "Restart=on-failure",
                         "User=vmotiond", "NoNewPrivileges=true",
                         "ProtectSystem=strict", "PrivateTmp=true",
                         "StateDirectory=vmotiond"):
                self.assertIn(line + "\n", text, name)
