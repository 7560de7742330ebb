"""SQLite set up for concurrent readers: WAL and a busy timeout."""

import os
import sqlite3

import fixtures
import testtools

from tests.fixtures import conf as conf_fixture
from vmotiond import constants
from vmotiond.db import api as db_api


class SqliteTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.conf = self.useFixture(conf_fixture.Conf()).conf
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 "vmotiond.sqlite")

    def database(self, query: str = "") -> db_api.Database:
        db = db_api.Database(self.conf,
                             connection="sqlite:///" + self.path + query)
        self.addCleanup(db.dispose)
        db.sync()
        return db

    def pragma(self, db: db_api.Database, name: str) -> object:
        with db.engine.connect() as connection:
            return connection.exec_driver_sql("PRAGMA %s" % name).scalar()

    def test_wal_and_default_busy_timeout(self) -> None:
        db = self.database()
        self.assertEqual("wal", self.pragma(db, "journal_mode"))
        self.assertEqual(30000, self.pragma(db, "busy_timeout"))

    def test_busy_timeout_from_the_url(self) -> None:
        db = self.database("?timeout=0.25")
        self.assertEqual(250, self.pragma(db, "busy_timeout"))

    def test_a_reader_in_a_transaction_does_not_block_writes(self) -> None:
        db = self.database("?timeout=0.2")
        db.notification_create(constants.COMPUTE_HOST, "h", "k0", {})
        reader = sqlite3.connect(self.path, isolation_level=None)
        self.addCleanup(reader.close)
        reader.execute("BEGIN")
        self.assertEqual(1, reader.execute(
            "SELECT count(*) FROM notifications").fetchone()[0])
        # Another process reading, mid-transaction: writes go on.
        for number in range(1, 4):
            db.notification_create(constants.COMPUTE_HOST, "h",
                                   "k%d" % number, {})
        self.assertEqual(1, reader.execute(
            "SELECT count(*) FROM notifications").fetchone()[0])
        reader.execute("COMMIT")
        self.assertEqual(4, len(db.notification_list()))

    def test_memory_database_is_left_alone(self) -> None:
        db = db_api.Database(self.conf, connection="sqlite://")
        self.addCleanup(db.dispose)
        self.assertEqual("memory", self.pragma(db, "journal_mode"))
