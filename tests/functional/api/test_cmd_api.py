"""``vmotiond-api``: serves, stops on SIGTERM, fails in one line."""

import os
import signal
import subprocess
import sys
import time

import fixtures
import requests
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from tests.fixtures import ports

MAIN = "import sys; from vmotiond.cmd.api import main; sys.exit(main())"


class TestCommand(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        conf = self.useFixture(conf_fixture.Conf()).conf
        self.db = self.useFixture(db_fixture.Database("sqlite", conf,
                                                      synced=False))
        self.port = ports.free_port()

    def write_config(self, **api: object) -> str:
        path = os.path.join(self.tmp, "vmotiond.conf")
        options = {"auth_strategy": "noauth", "bind_host": "127.0.0.1",
                   "bind_port": self.port, **api}
        with open(path, "w") as stream:
            stream.write("[DEFAULT]\nstate_path = %s\n[database]\n"
                         "connection = %s\n[api]\n" % (self.tmp, self.db.url))
            for key, value in options.items():
                stream.write("%s = %s\n" % (key, value))
        return path

    def run_api(self, config: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-c", MAIN,
                                 "--config-file", config],
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def wait_serving(self, process: subprocess.Popen[str]
                     ) -> requests.Response:
        url = "http://127.0.0.1:%d/v1/notifications" % self.port
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(url, timeout=5)
                break
            except requests.ConnectionError:
                if process.poll() is not None:
                    self.fail("vmotiond-api exited: %s"
                              % (process.communicate(),))
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.1)
        return response

    def test_serves_then_stops_cleanly_on_sigterm(self) -> None:
        self.db.database.sync()
        process = self.run_api(self.write_config())
        self.addCleanup(process.kill)
        response = self.wait_serving(process)
        self.assertEqual(200, response.status_code)
        self.assertEqual({"notifications": []}, response.json())
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
        self.assertEqual(0, process.returncode, err)
        self.assertIn("WARNING vmotiond.api.deploy [-] [api] auth_strategy = "
                      "noauth", out)
        self.assertIn("vmotiond-api stopped", out)

    def test_workers_share_the_port(self) -> None:
        self.db.database.sync()
        process = self.run_api(self.write_config(workers=2))
        self.addCleanup(process.kill)
        self.assertEqual(200, self.wait_serving(process).status_code)
        for _ in range(20):
            response = requests.get("http://127.0.0.1:%d/v1/notifications"
                                    % self.port, timeout=10)
            self.assertEqual(200, response.status_code)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
        self.assertEqual(0, process.returncode, err)
        self.assertIn("started 2 workers", out)
        self.assertEqual(2, out.count("vmotiond-api stopped"))

    def test_schema_not_synced_is_one_line_error(self) -> None:
        process = self.run_api(self.write_config())
        _, err = process.communicate(timeout=60)
        self.assertEqual(1, process.returncode)
        last = err.strip().splitlines()[-1]
        self.assertIn("error: The database schema is at empty", last)
        self.assertIn("vmotiond-manage db sync", last)

    def test_bad_option_is_one_line_error(self) -> None:
        process = self.run_api(self.write_config(max_limit=-3))
        _, err = process.communicate(timeout=60)
        self.assertEqual(1, process.returncode)
        self.assertIn("[api] max_limit", err.strip().splitlines()[-1])

    def test_port_in_use_is_one_line_error(self) -> None:
        self.db.database.sync()
        import socket
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", self.port))
            busy.listen()
            process = self.run_api(self.write_config())
            _, err = process.communicate(timeout=60)
        self.assertEqual(1, process.returncode)
        self.assertIn("cannot listen on 127.0.0.1:%d" % self.port,
                      err.strip().splitlines()[-1])
