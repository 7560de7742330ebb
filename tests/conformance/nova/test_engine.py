"""The engine's mixed-state host failure against a real Nova."""

from tests.conformance.nova import base
from tests.functional.engine import scenario


class TestEngineOnNova(scenario.EngineScenarios, base.NovaTestCase):
    pass
