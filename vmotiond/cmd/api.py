"""``vmotiond-api``: the REST API on the embedded server.

One worker runs like the other daemons (``vmotiond.service.Launcher``):
READY=1 and STOPPING=1 for systemd, SIGHUP re-reads the mutable options.
With ``[api] workers`` above 1 the parent forks the workers and supervises
them; it tells systemd it is ready once the port is known to be free, as
it forks them.
"""

import signal
import sys
import threading
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import bootstrap
from vmotiond import config
from vmotiond import service
from vmotiond import systemd
from vmotiond.api import deploy
from vmotiond.api import workers as workers_mod
from vmotiond.cmd import _errors
from vmotiond.db import api as db_api

LOG = logging.getLogger(__name__)


@_errors.one_line_errors
def main() -> int:
    conf = config.load(sys.argv[1:],
                       description="vmotiond's REST API.")
    database = db_api.Database(conf)
    database.check_connection()
    database.check_schema()
    if conf.api.workers > 1:
        return _run_workers(conf, database)
    launcher = service.Launcher(conf, [bootstrap.api_part(conf, database)],
                                stop_timeout=conf.shutdown_timeout)
    launcher.install_signal_handlers()
    launcher.run()
    return 0


def _run_workers(conf: cfg.ConfigOpts, database: db_api.Database) -> int:
    application = deploy.deploy(conf, database)
    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        LOG.info("Signal %s received: stopping", signum)
        stop.set()

    def _on_reload(signum: int, frame: Any) -> None:
        # Forked workers inherit this handler and reload on their own
        # SIGHUP; the parent's only reloads its own options.
        LOG.info("SIGHUP: re-reading mutable options")
        conf.mutate_config_files()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGHUP, _on_reload)
    workers_mod.check_port(conf.api.bind_host, conf.api.bind_port)
    # Each worker opens its own connections after the fork.
    database.dispose()
    systemd.ready("api up, %d workers" % conf.api.workers)
    try:
        return workers_mod.Workers(conf, application,
                                   conf.api.workers).run(stop)
    finally:
        systemd.stopping()
