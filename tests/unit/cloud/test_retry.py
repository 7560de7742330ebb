import threading

import testtools

from vmotiond import clock
from vmotiond import exception
from vmotiond.cloud import retry


def _unavailable(retryable=True):
    return exception.CloudUnavailable(service="compute", call="list",
                                      reason="503", status=503,
                                      retryable=retryable)


class Flaky:
    def __init__(self, failures, error=_unavailable):
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error()
        return "ok"


class RetrierTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.clock = clock.FakeClock()

    def test_retries_with_doubling_backoff(self):
        retrier = retry.Retrier(self.clock, 3, 0.5, 10.0)
        call = Flaky(3)
        self.assertEqual("ok", retrier.run(call, "list"))
        self.assertEqual(4, call.calls)
        self.assertEqual(0.5 + 1.0 + 2.0, self.clock.monotonic())

    def test_gives_up_after_retries(self):
        retrier = retry.Retrier(self.clock, 2, 1.0, 10.0)
        call = Flaky(10)
        error = self.assertRaises(exception.CloudUnavailable,
                                  retrier.run, call, "list")
        self.assertEqual(503, error.status)
        self.assertEqual(3, call.calls)
        self.assertEqual(1.0 + 2.0, self.clock.monotonic())

    def test_backoff_is_capped(self):
        retrier = retry.Retrier(self.clock, 5, 1.0, 3.0)
        self.assertEqual([1.0, 2.0, 3.0, 3.0, 3.0],
                         [retrier.delay(n) for n in range(1, 6)])
        self.assertRaises(exception.CloudUnavailable, retrier.run,
                          Flaky(10), "list")
        self.assertEqual(12.0, self.clock.monotonic())

    def test_no_retry_of_final_errors(self):
        retrier = retry.Retrier(self.clock, 3, 1.0, 10.0)
        for error in (lambda: exception.CloudConflict(status=409),
                      lambda: exception.CloudNotFound(status=404),
                      lambda: _unavailable(retryable=False)):
            call = Flaky(1, error)
            self.assertRaises(exception.CloudError, retrier.run, call, "x")
            self.assertEqual(1, call.calls)
        self.assertEqual(0.0, self.clock.monotonic())

    def test_zero_retries(self):
        call = Flaky(1)
        self.assertRaises(exception.CloudUnavailable,
                          retry.Retrier(self.clock, 0, 1.0, 1.0).run,
                          call, "x")
        self.assertEqual(1, call.calls)

    def test_stop_ends_the_wait(self):
        stop = threading.Event()
        retrier = retry.Retrier(self.clock, 5, 1.0, 10.0, stop)
        call = Flaky(10)

        def attempt_then_stop():
            try:
                return call()
            finally:
                stop.set()

        self.assertRaises(exception.CloudUnavailable, retrier.run,
                          attempt_then_stop, "x")
        self.assertEqual(1, call.calls)
        self.assertEqual(0.0, self.clock.monotonic())

    def test_rejects_negative_settings(self):
        self.assertRaises(ValueError, retry.Retrier, self.clock, -1, 1, 1)
