"""The counts of ``/metrics`` read an index only on MariaDB, whatever the
size of the tables: checked with EXPLAIN, not with a clock."""

import sqlalchemy as sa
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from vmotiond import constants
from vmotiond.db import stats

INDEXES = {
    "notifications": "notifications_type_status_deleted_idx",
    "vmoves": "vmoves_type_status_deleted_idx",
    "alerts": "alerts_type_deleted_idx",
}


class TestCountsUseTheirIndex(testtools.TestCase):

    def test_explain_names_the_index_and_no_table_read(self) -> None:
        conf = self.useFixture(conf_fixture.Conf()).conf
        database = self.useFixture(db_fixture.Database("mysql",
                                                       conf)).database
        for index in range(20):
            notification = database.notification_create(
                constants.COMPUTE_HOST, "compute-%d" % index,
                "stats-%d" % index, {})
            database.vmoves_create(notification.uuid, [{
                "instance_uuid": "30000000-0000-4000-8000-%012d" % index,
                "type": constants.EVACUATION,
                "status": constants.VMOVE_STATUSES[index % 5]}])
            database.alert_create("flapping", "test", "seen")
        with database.engine.connect() as connection:
            connection.execute(sa.text(
                "ANALYZE TABLE notifications, vmoves, alerts")).all()
            for name, index in INDEXES.items():
                sql = str(stats.QUERIES[name].compile(
                    dialect=connection.dialect,
                    compile_kwargs={"literal_binds": True}))
                (plan,) = connection.execute(
                    sa.text("EXPLAIN " + sql)).mappings().all()
                self.assertEqual(index, plan["key"], (name, dict(plan)))
                self.assertIn("Using index", plan["Extra"], (name, plan))
                self.assertNotIn("filesort", plan["Extra"], (name, plan))
        counts = database.status_counts()
        self.assertEqual({(constants.EVACUATION, status): 4
                          for status in constants.VMOVE_STATUSES},
                         counts.vmoves)
        self.assertEqual({("flapping",): 20}, counts.alerts)
