"""Importing this module keeps eventlet out of the process.

vmotiond runs on native threads (tests/unit/test_no_eventlet.py), yet
eventlet is installed (oslo.service requires it) and gets imported for
nothing: oslo.messaging imports oslo.service, which loads its eventlet
backend unless told otherwise, and futurist imports eventlet whenever it
can. That is some 440 modules and about 30 MB in every daemon. This
module picks oslo.service's threading backend and makes ``import
eventlet`` fail, as if it were not installed; the entry points import it
before anything else: ``vmotiond.cmd`` (the console scripts) and
``vmotiond.api`` (also the WSGI script).
"""

import sys

from oslo_service import backend

if "eventlet" not in sys.modules:
    sys.modules["eventlet"] = None  # type: ignore[assignment]

try:
    backend.init_backend(backend.BackendType.THREADING)
except backend.exceptions.BackendAlreadySelected:
    # Only a program that imported oslo.messaging first gets here (a test
    # runner): its choice stands.
    pass
