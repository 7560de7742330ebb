"""The conformance scenarios against a real Nova."""

from tests.conformance import lock
from tests.conformance import scenarios
from tests.conformance.nova import base


class TestNova(scenarios.Scenarios, lock.LockScenarios,
               base.NovaTestCase):
    """Every scenario of ``tests.conformance.scenarios`` on Nova 34."""
