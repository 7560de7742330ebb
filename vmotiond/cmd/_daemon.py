"""What every vmotiond daemon does: load config, build parts, run them."""

from collections.abc import Callable
import sys
from typing import Any

from oslo_config import cfg

from vmotiond import bootstrap
from vmotiond import clock as clock_mod
from vmotiond import config
from vmotiond import messaging
from vmotiond import service
from vmotiond.cloud import base as cloud_base
from vmotiond.db import api as db_api

BuildParts = Callable[[cfg.ConfigOpts, clock_mod.Clock, Any],
                      list[bootstrap.Part]]
MakePart = Callable[[cfg.ConfigOpts, cloud_base.Cloud, db_api.Database,
                     clock_mod.Clock, Any], bootstrap.Part]


def one_part(make: MakePart, metrics_port: str) -> BuildParts:
    """The parts of a daemon of one part: its metrics endpoint when
    ``[metrics] <metrics_port>`` is set, then ``make``'s, on the
    configured database and cloud."""
    def build(conf: cfg.ConfigOpts, clock: clock_mod.Clock,
              transport: Any) -> list[bootstrap.Part]:
        database = bootstrap.open_database(conf, clock)
        cloud = bootstrap.open_cloud(conf, clock)
        return bootstrap.metrics_parts(
            conf, conf.metrics[metrics_port]) + [
                make(conf, cloud, database, clock, transport)]
    return build


def run(process: str, description: str, build: BuildParts,
        alone: bool = False) -> int:
    """Run the parts ``build`` makes until SIGTERM; return the exit code.

    ``alone`` is true for the all-in-one process, the only one for which
    the in-process message bus is enough.
    """
    conf = config.load(sys.argv[1:], description=description)
    if not alone:
        messaging.require_shared_transport(conf, process)
    clock = clock_mod.Clock()
    transport = messaging.notification_transport(conf)
    launcher = service.Launcher(conf, build(conf, clock, transport),
                                stop_timeout=conf.shutdown_timeout)
    launcher.install_signal_handlers()
    launcher.run()
    return 0
