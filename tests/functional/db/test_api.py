"""The data API's tests on real MariaDB and PostgreSQL servers."""

from tests.unit.db import test_api


class ServerDataApiTest(test_api.DataApiTestBase):
    scenarios = [("mysql", {"backend": "mysql"}),
                 ("mysqlclient", {"backend": "mysqldb"}),
                 ("postgresql", {"backend": "postgresql"})]
