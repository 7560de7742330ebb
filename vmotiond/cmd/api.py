"""``vmotiond-api``: the read-only REST API on the embedded server."""

import signal
import sys
import threading
from typing import Any

from oslo_log import log as logging

from vmotiond import config
from vmotiond.api import deploy
from vmotiond.api import server as server_mod
from vmotiond.api import workers as workers_mod
from vmotiond.cmd import _errors
from vmotiond.db import api as db_api

LOG = logging.getLogger(__name__)


@_errors.one_line_errors
def main() -> int:
    conf = config.load(sys.argv[1:],
                       description="vmotiond's read-only REST API.")
    database = db_api.Database(conf)
    database.check_connection()
    database.check_schema()
    application = deploy.deploy(conf, database)
    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        LOG.info("Signal %s received: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    if conf.api.workers > 1:
        # Each worker opens its own connections after the fork.
        database.dispose()
        return workers_mod.Workers(conf, application, conf.api.workers).run(
            stop)
    server = server_mod.Server(conf, application)
    server.start()
    stop.wait()
    server.stop()
    return 0
