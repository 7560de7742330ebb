"""A page's rows: times as the API shows them, read in one statement."""

import datetime

import testscenarios
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond.db import models
from vmotiond.db import paging

T0 = datetime.datetime(2026, 1, 31, 12, 0, 0)


class RowsTestBase(testscenarios.WithScenarios, testtools.TestCase):

    scenarios = [("sqlite", {"backend": "sqlite"})]

    def setUp(self) -> None:
        super().setUp()
        self.clock = clock_mod.FakeClock(T0)
        conf = self.useFixture(conf_fixture.Conf()).conf
        self.db = self.useFixture(db_fixture.Database(
            self.backend, conf, clock=self.clock)).database
        notification = self.db.notification_create(
            constants.COMPUTE_HOST, "node1", "k1", {})
        times = [(None, None),
                 (datetime.datetime(2026, 1, 31, 12, 0, 1, 5),
                  datetime.datetime(1999, 12, 31, 23, 59, 59, 999999)),
                 (datetime.datetime(2026, 2, 1, 0, 0, 0),
                  datetime.datetime(2026, 2, 1, 0, 0, 0, 100000))]
        for index, (start, end) in enumerate(times):
            self.clock.advance(0.000123)
            self.db.vmoves_create(notification.uuid, [{
                "instance_uuid": "inst-%d" % index, "source_host": "node1",
                "type": constants.EVACUATION, "start_time": start,
                "end_time": end}])
        self.db.vmove_update(self.db.vmove_list(sort_dir="asc")[0].uuid,
                             {"status": constants.ONGOING})

    def test_times_are_the_iso_text_of_the_stored_times(self) -> None:
        rows = self.db.vmove_list(rows=True)
        entities = self.db.vmove_list()
        self.assertEqual([m.uuid for m in entities],
                         [r["uuid"] for r in rows])
        times = [c.name for c in models.VMove.__table__.c
                 if c.name.endswith(("_at", "_time"))]
        self.assertEqual(5, len(times))
        for entity, row in zip(entities, rows, strict=True):
            for name in times:
                value = getattr(entity, name)
                expected = None if value is None else value.isoformat(
                    timespec="microseconds")
                self.assertEqual(expected, row[name], name)
        self.assertEqual("1999-12-31T23:59:59.999999", rows[1]["end_time"])
        self.assertEqual("2026-01-31T12:00:01.000005",
                         rows[1]["start_time"])

    def test_other_columns_keep_their_types(self) -> None:
        row = self.db.vmove_list(rows=True)[0]
        self.assertIs(False, row["deleted"])
        self.assertIsInstance(row["id"], int)
        self.assertIsInstance(row["priority"], int)

    def test_sorting_and_paging_use_the_times_not_their_text(self) -> None:
        rows = self.db.vmove_list(rows=True, sort_key="end_time",
                                  sort_dir="asc")
        self.assertEqual(["inst-0", "inst-1", "inst-2"],
                         [r["instance_uuid"] for r in rows])
        after = self.db.vmove_list(rows=True, sort_key="end_time",
                                   sort_dir="asc", marker=rows[0]["uuid"],
                                   limit=1)
        self.assertEqual(["inst-1"], [r["instance_uuid"] for r in after])


class IsoTimeTest(testtools.TestCase):

    def test_iso_time(self) -> None:
        self.assertIsNone(paging.iso_time(None))
        self.assertEqual("2026-01-31T12:00:00.000000",
                         paging.iso_time(T0))
        self.assertEqual("2026-01-31T12:00:00.000000",
                         paging.iso_time("2026-01-31T12:00:00.000000"))
