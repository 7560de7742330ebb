"""Independent probes: does the host itself answer, whatever Nova says?

A probe answers ``records.PROBE_ALIVE``, ``PROBE_DEAD`` or ``PROBE_UNKNOWN``
(no address, or the probe could not tell). Drivers:

- ``tcp``: connect to the management IP on the configured ports. A port
  that accepts *or actively refuses* (RST) proves the host's kernel runs,
  so only timeouts and unreachable errors count as dead.
- ``none``: no probe; the state machine then decides on heartbeats alone.

``CallableProbe`` wraps any ``host -> bool`` function (the simulator's
``SimCloud.probe`` in tests).
"""

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from concurrent import futures
import errno
import socket
from typing import Protocol

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import exception
from vmotiond.monitor import records

LOG = logging.getLogger(__name__)

# Errors that say nothing answered at that address.
_DEAD_ERRNOS = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH,
                          errno.EHOSTDOWN, errno.ETIMEDOUT})


class Probe(Protocol):
    def check(self, host: str, address: str | None) -> str:
        """Probe one host; return a ``records.PROBE_*`` answer."""
        ...


class NoProbe:
    """The ``none`` driver: never asked when probes are disabled."""

    def check(self, host: str, address: str | None) -> str:
        return records.PROBE_UNKNOWN


class TcpProbe:
    """TCP connect to ``address`` on each port until one proves life."""

    def __init__(self, ports: Sequence[int], timeout: float) -> None:
        if not ports:
            raise exception.ConfigError(reason="[monitor] probe_ports is "
                                               "empty")
        self.ports = tuple(ports)
        self.timeout = timeout

    def check(self, host: str, address: str | None) -> str:
        if not address:
            return records.PROBE_UNKNOWN
        answers = [self._connect(address, port) for port in self.ports]
        if records.PROBE_ALIVE in answers:
            return records.PROBE_ALIVE
        if all(a == records.PROBE_DEAD for a in answers):
            return records.PROBE_DEAD
        return records.PROBE_UNKNOWN

    def _connect(self, address: str, port: int) -> str:
        try:
            family = socket.getaddrinfo(address, port, 0,
                                        socket.SOCK_STREAM)[0][0]
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                code = sock.connect_ex((address, port))
        except TimeoutError:
            return records.PROBE_DEAD
        except OSError as exc:
            LOG.warning("Probe of %s:%s failed: %s", address, port, exc)
            return records.PROBE_UNKNOWN
        if code in (0, errno.ECONNREFUSED):
            return records.PROBE_ALIVE
        if code in _DEAD_ERRNOS or code == errno.EAGAIN:
            return records.PROBE_DEAD
        LOG.warning("Probe of %s:%s: unexpected error %s", address, port,
                    errno.errorcode.get(code, code))
        return records.PROBE_UNKNOWN


class CallableProbe:
    """Adapts a ``host -> bool`` function (True: the host answers)."""

    def __init__(self, answers: Callable[[str], bool]) -> None:
        self._answers = answers

    def check(self, host: str, address: str | None) -> str:
        try:
            alive = self._answers(host)
        except Exception:     # a probe must never break the monitor
            LOG.exception("Probe of %s failed", host)
            return records.PROBE_UNKNOWN
        return records.PROBE_ALIVE if alive else records.PROBE_DEAD


def from_conf(conf: cfg.ConfigOpts) -> Probe:
    """Build the probe driver ``[monitor] probe_driver`` names."""
    if conf.monitor.probe_driver == "none":
        return NoProbe()
    return TcpProbe(conf.monitor.probe_ports, conf.monitor.probe_timeout)


def probe_all(probe: Probe, targets: Mapping[str, str | None],
              executor: futures.Executor | None = None) -> dict[str, str]:
    """Probe every ``host -> address`` in parallel on ``executor``."""
    if not targets:
        return {}
    if executor is None:
        return {h: probe.check(h, a) for h, a in targets.items()}
    futures = {h: executor.submit(probe.check, h, a)
               for h, a in targets.items()}
    results = {}
    for host, future in futures.items():
        try:
            results[host] = future.result()
        except Exception:
            LOG.exception("Probe of %s failed", host)
            results[host] = records.PROBE_UNKNOWN
    return results
