"""Console entry points; each wires parts together and nothing else."""

from vmotiond import native_threads  # noqa: F401
