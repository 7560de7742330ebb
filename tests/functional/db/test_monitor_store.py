"""The monitor's store (batched saves, the switches and their mark, the
inventory sync without the ORM) on real MariaDB and PostgreSQL servers."""

import testscenarios

from tests.unit.monitor import test_store


class ServerMonitorStoreTest(testscenarios.WithScenarios,
                             test_store.DbStoreTest):
    scenarios = [("mysql", {"backend": "mysql"}),
                 ("mysqlclient", {"backend": "mysqldb"}),
                 ("postgresql", {"backend": "postgresql"})]
