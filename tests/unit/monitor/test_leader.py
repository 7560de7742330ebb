"""The leader elector on tooz's file:// backend (one machine)."""

import testtools

from tests.fixtures import conf as conf_fixture
from vmotiond.monitor import leader


class FileLeaderTest(testtools.TestCase):

    def test_single_member_leads_and_steps_down_on_stop(self) -> None:
        fx = self.useFixture(conf_fixture.Conf())
        changes: list[bool] = []
        elector = leader.LeaderElector(fx.conf, member_id="solo",
                                       on_change=changes.append)
        self.assertFalse(elector.tick())          # not started: no lead
        elector.start()
        self.addCleanup(elector.stop)
        self.assertTrue(elector.tick())
        self.assertTrue(elector.tick())           # renewing keeps it
        elector.stop()
        self.assertFalse(elector.is_leader)
        self.assertEqual([True, False], changes)
