"""``vmotiond``: monitor, engine and REST API in one process.

For small clouds and the demo: the three parts share one database
connection pool and one message transport, so the in-process
``fake://`` transport is enough here; on it the API's operator actions
reach the engine's RPC server through one RPC transport they share.
"""

from typing import Any

from oslo_config import cfg

from vmotiond import bootstrap
from vmotiond import clock as clock_mod
from vmotiond import messaging
from vmotiond.cmd import _daemon
from vmotiond.cmd import _errors
from vmotiond.conf import metrics as metrics_conf


def parts(conf: cfg.ConfigOpts, clock: clock_mod.Clock, transport: Any,
          probe: Any = None, rpc_transport: Any = None
          ) -> list[bootstrap.Part]:
    """The all-in-one's parts, in start order.

    ``probe`` overrides the configured probe; ``rpc_transport`` lets a
    caller in this process reach the engine's RPC server on ``fake://``
    (made here when not given: the API asks on it).
    """
    database = bootstrap.open_database(conf, clock)
    cloud = bootstrap.open_cloud(conf, clock)
    if rpc_transport is None and messaging.is_in_process(conf):
        rpc_transport = messaging.rpc_transport(conf)
    return bootstrap.metrics_parts(
        conf, metrics_conf.all_in_one_port(conf)) + [
        bootstrap.engine_part(conf, cloud, database, clock, transport,
                              rpc_transport),
        bootstrap.monitor_part(conf, cloud, database, clock, transport,
                               probe=probe),
        bootstrap.api_part(conf, database, rpc_transport),
    ]


@_errors.one_line_errors
def main() -> int:
    return _daemon.run("vmotiond", "vmotiond all-in-one: host monitor, "
                       "recovery engine and REST API.", parts, alone=True)
