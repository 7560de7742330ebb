"""The migration tests on real MariaDB and PostgreSQL servers."""

from tests.unit.db import test_migration


class ServerMigrationsTest(test_migration.MigrationsTestBase):
    scenarios = [("mysql", {"backend": "mysql"}),
                 ("postgresql", {"backend": "postgresql"})]
