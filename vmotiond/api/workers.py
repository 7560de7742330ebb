"""Several server processes on one port, to use more than one core.

Each worker is a forked process running its own :class:`Server` with
``SO_REUSEPORT``, so the kernel spreads connections between them. The
parent only supervises: on stop it sends SIGTERM to every worker and waits;
if a worker dies, it stops the others and reports failure (systemd, or
whatever started it, restarts the service).
"""

from collections.abc import Callable
import os
import signal
import socket
import threading
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import exception
from vmotiond.api import server as server_mod

LOG = logging.getLogger(__name__)


def check_port(host: str, port: int) -> None:
    """Raise ConfigError if ``host:port`` cannot be bound for sharing."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise exception.ConfigError(
                reason="[api] cannot listen on %s:%s: %s"
                % (host, port, exc.strerror or exc)) from exc


class Workers:
    """Fork ``count`` workers serving ``application``; supervise them.

    Fork before starting any thread, and after disposing of the parent's
    database connections (each worker opens its own).
    """

    def __init__(self, conf: cfg.ConfigOpts,
                 application: Callable[..., Any], count: int) -> None:
        self._conf = conf
        self._application = application
        self._count = count

    def run(self, stop: threading.Event, poll: float = 0.5) -> int:
        """Serve until ``stop`` is set or a worker dies; return exit code."""
        check_port(self._conf.api.bind_host, self._conf.api.bind_port)
        pids = [self._fork() for _ in range(self._count)]
        LOG.info("vmotiond-api started %d workers: %s", len(pids), pids)
        failed = False
        while not failed and not stop.wait(poll):
            for pid in pids:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    LOG.error("Worker %s exited with status %s; stopping",
                              pid, os.waitstatus_to_exitcode(status))
                    pids.remove(pid)
                    failed = True
                    break
        for pid in pids:
            os.kill(pid, signal.SIGTERM)
        for pid in pids:
            os.waitpid(pid, 0)
        return 1 if failed else 0

    def _fork(self) -> int:
        pid = os.fork()
        if pid:
            return pid
        code = 0
        try:
            self._serve_in_child()
        except BaseException:
            LOG.exception("Worker %s failed", os.getpid())
            code = 1
        finally:
            os._exit(code)

    def _serve_in_child(self) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *args: stop.set())
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        server = server_mod.Server(self._conf, self._application,
                                   reuse_port=True)
        server.start()
        stop.wait()
        server.stop()
