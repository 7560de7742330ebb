"""MySQL/MariaDB connections talk utf8mb4 unless the URL says otherwise."""

import testtools

from vmotiond.db import core


class CharsetTest(testtools.TestCase):

    def test_mysql_gets_utf8mb4(self) -> None:
        self.assertEqual(
            "mysql+pymysql://u:p@127.0.0.1/v?charset=utf8mb4",
            core.with_charset("mysql+pymysql://u:p@127.0.0.1/v"))
        self.assertEqual(
            "mysql+mysqldb://u:p@db/v?charset=utf8mb4&read_timeout=5",
            core.with_charset("mysql+mysqldb://u:p@db/v?read_timeout=5"))

    def test_a_named_charset_and_other_backends_are_kept(self) -> None:
        for url in ("mysql+pymysql://u@db/v?charset=utf8",
                    "sqlite:////tmp/v.sqlite",
                    "postgresql+psycopg2://u@db/v", None, ""):
            self.assertEqual(url, core.with_charset(url))
