"""Reading a metrics endpoint as Prometheus does."""

import threading
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures import ports
from vmotiond import metrics


def serve(test):
    """Start ``vmotiond.metrics.Server`` on a free loopback port for
    ``test``; return its URL."""
    server = metrics.Server("127.0.0.1", ports.free_port())
    server.start()
    test.addCleanup(server.stop, 1.0)
    return "http://127.0.0.1:%d/metrics" % server.port


def samples(url):
    """{(name, sorted label items): value} of every sample served."""
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310
        text = answer.read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples}


def delta(before, after, name, **labels):
    """How much a sample grew between two scrapes."""
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def samples_when(url, done, timeout=30.0):
    """The samples served once ``done(samples)`` holds: the engine counts
    a notification's end just after it wrote it (fails after
    ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        got = samples(url)
        if done(got) or time.monotonic() >= deadline:
            return got
        threading.Event().wait(0.05)
