"""Drain, custom batch migration and move-back against a real Nova."""

from tests.conformance.nova import base
from tests.functional.operations import scenario


class TestOperationsOnNova(scenario.OperationsScenarios, base.NovaTestCase):
    pass
