"""Options of the [DEFAULT] group that belong to vmotiond itself."""

import socket

from oslo_config import cfg

OPTS: list[cfg.Opt] = [
    cfg.StrOpt(
        "host",
        default=socket.gethostname(),
        sample_default="<hostname>",
        help="Name of this vmotiond process's node, used in locks, "
             "leader election and logs."),
    cfg.StrOpt(
        "state_path",
        default="/var/lib/vmotiond",
        help="Directory where vmotiond keeps its state: the default SQLite "
             "database and file locks."),
    cfg.FloatOpt(
        "shutdown_timeout",
        default=60.0,
        min=0.0,
        help="Seconds each part of a vmotiond process gets to stop after "
             "SIGTERM. Steps still running then stay 'ongoing' and are "
             "resumed by the next start."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS)


def list_opts() -> dict[str | None, list[cfg.Opt]]:
    return {None: OPTS}
