"""vmotiond's benchmarks (``python -m bench``); they run its code as its
daemons do, on oslo.service's threading backend."""

from vmotiond import native_threads  # noqa: F401
