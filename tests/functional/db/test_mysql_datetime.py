"""Every MariaDB connection of the data API decodes DATETIME in C."""

import datetime

import sqlalchemy as sa
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from vmotiond.db import mysql_datetime

DATETIME = 12


class MariaDBDecoderTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        conf = self.useFixture(conf_fixture.Conf()).conf
        self.db = self.useFixture(
            db_fixture.Database("mysql", conf)).database

    def _decoder(self, connection: sa.Connection) -> object:
        driver = connection.connection.driver_connection
        return driver.decoders[DATETIME]  # type: ignore[union-attr]

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
