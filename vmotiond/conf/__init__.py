"""Every option of vmotiond, one module per group.

Each module has ``register_opts(conf)`` and ``list_opts()``; libraries get
the ``ConfigOpts`` passed in and never import a global.
"""

from oslo_config import cfg

from vmotiond.conf import api
from vmotiond.conf import cloud
from vmotiond.conf import coordination
from vmotiond.conf import database
from vmotiond.conf import default
from vmotiond.conf import engine
from vmotiond.conf import messaging
from vmotiond.conf import metrics
from vmotiond.conf import monitor

MODULES = (default, database, messaging, cloud, monitor, engine, api,
           coordination, metrics)

__all__ = ["MODULES", "register_opts"]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register every vmotiond option group on ``conf``."""
    for module in MODULES:
        module.register_opts(conf)
