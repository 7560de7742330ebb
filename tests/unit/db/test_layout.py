"""The data API's layout: small modules, one query path per resource."""

import pathlib

import testtools

from vmotiond.db import api as db_api

MAX_LINES = 400


class LayoutTest(testtools.TestCase):

    def test_no_module_over_the_limit(self) -> None:
        top = pathlib.Path(db_api.__file__).parent
        long = {path.name: n for path in sorted(top.rglob("*.py"))
                if (n := len(path.read_text().splitlines())) > MAX_LINES}
        self.assertEqual({}, long)

    def test_database_is_the_resources_together(self) -> None:
        """The facade adds no method of its own: each lives with its
        resource."""
        from vmotiond.db import alerts
        from vmotiond.db import hosts
        from vmotiond.db import notifications
        from vmotiond.db import vmoves
        for part in (notifications.Notifications, vmoves.VMoves,
                     hosts.Hosts, alerts.Alerts):
            self.assertTrue(issubclass(db_api.Database, part), part)
        own = {name for name, value in vars(db_api.Database).items()
               if callable(value)}
        self.assertEqual(set(), own)
