import testtools

from tests.unit.engine import fakes
from vmotiond.engine.deciding import ordering


class PriorityTest(testtools.TestCase):

    def test_priority_parsed(self):
        self.assertEqual(5, ordering.priority_of({"vmotion:priority": "5"}))
        self.assertEqual(-2, ordering.priority_of(
            {"vmotion:priority": " -2 "}))

    def test_missing_or_bad_gives_default(self):
        self.assertEqual(3, ordering.priority_of({}, 3))
        self.assertEqual(3, ordering.priority_of(
            {"vmotion:priority": "high"}, 3))

    def test_opted_out(self):
        for value in ("false", "False", "no", "0", "off"):
            self.assertTrue(ordering.opted_out({"vmotion:evacuate": value}))
        for value in ("true", "yes", "1", "on", "garbage"):
            self.assertFalse(ordering.opted_out({"vmotion:evacuate": value}))
        self.assertFalse(ordering.opted_out({}))



class OrderTest(testtools.TestCase):

    def test_priority_then_size_then_name(self):
        small = fakes.server(name="b", memory_mb=512)
        big = fakes.server(name="z", memory_mb=4096)
        tie = fakes.server(name="a", memory_mb=512)
        urgent = fakes.server(name="y", memory_mb=256)
        keyed = sorted([(0, small), (0, big), (0, tie), (9, urgent)],
                       key=lambda ps: ordering.sort_key(*ps))
        self.assertEqual(["y", "z", "a", "b"], [s.name for _p, s in keyed])
