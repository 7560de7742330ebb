"""Every MariaDB connection of the data API decodes DATETIME in C.

With either driver: PyMySQL and mysqlclient.
"""

import datetime
from typing import Any

import sqlalchemy as sa
import testscenarios
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from vmotiond.db import mysql_datetime

DATETIME = 12


class MariaDBDecoderTest(testscenarios.WithScenarios, testtools.TestCase):

    scenarios = [("pymysql", {"backend": "mysql"}),
                 ("mysqlclient", {"backend": "mysqldb"})]

    def setUp(self) -> None:
        super().setUp()
        conf = self.useFixture(conf_fixture.Conf()).conf
        self.db = self.useFixture(
            db_fixture.Database(self.backend, conf)).database

    def _decoder(self, connection: sa.Connection) -> object:
        driver: Any = connection.connection.driver_connection
        if self.backend == "mysqldb":
            return driver.converter[DATETIME]
        return driver.decoders[DATETIME]

    def test_pooled_connections_use_the_decoder(self) -> None:
        engine = self.db.engine
        with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                self.assertIsInstance(self._decoder(connection),
                                      mysql_datetime.Decoder)
                self.assertEqual(
                    datetime.datetime(2025, 3, 11, 10, 39, 54, 123456),
                    connection.execute(sa.text(
                        "SELECT CAST('2025-03-11 10:39:54.123456' "
                        "AS DATETIME(6))")).scalar_one())

    def test_microseconds_survive_a_round_trip(self) -> None:
        notification = self.db.notification_create(
            "COMPUTE_HOST", "node1", "key", {"host": "node1"})
        stored = self.db.notification_get(notification.uuid)
        self.assertEqual(notification.generated_time, stored.generated_time)
        self.assertIsInstance(stored.generated_time, datetime.datetime)
