"""Bounded retries with exponential back-off on the injectable clock."""

from collections.abc import Callable
import threading
from typing import TypeVar

from oslo_log import log as logging

from vmotiond import clock as clock_mod
from vmotiond import exception
from vmotiond.cloud import errors

LOG = logging.getLogger(__name__)

T = TypeVar("T")


class Retrier:
    """Run a call, repeating it while it fails with a retryable error.

    The n-th retry waits ``min(backoff * 2**(n-1), backoff_max)`` seconds on
    ``clock``; setting ``stop`` ends the wait and the retries at once.
    """

    def __init__(self, clock: clock_mod.Clock, retries: int, backoff: float,
                 backoff_max: float,
                 stop: threading.Event | None = None) -> None:
        if retries < 0 or backoff < 0 or backoff_max < 0:
            raise ValueError("retries and back-offs must not be negative")
        self.clock = clock
        self.retries = retries
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.stop = stop or threading.Event()

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (from 1)."""
        return float(min(self.backoff * 2 ** (retry - 1), self.backoff_max))

    def run(self, attempt: Callable[[], T], what: str) -> T:
        """Return ``attempt()``, retried on retryable ``CloudError``s.

        Raises the last error once the retries are spent or ``stop`` is set.
        """
        retry = 0
        while True:
            try:
                return attempt()
            except exception.CloudError as error:
                if not errors.is_retryable(error):
                    raise
                if retry >= self.retries or self.stop.is_set():
                    LOG.warning("%s failed after %d attempt(s): %s",
                                what, retry + 1, error)
                    raise
                retry += 1
                delay = self.delay(retry)
                LOG.info("%s failed (%s); retry %d of %d in %.2f s",
                         what, error, retry, self.retries, delay)
                if self.clock.wait(self.stop, delay):
                    raise
