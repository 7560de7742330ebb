"""``vmotiond-sim`` serves a cloud that openstacksdk uses via clouds.yaml."""

import os
import subprocess
import sys

import fixtures
import openstack
import testtools


class TestServeCommand(testtools.TestCase):
    def test_serve_and_connect_with_clouds_yaml(self) -> None:
        tmp = self.useFixture(fixtures.TempDir()).path
        clouds = os.path.join(tmp, "clouds.yaml")
        proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from vmotiond.cmd.sim "
             "import main; sys.exit(main())", "--hosts", "20", "--standby",
             "2", "--servers", "200", "--seed", "4", "--clouds-yaml",
             clouds], stdout=subprocess.PIPE, text=True)
        self.addCleanup(proc.wait, 30)
        self.addCleanup(proc.terminate)
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("wrote "):
                break
        self.assertIn("20 hosts, 2 standby, 200 servers", lines[0])
        self.assertTrue(any(line.startswith("auth URL: http://127.0.0.1:")
                            for line in lines))
        self.useFixture(fixtures.EnvironmentVariable(
            "OS_CLIENT_CONFIG_FILE", clouds))
        conn = openstack.connect(cloud="vmotiond-sim")
        self.addCleanup(conn.close)
        self.assertEqual(22, len(list(conn.compute.services())))
        self.assertEqual(200, len(list(conn.compute.servers(
            all_projects=True))))
