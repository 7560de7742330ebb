"""Pages read on MariaDB: one statement each, and a dropped connection
costs the reader nothing."""


from oslo_db import exception as db_exc
import sqlalchemy as sa
import testscenarios
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from vmotiond import constants
from vmotiond.db import api as db_api
from vmotiond.db import page_reads


class PageReadsTest(testscenarios.WithScenarios, testtools.TestCase):

    scenarios = [("mysql", {"backend": "mysql"}),
                 ("mysqlclient", {"backend": "mysqldb"})]

    def setUp(self) -> None:
        super().setUp()
        self.conf = self.useFixture(conf_fixture.Conf()).conf
        self.fixture = self.useFixture(db_fixture.Database(self.backend,
                                                           self.conf))
        self.db = self.fixture.database
        notification = self.db.notification_create(
            constants.COMPUTE_HOST, "node1", "k1", {})
        self.db.vmoves_create(notification.uuid, [
            {"instance_uuid": "inst-%d" % i, "type": constants.EVACUATION}
            for i in range(3)])
        self.reads = self.db._page_reads
        self.assertIsNotNone(self.reads)

    def _session_counters(self) -> dict[str, int]:
        """What the server counted on the (one) pooled connection."""
        with self.reads.engine().connect() as connection:
            return {name: int(value) for name, value in
                    connection.exec_driver_sql(
                        "SHOW SESSION STATUS WHERE Variable_name IN "
                        "('Com_select', 'Com_rollback', 'Com_commit', "
                        "'Com_admin_commands', 'Com_begin')")}

    def test_a_page_is_one_statement_without_ping_or_rollback(self) -> None:
        self.db.vmove_list(rows=True, limit=2)
        before = self._session_counters()
        for _ in range(3):
            self.assertEqual(2, len(self.db.vmove_list(rows=True, limit=2)))
        after = self._session_counters()
        self.assertEqual({"Com_select": 3}, {
            name: after[name] - before[name] for name in after
            if after[name] != before[name]})

    def test_a_connection_the_server_dropped_is_replaced(self) -> None:
        self.db.vmove_list(rows=True)
        with self.reads.engine().connect() as connection:
            pooled = connection.exec_driver_sql(
                "SELECT CONNECTION_ID()").scalar_one()
        admin = sa.create_engine(db_fixture.ADMIN_URLS[self.backend])
        with admin.connect() as connection:
            connection.exec_driver_sql("KILL %d" % pooled)
        admin.dispose()
        self.assertEqual(3, len(self.db.vmove_list(rows=True)))

    def test_an_unreachable_server_is_a_connection_error(self) -> None:
        url = sa.engine.make_url(self.fixture.url).set(port=1)
        database = db_api.Database(self.conf, connection=str(url),
                                   max_retries=0)
        self.addCleanup(database.dispose)
        self.assertRaises(db_exc.DBConnectionError, database.vmove_list,
                          rows=True)


class ForUrlTest(testtools.TestCase):

    def test_mysql_only(self) -> None:
        self.assertIsNotNone(page_reads.for_url(
            "mysql+pymysql://u@h/d", {}))
        self.assertIsNotNone(page_reads.for_url(
            "mysql+mysqldb://u@h/d", {}))
        for url in ("sqlite:///x.sqlite", "sqlite://",
                    "postgresql+psycopg2://u@h/d"):
            self.assertIsNone(page_reads.for_url(url, {}))
