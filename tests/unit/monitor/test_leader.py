"""The leader elector on tooz's file:// backend (one machine)."""

import datetime
import logging
import re
import threading

import fixtures
import testtools

from tests.fixtures import conf as conf_fixture
from vmotiond import clock as clock_mod
from vmotiond.monitor import leader


class StillClock(clock_mod.FakeClock):
    """Moves only when told: the elector's thread renews once, then
    waits for its exit."""

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait()


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
        elector._step_down("lease taken")        # the lease was lost
        self.assertFalse(elector.is_leader)
        self.assertTrue(elector.tick())          # and won again
        self.assertEqual(2, elector.term)

    def test_a_hanging_renewal_stops_the_lead_within_the_lease(self) -> None:
        fx = self.useFixture(conf_fixture.Conf())
        fx.set("lease_timeout", 10.0, "coordination")
        fx.set("heartbeat_interval", 1.0, "coordination")
        clock = StillClock()
        elected = threading.Event()
        elector = leader.LeaderElector(fx.conf, member_id="solo",
                                       clock=clock,
                                       on_change=lambda _lead: elected.set())
        elector.start()
        self.addCleanup(elector.stop)
        self.assertTrue(elected.wait(30), "never elected")
        clock.advance(8.9)                 # no renewal since: still leads
        self.assertTrue(elector.is_leader)
        clock.advance(0.2)                 # lease - heartbeat has passed
        self.assertFalse(elector.is_leader)
        self.assertTrue(elector.tick())    # a renewal brings it back
        clock.advance(8.9)
        self.assertTrue(elector.is_leader)

    def test_each_stretch_of_lead_is_logged_with_its_instants(self) -> None:
        log = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        fx = self.useFixture(conf_fixture.Conf())
        fx.set("lease_timeout", 10.0, "coordination")
        fx.set("heartbeat_interval", 1.0, "coordination")
        clock = StillClock()
        start = clock.now()
        elector = leader.LeaderElector(fx.conf, member_id="solo",
                                       clock=clock)
        elector.start()
        self.addCleanup(elector.stop)
        self.assertTrue(elector.tick())
        clock.advance(30)                  # the lease of 9 s ran out
        self.assertFalse(elector.is_leader)
        self.assertTrue(elector.tick())    # logs the lapse, leads again
        elector.stop()
        stretches = re.findall(
            r"Monitor leadership of solo \(term 1\) (from|ended at) "
            r"([0-9T:.-]+)(?:: (.*))?$", log.output, re.M)
        at = [(kind, datetime.datetime.fromisoformat(t), why)
              for kind, t, why in stretches]
        nine = start + datetime.timedelta(seconds=9)
        thirty = start + datetime.timedelta(seconds=30)
        self.assertEqual(
            [("from", start, ""),
             ("ended at", nine, "not renewed within its lease"),
             ("from", thirty, ""),
             ("ended at", thirty, "stopped")], at)
