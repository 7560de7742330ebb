"""A daemon that cannot start says why in one line on stderr and exits 1.

No traceback, nothing else on stderr (but the eventlet deprecation warning
oslo.service prints when oslo.messaging is imported, which is not ours).
"""

import subprocess

import testtools

from tests.functional.processes import base


class StartupErrorsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dep = None

    def deployment(self, backend):
        self.dep = self.useFixture(base.Deployment(backend))
        # No cloud is reached: every check below fails before.
        self.options = self.dep.options(clouds_yaml="/nonexistent.yaml")
        return self.dep

    def run_daemon(self, name, options):
        path = self.dep.write_config(options)
        done = subprocess.run([base.command(name), "--config-file", path],
                              capture_output=True, text=True, timeout=60,
                              check=False)
        self.assertNotIn("Traceback", done.stderr + done.stdout)
        lines = base.own_stderr_lines(done.stderr)
        self.assertEqual(1, len(lines), done.stderr)
        self.assertEqual(1, done.returncode, done.stderr)
        self.assertTrue(lines[0].startswith("%s: error: " % name), lines)
        return lines[0]

    def test_split_process_refuses_the_in_process_transport(self):
        self.deployment("sqlite")
        self.options["DEFAULT"]["transport_url"] = "fake://"
        for name in ("vmotiond-monitor", "vmotiond-engine"):
            line = self.run_daemon(name, self.options)
            self.assertIn("[DEFAULT] transport_url", line)
            self.assertIn("all-in-one 'vmotiond'", line)

    def test_empty_database_asks_for_db_sync(self):
        self.deployment("mysql")
        line = self.run_daemon("vmotiond-engine", self.options)
        self.assertIn("vmotiond-manage db sync", line)

    def test_empty_sqlite_database_asks_for_db_sync(self):
        self.deployment("sqlite")
        self.options["DEFAULT"]["transport_url"] = "fake://"
        line = self.run_daemon("vmotiond", self.options)
        self.assertIn("vmotiond-manage db sync", line)

    def test_bad_option_value_names_option_and_file(self):
        self.deployment("sqlite")
        self.options["monitor"]["poll_interval"] = "fast"
        line = self.run_daemon("vmotiond-monitor", self.options)
        self.assertIn("[monitor] poll_interval", line)
        self.assertIn(self.dep.config_path, line)

    def test_option_below_its_minimum_names_option_and_file(self):
        self.deployment("sqlite")
        self.options["DEFAULT"]["transport_url"] = "fake://"
        self.options["engine"]["workers"] = 0
        line = self.run_daemon("vmotiond", self.options)
        self.assertIn("[engine] workers", line)
        self.assertIn(self.dep.config_path, line)

    def test_unknown_choice_names_option_and_file(self):
        self.deployment("sqlite")
        self.options["monitor"]["probe_driver"] = "ping"
        line = self.run_daemon("vmotiond-engine", self.options)
        self.assertIn("[monitor] probe_driver", line)
        self.assertIn(self.dep.config_path, line)

    def test_unreachable_database_is_one_line_without_password(self):
        self.deployment("sqlite")
        self.options["database"] = {
            "connection": "mysql+pymysql://root:s3cret@127.0.0.1:1/vmotiond",
            "max_retries": 1, "retry_interval": 1}
        line = self.run_daemon("vmotiond-engine", self.options)
        self.assertIn("cannot be reached", line)
        self.assertIn("root:***@127.0.0.1:1", line)
        self.assertNotIn("s3cret", line)

    def test_missing_config_file_is_named(self):
        self.deployment("sqlite")
        done = subprocess.run(
            [base.command("vmotiond-engine"), "--config-file",
             "/nonexistent/vmotiond.conf"], capture_output=True, text=True,
            timeout=60, check=False)
        lines = base.own_stderr_lines(done.stderr)
        self.assertEqual(1, done.returncode, done.stderr)
        self.assertEqual(1, len(lines), done.stderr)
        self.assertIn("/nonexistent/vmotiond.conf", lines[0])
