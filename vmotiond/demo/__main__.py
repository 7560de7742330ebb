import sys

from vmotiond.demo import scenario

sys.exit(scenario.main())
