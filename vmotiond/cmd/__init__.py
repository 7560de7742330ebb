"""Console entry points; each wires parts together and nothing else."""

import warnings

# oslo.messaging imports oslo.service, which imports eventlet, which warns
# that it is deprecated. vmotiond never uses eventlet (native threads, see
# tests/unit/test_no_eventlet.py); an operator need not read that warning.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
