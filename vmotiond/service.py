"""Running vmotiond's parts in one process until a signal stops them.

A part is anything with ``start()`` and ``stop(timeout)``: the monitor, the
engine, the API server. The launcher starts them in order, tells systemd it
is ready, and on SIGTERM or SIGINT stops them in reverse order within a
bounded time: first it calls every part's optional ``interrupt()`` (the
engine's steps in flight return at once, their vmoves left ``ongoing`` for
the next start), then each ``stop(timeout)``. SIGHUP re-reads the mutable
options (log levels).
"""

from collections.abc import Sequence
import signal
import threading
import types
from typing import Protocol

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import systemd

LOG = logging.getLogger(__name__)


class Part(Protocol):
    name: str

    def start(self) -> None: ...

    def stop(self, timeout: float) -> None: ...


def _interrupt(part: Part) -> None:
    """Call the part's optional ``interrupt()`` (quick: in-flight work
    returns with its state persisted), logging its failure."""
    interrupt = getattr(part, "interrupt", None)
    if interrupt is None:
        return
    try:
        interrupt()
    except Exception:
        LOG.exception("Interrupting %s failed", part.name)


class Launcher:
    """Starts parts, waits for a stop signal, stops them."""

    def __init__(self, conf: cfg.ConfigOpts, parts: Sequence[Part],
                 stop_timeout: float = 60.0) -> None:
        self._conf = conf
        self._parts = list(parts)
        self._stop_timeout = stop_timeout
        self._exit = threading.Event()
        self._reload = threading.Event()
        self._started: list[Part] = []

    def install_signal_handlers(self) -> None:
        """Route SIGTERM/SIGINT to stop and SIGHUP to reload."""
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGHUP, self._on_reload_signal)

    def _on_stop_signal(self, signum: int,
                        frame: types.FrameType | None) -> None:
        self._exit.set()

    def _on_reload_signal(self, signum: int,
                          frame: types.FrameType | None) -> None:
        self._reload.set()
        self._exit.set()

    def request_stop(self) -> None:
        """Ask the launcher to stop, as SIGTERM does."""
        self._exit.set()

    def run(self) -> None:
        """Start every part, serve until asked to stop, then stop them."""
        try:
            for part in self._parts:
                LOG.info("Starting %s", part.name)
                part.start()
                self._started.append(part)
            systemd.ready(", ".join(p.name for p in self._parts) + " up")
            LOG.info("vmotiond is running: %s",
                     ", ".join(p.name for p in self._parts))
            self._serve()
        finally:
            systemd.stopping()
            self._stop_started()

    def _serve(self) -> None:
        while True:
            self._exit.wait()
            if not self._reload.is_set():
                return
            self._reload.clear()
            self._exit.clear()
            LOG.info("SIGHUP: re-reading mutable options")
            self._conf.mutate_config_files()

    def _stop_started(self) -> None:
        # First every part's work in flight, at once; then the parts, one
        # by one, in reverse start order.
        for part in reversed(self._started):
            _interrupt(part)
        for part in reversed(self._started):
            LOG.info("Stopping %s (at most %.0f s)", part.name,
                     self._stop_timeout)
            try:
                part.stop(self._stop_timeout)
            except Exception:
                LOG.exception("Stopping %s failed", part.name)
        self._started.clear()
        LOG.info("vmotiond stopped")
