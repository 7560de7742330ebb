"""A database error inside a vmove's worker (issue 15, point 12).

On SQLite a write can fail with "database is locked", on a server the
connection can be lost. A vmove whose step write failed so is left to the
sweeper, which resumes it once the database answers; one whose worker
crashed otherwise is persisted as failed (that write retried on transient
errors); a notification is ``finished`` only when every vmove is final.
"""

import sqlite3
from unittest import mock

from oslo_db import exception as db_exc
import sqlalchemy as sa

from tests.unit.engine import base
from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond.db import retry as db_retry


def locked() -> sa.exc.OperationalError:
    """What SQLAlchemy (through oslo.db) raises for a busy SQLite file."""
    return sa.exc.OperationalError(
        "UPDATE vmove_steps SET status=?", {},
        sqlite3.OperationalError("database is locked"))


def _raise(exc: Exception) -> bool:
    raise exc


class Injector:
    """Makes chosen writes of ``db`` raise, and counts them."""

    def __init__(self, test, db, method, fails):
        self.real = getattr(db, method)
        self.fails = fails
        self.raised = 0
        patcher = mock.patch.object(db, method, self)
        patcher.start()
        test.addCleanup(patcher.stop)

    def __call__(self, *args, **kwargs):
        if self.fails(*args, **kwargs):
            self.raised += 1
            raise locked()
        return self.real(*args, **kwargs)


class LockedWriteTest(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.add_hosts()
        for name in ("a", "b", "c"):
            self.cloud.add_server(fakes.server(name=name, host="failed"),
                                  fip="fip-" + name)
        self.uuid = self.notify()
        self.ids = {s.name: s.id for s in self.cloud.servers.values()}

    def begins_b_evacuate(self, uuid, steps):
        """Whether a ``step_journal`` writes b's evacuate step begun: the
        write before b's evacuate call."""
        return self.b_vmove(uuid) and any(
            s.name == "evacuate" and s.step_id is None
            and s.status == constants.ONGOING for s in steps)

    def b_vmove(self, *args, **kwargs):
        return args and self.db.vmove_get(args[0]).instance_uuid == \
            self.ids["b"]

    def assert_settled(self):
        note = self.db.notification_get(self.uuid)
        moves = self.vmoves(self.uuid)
        self.assertTrue(all(v.status in constants.VMOVE_DONE_STATUSES
                            for v in moves.values()),
                        {n: v.status for n, v in moves.items()})
        return note, moves

    def test_locked_step_write_leaves_the_vmove_to_resume(self):
        once = iter([True])
        fail = Injector(self, self.db, "step_journal",
                        lambda uuid, steps, **kw: self.begins_b_evacuate(
                            uuid, steps) and next(once, False))
        mgr = self.make_manager()
        status = mgr.recovery.run(self.uuid)
        self.assertEqual(1, fail.raised)
        self.assertEqual(constants.NOTIFICATION_RUNNING, status)
        moves = self.vmoves(self.uuid)
        # Not ended (the write that failed was its claim: still pending).
        self.assertEqual(constants.PENDING, moves["b"].status)
        self.assertIsNone(moves["b"].end_time)
        for name in ("a", "c"):
            self.assertEqual(constants.SUCCEEDED, moves[name].status)
        # The sweeper takes it up: b is moved once, nothing failed.
        self.assertEqual([self.uuid], mgr.resume())
        note, moves = self.assert_settled()
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        self.assertEqual(constants.SUCCEEDED, moves["b"].status)
        self.assertEqual(1, self.cloud.count("evacuate_server",
                                             self.ids["b"]))

    def test_a_crash_is_recorded_failed_and_that_write_retried(self):
        Injector(self, self.db, "step_journal",
                 lambda uuid, steps, **kw: self.begins_b_evacuate(
                     uuid, steps) and _raise(ValueError("a bug")))
        ends = iter([True, True])
        fail = Injector(
            self, self.db, "step_journal",
            lambda uuid, steps, **kw: self.b_vmove(uuid)
            and (kw.get("vmove") or {}).get("status") == constants.FAILED
            and next(ends, False))
        status = self.make_manager().recovery.run(self.uuid)
        self.assertEqual(2, fail.raised)
        self.assertEqual(constants.NOTIFICATION_FAILED, status)
        note, moves = self.assert_settled()
        self.assertEqual("2 succeeded, 1 failed, 0 ignored", note.message)
        self.assertEqual(constants.FAILED, moves["b"].status)
        self.assertIn("ValueError: a bug", moves["b"].message)
        self.assertIsNotNone(moves["b"].end_time)

    def test_unrecordable_vmove_keeps_the_notification_running(self):
        broken = [True]
        Injector(self, self.db, "step_journal",
                 lambda uuid, *a, **kw: broken[0] and kw.get("vmove")
                 and self.b_vmove(uuid))
        mgr = self.make_manager()
        status = mgr.recovery.run(self.uuid)
        self.assertEqual(constants.NOTIFICATION_RUNNING, status)
        note = self.db.notification_get(self.uuid)
        self.assertEqual(constants.NOTIFICATION_RUNNING, note.status)
        self.assertEqual(constants.PENDING, self.vmoves(self.uuid)["b"].status)
        # The database is back: the sweeper's resume takes it up again.
        broken[0] = False
        self.assertEqual([self.uuid], mgr.resume())
        note, moves = self.assert_settled()
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        self.assertEqual(constants.SUCCEEDED, moves["b"].status)
        self.assertEqual(1, self.cloud.count("evacuate_server",
                                             self.ids["b"]))


class FinishedGuardTest(base.EngineTestCase):

    def test_finished_refused_while_a_vmove_is_not_final(self):
        uuid = self.notify()
        self.db.notification_set_status(uuid, constants.NOTIFICATION_RUNNING)
        [row] = self.db.vmoves_create(uuid, [{
            "instance_uuid": "i-1", "type": constants.EVACUATION,
            "status": constants.ONGOING}])
        self.assertFalse(self.db.notification_set_status(
            uuid, constants.NOTIFICATION_FINISHED,
            expected=(constants.NOTIFICATION_RUNNING,)))
        self.assertEqual(constants.NOTIFICATION_RUNNING,
                         self.db.notification_get(uuid).status)
        self.db.vmove_update(row.uuid, {"status": constants.SUCCEEDED})
        self.assertTrue(self.db.notification_set_status(
            uuid, constants.NOTIFICATION_FINISHED,
            expected=(constants.NOTIFICATION_RUNNING,)))


class TransientTest(base.EngineTestCase):

    def test_which_errors_are_transient(self):
        self.assertTrue(db_retry.is_transient(locked()))
        self.assertFalse(db_retry.is_transient(sa.exc.OperationalError(
            "SELECT", {}, sqlite3.OperationalError("no such table: x"))))
        self.assertFalse(db_retry.is_transient(ValueError("x")))

    def test_which_errors_are_permanent(self):
        self.assertFalse(db_retry.is_permanent(locked()))
        self.assertTrue(db_retry.is_permanent(db_exc.DBDataError("too long")))
        wrapped = db_exc.DBError(sa.exc.IntegrityError(
            "INSERT", {}, ValueError("duplicate key")))
        self.assertTrue(db_retry.is_permanent(wrapped))
        self.assertFalse(db_retry.is_permanent(ValueError("x")))

    def test_first_line_is_the_drivers_and_bounded(self):
        self.assertEqual("database is locked", db_retry.first_line(locked()))
        long = db_exc.DBError(ValueError("x" * 500 + "\nsecond line"))
        line = db_retry.first_line(long)
        self.assertEqual(300, len(line))
        self.assertTrue(line.endswith("..."))
        self.assertEqual("ValueError", db_retry.first_line(ValueError("")))
