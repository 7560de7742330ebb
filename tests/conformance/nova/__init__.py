"""Conformance against a real Nova; only for the Nova virtualenv.

Nova's monkey patching must run before anything imports eventlet or the
oslo libraries, so it happens here, when the package is first imported.
"""

import os

os.environ.setdefault("OS_NOVA_DISABLE_EVENTLET_PATCHING", "1")

import nova.tests.functional  # noqa: E402,F401
