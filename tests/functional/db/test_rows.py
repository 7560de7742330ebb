"""A page's rows on real MariaDB (both drivers) and PostgreSQL servers."""

from tests.unit.db import test_rows


class ServerRowsTest(test_rows.RowsTestBase):
    scenarios = [("mysql", {"backend": "mysql"}),
                 ("mysqlclient", {"backend": "mysqldb"}),
                 ("postgresql", {"backend": "postgresql"})]
