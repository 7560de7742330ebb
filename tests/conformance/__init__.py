"""Client-level scenarios run through vmotiond/cloud against two targets.

``sim/`` runs them against the simulator in the main virtualenv; ``nova/``
needs a real Nova and runs in its own virtualenv (tools/nova-conformance.sh),
so discovery from the main test run loads ``sim`` only.
"""

import os


def load_tests(loader, standard_tests, pattern):  # noqa: ANN001,ANN201
    here = os.path.dirname(__file__)
    top = os.path.dirname(os.path.dirname(here))
    standard_tests.addTests(loader.discover(
        os.path.join(here, "sim"), pattern=pattern or "test*.py",
        top_level_dir=top))
    return standard_tests
