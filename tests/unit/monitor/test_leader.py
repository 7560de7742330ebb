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
        self.assertEqual(1, elector.term)         # won once
        elector.stop()
        self.assertFalse(elector.is_leader)
        self.assertEqual([True, False], changes)
        self.assertEqual(1, elector.term)

    def test_every_lead_won_is_a_new_term(self) -> None:
        fx = self.useFixture(conf_fixture.Conf())
        elector = leader.LeaderElector(fx.conf, member_id="solo")
        self.assertEqual(0, elector.term)
        elector.start()
        self.addCleanup(elector.stop)
        self.assertTrue(elector.tick())
        elector._step_down()                     # the lease was lost
        self.assertFalse(elector.is_leader)
        self.assertTrue(elector.tick())          # and won again
        self.assertEqual(2, elector.term)

    def test_url_untouched_for_file(self) -> None:
        fx = self.useFixture(conf_fixture.Conf())
        self.assertTrue(leader.backend_url(fx.conf).startswith("file://"))
