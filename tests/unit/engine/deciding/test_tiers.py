import itertools

import testtools

from vmotiond.engine.deciding import tiers


class GateTest(testtools.TestCase):

    def test_every_case(self):
        # (unfinished, elapsed, timeout) -> verdict, wait
        for unfinished, elapsed, timeout in itertools.product(
                (0, 1, 7), (0.0, 299.5, 300.0, 900.0), (0.0, 300.0)):
            got = tiers.gate(unfinished, elapsed, timeout)
            if unfinished == 0:
                want = tiers.Gate(tiers.DONE)
            elif timeout == 0:
                want = tiers.Gate(tiers.UNGATED)
            elif elapsed >= timeout:
                want = tiers.Gate(tiers.TIMED_OUT)
            else:
                want = tiers.Gate(tiers.WAIT, timeout - elapsed)
            self.assertEqual(want, got, (unfinished, elapsed, timeout))
            self.assertEqual(want.verdict != tiers.WAIT, got.open)

    def test_wait_is_time_left(self):
        self.assertEqual(tiers.Gate(tiers.WAIT, 0.5),
                         tiers.gate(2, 599.5, 600.0))
        self.assertFalse(tiers.gate(2, 599.5, 600.0).open)
        self.assertTrue(tiers.gate(2, 600.0, 600.0).open)

    def test_notes(self):
        self.assertEqual(
            "tier 10 timed out after 600 s with 2 vmove(s) not final; "
            "tier 5 started",
            tiers.note(10, 5, tiers.Gate(tiers.TIMED_OUT), 2, 600.2))
        self.assertEqual(
            "tier 10 done after 42 s; tier 5 started",
            tiers.note(10, 5, tiers.Gate(tiers.DONE), 0, 42.0))
        self.assertEqual(
            "tier 5 started with 3 vmove(s) of tier 10 not final (no "
            "tier_timeout: no gate)",
            tiers.note(10, 5, tiers.Gate(tiers.UNGATED), 3, 1.0))
