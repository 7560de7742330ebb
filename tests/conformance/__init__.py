"""Client-level scenarios run through vmotiond/cloud against a real Nova.

``nova/`` needs Nova and runs in its own virtualenv
(tools/nova-conformance.sh), so discovery from the main test run loads
nothing from here.
"""


def load_tests(loader, standard_tests, pattern):  # noqa: ANN001,ANN201
    return standard_tests
