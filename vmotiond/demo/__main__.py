import sys

import vmotiond.cmd  # noqa: F401  (first: it quiets eventlet's warning)
from vmotiond.demo import scenario

sys.exit(scenario.main())
