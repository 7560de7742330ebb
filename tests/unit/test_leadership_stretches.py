"""How the three-controller scenarios read leadership from the logs."""

import datetime

import testtools

from tests.reliability import test_controllers as tc

T0 = datetime.datetime(2026, 11, 30, 22, 0, 0)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def line(kind: str, seconds: float, why: str = "") -> str:
    return ("2026-11-30 22:00:59.000 42 INFO vmotiond.monitor.leader [-] "
            "Monitor leadership of ctl-1 (term 2) %s %s%s" % (
                kind, at(seconds).isoformat(), ": " + why if why else ""))


class StretchesTest(testtools.TestCase):

    def test_closed_and_open_stretches(self) -> None:
        log = "\n".join([line("from", 0), "another line",
                         line("ended at", 2.5, "lease taken"),
                         line("from", 10)])
        self.assertEqual([(at(0), at(2.5)), (at(10), at(12))],
                         tc.stretches(log, at(12)))

    def test_an_instant_without_microseconds(self) -> None:
        log = line("from", 1) + "\n" + line("ended at", 3, "stopped")
        self.assertIn("T22:00:01\n", log)     # isoformat drops .000000
        self.assertEqual([(at(1), at(3))], tc.stretches(log, at(9)))

    def test_an_end_without_a_start_is_ignored(self) -> None:
        self.assertEqual([], tc.stretches(line("ended at", 3, "stopped"),
                                          at(9)))


class TwoLeaderSecondsTest(testtools.TestCase):

    def test_one_after_the_other_is_zero(self) -> None:
        self.assertEqual(0.0, tc.two_leader_seconds(
            [[(at(0), at(5))], [(at(5), at(9))], [(at(9.5), at(20))]]))

    def test_overlaps_are_summed_once(self) -> None:
        self.assertEqual(4.5, tc.two_leader_seconds(
            [[(at(0), at(5)), (at(10), at(12))],
             [(at(3), at(11))],
             [(at(4), at(6.5))]]))
