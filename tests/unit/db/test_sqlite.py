"""SQLite set up for concurrent readers: WAL and a busy timeout."""

import os
import sqlite3
import threading

import fixtures
import sqlalchemy as sa
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

    def test_a_write_after_a_read_waits_instead_of_failing(self) -> None:
        """Another connection writing between a transaction's read and its
        write: with BEGIN IMMEDIATE the other one waits its turn; with a
        plain BEGIN this transaction's write failed at once, "database is
        locked", whatever the busy timeout."""
        db = self.database()
        db.notification_create(constants.COMPUTE_HOST, "h", "k0", {})
        other_failed: list[BaseException] = []

        def other_write() -> None:
            try:
                db.notification_create(constants.COMPUTE_HOST, "h", "k1", {})
            except BaseException as exc:
                other_failed.append(exc)

        other = threading.Thread(target=other_write)
        with db._writer() as session:
            self.assertEqual(1, session.execute(sa.text(
                "SELECT count(*) FROM notifications")).scalar())
            other.start()
            # The other write either waits for this transaction (it has
            # the write lock) or, without it, commits meanwhile.
            other.join(0.5)
            session.execute(sa.text(
                "UPDATE notifications SET status = 'error' "
                "WHERE dedup_key = 'k0'"))
        other.join(30)
        self.assertEqual([], other_failed)
        self.assertEqual({"k0": "error", "k1": "new"}, {
            n.dedup_key: n.status for n in db.notification_list()})
