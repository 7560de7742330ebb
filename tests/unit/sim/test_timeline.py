import datetime

import testtools

from vmotiond.sim import timeline

T0 = datetime.datetime(2026, 1, 1)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


class TestTimeline(testtools.TestCase):
    def test_fires_due_events_in_order_with_their_due_time(self) -> None:
        tl = timeline.Timeline()
        fired = []
        tl.at(at(5), lambda when: fired.append(("b", when)))
        tl.at(at(1), lambda when: fired.append(("a", when)))
        tl.at(at(9), lambda when: fired.append(("c", when)))
        self.assertEqual(2, tl.run_due(at(6)))
        self.assertEqual([("a", at(1)), ("b", at(5))], fired)
        self.assertEqual(at(9), tl.next_due())
        self.assertEqual(1, len(tl))

    def test_events_scheduled_by_events_fire_in_the_same_call(self) -> None:
        tl = timeline.Timeline()
        fired = []

        def first(when: datetime.datetime) -> None:
            fired.append(when)
            tl.at(when + datetime.timedelta(seconds=1), fired.append)

        tl.at(at(1), first)
        tl.run_due(at(10))
        self.assertEqual([at(1), at(2)], fired)
        self.assertIsNone(tl.next_due())

    def test_same_time_keeps_insertion_order(self) -> None:
        tl = timeline.Timeline()
        fired = []
        for name in "xyz":
            tl.at(at(1), lambda when, n=name: fired.append(n))
        tl.run_due(at(1))
        self.assertEqual(list("xyz"), fired)

    def test_after_queues_the_delay_after_the_start(self) -> None:
        tl = timeline.Timeline()
        fired = []
        tl.after("migrate", at(1), 2, fired.append)
        self.assertEqual(at(3), tl.next_due())
        tl.run_due(at(3))
        self.assertEqual([at(3)], fired)

    def test_held_kind_parks_until_its_release(self) -> None:
        tl = timeline.Timeline()
        fired = []
        tl.hold("migrate")
        tl.after("migrate", at(1), 2, lambda when: fired.append(("m", when)))
        tl.after("stop", at(1), 2, lambda when: fired.append(("s", when)))
        self.assertEqual({"migrate": 1}, tl.held())
        tl.run_due(at(100))
        self.assertEqual([("s", at(3))], fired)
        self.assertEqual(1, tl.release("migrate", at(100)))
        self.assertEqual({}, tl.held())
        self.assertEqual(at(102), tl.next_due())
        tl.run_due(at(102))
        self.assertEqual([("s", at(3)), ("m", at(102))], fired)

    def test_release_of_a_kind_not_held_queues_nothing(self) -> None:
        tl = timeline.Timeline()
        self.assertEqual(0, tl.release("migrate", at(1)))
        self.assertIsNone(tl.next_due())
        tl.hold("migrate")
        self.assertEqual({"migrate": 0}, tl.held())
