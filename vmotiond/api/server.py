"""The embedded production WSGI server (cheroot), for ``vmotiond-api``.

``start()`` binds and serves in a thread and returns the bound address;
``stop()`` stops accepting, finishes the requests in flight and returns.
"""

from collections.abc import Callable
import threading
from typing import Any

from cheroot import wsgi
from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import exception

LOG = logging.getLogger(__name__)


class Server:
    """cheroot's thread-pool server around one WSGI application."""

    def __init__(self, conf: cfg.ConfigOpts, application: Callable[..., Any],
                 host: str | None = None, port: int | None = None,
                 reuse_port: bool = False) -> None:
        self._host = host if host is not None else conf.api.bind_host
        self._port = port if port is not None else conf.api.bind_port
        self._server = wsgi.Server(
            (self._host, self._port), application,
            numthreads=conf.api.threads,
            request_queue_size=conf.api.backlog,
            timeout=conf.api.client_socket_timeout,
            server_name="vmotiond-api", reuse_port=reuse_port)
        self._thread: threading.Thread | None = None

    def start(self) -> tuple[str, int]:
        """Bind and serve in a thread; return ``(host, port)`` bound."""
        try:
            self._server.prepare()
        except OSError as exc:
            raise exception.ConfigError(
                reason="[api] cannot listen on %s:%s: %s"
                % (self._host, self._port, exc.strerror or exc)) from exc
        self._thread = threading.Thread(target=self._server.serve,
                                        name="vmotiond-api", daemon=True)
        self._thread.start()
        host, port = self._server.bind_addr[:2]
        LOG.info("vmotiond-api listening on %s:%s", host, port)
        return host, port

    def stop(self) -> None:
        """Stop serving and wait for the serving thread."""
        self._server.stop()
        if self._thread is not None:
            self._thread.join()
        LOG.info("vmotiond-api stopped")
