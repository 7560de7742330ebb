"""The engine with its defaults on a real Nova without a network service."""

from tests.conformance.nova import base
from tests.functional.engine import no_network


class TestNoNetworkOnNova(no_network.NoNetworkEngineScenarios,
                          base.NovaTestCase):
    pass
