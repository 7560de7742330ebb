"""``vmotiond-manage db sync`` creates the schema on every backend."""

import os
import subprocess
import sys

import fixtures
import sqlalchemy as sa
import testscenarios
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from vmotiond.db import migration

MANAGE = os.path.join(os.path.dirname(sys.executable), "vmotiond-manage")


class ManageDbSyncTest(testscenarios.WithScenarios, testtools.TestCase):

    scenarios = [(backend, {"backend": backend})
                 for backend in db_fixture.BACKENDS]

    def _manage(self, conf_file: str, *args: str
                ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([MANAGE, "--config-file", conf_file, *args],
                              capture_output=True, text=True, timeout=120)

    def test_sync_creates_schema_and_is_repeatable(self) -> None:
        conf = self.useFixture(conf_fixture.Conf()).conf
        db = self.useFixture(db_fixture.Database(self.backend, conf,
                                                  synced=False))
        conf_file = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 "vmotiond.conf")
        with open(conf_file, "w") as f:
            f.write("[database]\nconnection = %s\n" % db.url)
        empty = self._manage(conf_file, "db", "version")
        self.assertEqual(0, empty.returncode, empty.stderr)
        self.assertIn("empty", empty.stdout)
        for _ in range(2):
            result = self._manage(conf_file, "db", "sync")
            self.assertEqual(0, result.returncode, result.stderr)
            self.assertIn("revision %s" % migration.head_revision(),
                          result.stdout)
        version = self._manage(conf_file, "db", "version")
        self.assertEqual(migration.head_revision(), version.stdout.strip())
        tables = set(sa.inspect(db.database.engine).get_table_names())
        self.assertTrue({"notifications", "vmoves", "vmove_steps",
                         "hosts"} <= tables, tables)

    def test_unreachable_database_is_one_line(self) -> None:
        conf_file = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 "vmotiond.conf")
        urls = {"sqlite": "sqlite:////nonexistent/dir/vmotiond.sqlite",
                "mysql": "mysql+pymysql://root@127.0.0.1:1/vmotiond",
                "postgresql": "postgresql+psycopg2://postgres@127.0.0.1:1/x"}
        with open(conf_file, "w") as f:
            f.write("[database]\nconnection = %s\n" % urls[self.backend])
        result = self._manage(conf_file, "db", "sync")
        self.assertEqual(1, result.returncode)
        lines = [line for line in result.stderr.splitlines()
                 if "error:" in line]
        self.assertEqual(1, len(lines), result.stderr)
        self.assertIn("cannot be reached", lines[0])
        self.assertNotIn("Traceback", result.stderr)
