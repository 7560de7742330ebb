"""The figures an ended notification adds to the metrics."""

import datetime
import types

import testtools

from vmotiond import constants as c
from vmotiond import metrics

T0 = datetime.datetime(2026, 1, 1)


def move(type_=c.EVACUATION, status=c.SUCCEEDED, start=0, end=60):
    return types.SimpleNamespace(
        type=type_, status=status,
        start_time=None if start is None else T0 + datetime.timedelta(
            seconds=start),
        end_time=None if end is None else T0 + datetime.timedelta(
            seconds=end))


BEAT = {"evidence": {"heartbeat": "2025-12-31T23:59:30Z"}}


class RecoveryFiguresTest(testtools.TestCase):

    def test_succeeded_evacuations_and_the_last_end(self):
        moves = [move(end=60), move(start=10, end=100),
                 move(status=c.FAILED, end=500),
                 move(type_=c.LIVE_MIGRATION, end=700),
                 move(start=None), move(end=None)]
        self.assertEqual(([60.0, 90.0], 130.0),
                         metrics.recovery_figures(c.COMPUTE_HOST, BEAT,
                                                  moves))

    def test_no_recovery_time_without_what_it_needs(self):
        for kind, body, moves in (
                (c.HOST_DRAIN, BEAT, [move()]),
                (c.COMPUTE_HOST, {}, [move()]),
                (c.COMPUTE_HOST, {"evidence": {"heartbeat": "garbage"}},
                 [move()]),
                (c.COMPUTE_HOST, {"evidence": None}, [move()]),
                (c.COMPUTE_HOST, BEAT, [move(status=c.FAILED)])):
            self.assertIsNone(
                metrics.recovery_figures(kind, body, moves)[1], kind)

    def test_host_states_every_known_state_reported(self):
        metrics.set_host_states([c.HOST_UP, c.HOST_UP, c.HOST_DOWN])
        value = metrics.REGISTRY.get_sample_value
        self.assertEqual(
            (2.0, 1.0, 0.0),
            tuple(value("vmotiond_monitor_hosts", {"monitor_state": s})
                  for s in (c.HOST_UP, c.HOST_DOWN, c.HOST_SUSPECT)))
