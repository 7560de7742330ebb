"""``vmotiond-monitor``: the host monitor, for split deployments."""

from typing import Any

from oslo_config import cfg

from vmotiond import bootstrap
from vmotiond import clock as clock_mod
from vmotiond.cmd import _daemon
from vmotiond.cmd import _errors


def _parts(conf: cfg.ConfigOpts, clock: clock_mod.Clock,
           transport: Any) -> list[bootstrap.Part]:
    database = bootstrap.open_database(conf, clock)
    cloud = bootstrap.open_cloud(conf, clock)
    return [bootstrap.monitor_part(conf, cloud, database, clock, transport)]


@_errors.one_line_errors
def main() -> int:
    return _daemon.run("vmotiond-monitor", "vmotiond's host monitor.",
                       _parts)
