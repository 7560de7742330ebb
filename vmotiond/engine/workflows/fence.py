"""Fencing a failed host: power it off (optional), then cut it off in Nova.

Order matters. Power fencing runs first when configured, up to ``[engine]
fence_attempts`` times (each bounded by ``fence_timeout``); a host the
driver reports already off is fenced. When every attempt fails the host
may still run its instances: nothing is changed in Nova
(``PowerFencingFailed``) and the recovery waits for an operator to confirm
the host off. Then the nova-compute service is forced down, and only then
disabled (disabling a service Nova still thinks up makes the API call the
dead compute and hang) with the recovery's reason
(``vmotiond.disabled_reason``). Each Nova call is skipped when already
done, so a resumed recovery fences again harmlessly; a service an operator
disabled keeps their reason.
"""

from collections.abc import Callable
from collections.abc import Mapping
import dataclasses
import shlex
import subprocess
import threading

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import addresses
from vmotiond import clock as clock_mod
from vmotiond import disabled_reason
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records
from vmotiond.db import api as db_api

LOG = logging.getLogger(__name__)

NO_ADDRESS = "neither [engine] ipmi_addresses nor the host's management IP"


def power_address(host: str, configured: Mapping[str, str],
                  management: Mapping[str, str | None]
                  ) -> tuple[str | None, str | None]:
    """The address power fencing reaches ``host`` at, or why none (pure).

    ``configured`` is ``[engine] ipmi_addresses``; ``management`` maps every
    host to its management IP, the fallback. A management IP that is not
    the host's own (``addresses.untrusted_addresses``: shared by several
    hosts, loopback, unspecified...) is refused: powering it off could stop
    another machine. Return ``(address, None)`` or ``(None, why)``.
    """
    if configured.get(host):
        return configured[host], None
    address = management.get(host)
    if not address:
        return None, NO_ADDRESS
    why = addresses.untrusted_addresses(management).get(address)
    if why:
        return None, ("the management IP %s is %s, not the host's own: set "
                      "[engine] ipmi_addresses for it" % (address, why))
    return address, None


@dataclasses.dataclass(frozen=True)
class FenceResult:
    """What fencing did, for the notification's record."""

    host: str
    power: str            # what the power driver did
    forced_down: bool     # this call forced it down (False: it was)
    disabled: bool        # this call disabled it (False: it was)
    service: records.ComputeService   # the service as fencing left it


class PowerDriver:
    """Powers a host off; ``fence`` raises FencingFailed when it cannot,
    and says "already powered off" when the host was."""

    name = "none"

    def fence(self, host: str, address: str | None,
              no_address: str = NO_ADDRESS) -> str:
        """Power ``host`` off at ``address``; ``no_address`` says why
        there is none."""
        return "no power fencing configured"


class CommandDriver(PowerDriver):
    """Runs an operator's command: exit status 0 means powered off, 2
    already powered off (fence agents' "off"), any other a failure."""

    name = "command"

    def __init__(self, command: str, timeout: float) -> None:
        if not command:
            raise exception.ConfigError(
                reason="[engine] fence_driver=command needs fence_command")
        self.command = command
        self.timeout = timeout

    def fence(self, host: str, address: str | None,
              no_address: str = NO_ADDRESS) -> str:
        if not address and "%(address)s" in self.command:
            raise exception.FencingFailed(
                host=host, reason="no address for %%(address)s: %s"
                % no_address)
        argv = [part % {"host": host, "address": address or ""}
                for part in shlex.split(self.command)]
        if _run(host, argv, self.timeout, off_status=ALREADY_OFF) is None:
            return "already powered off (%s exited %d)" % (argv[0],
                                                          ALREADY_OFF)
        return "powered off by %s" % argv[0]


class IpmiDriver(PowerDriver):
    """``ipmitool chassis power off``, then check it reports off."""

    name = "ipmi"

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        group = conf.engine
        self.username = group.ipmi_username
        self.password = group.ipmi_password
        self.interface = group.ipmi_interface
        self.timeout = group.fence_timeout

    def fence(self, host: str, address: str | None,
              no_address: str = NO_ADDRESS) -> str:
        if not address:
            raise exception.FencingFailed(
                host=host, reason="no BMC address: %s" % no_address)
        base = ["ipmitool", "-I", self.interface, "-H", address, "-U",
                self.username, "-E"]
        env = {"IPMI_PASSWORD": self.password, "PATH": "/usr/sbin:/usr/bin:"
               "/sbin:/bin"}
        status = base + ["chassis", "power", "status"]
        if "off" in str(_run(host, status, self.timeout, env)).lower():
            return "already powered off (BMC %s)" % address
        _run(host, base + ["chassis", "power", "off"], self.timeout, env)
        after = str(_run(host, status, self.timeout, env))
        if "off" not in after.lower():
            raise exception.FencingFailed(
                host=host,
                reason="BMC %s says: %s" % (address, after.strip()))
        return "powered off through BMC %s" % address


# The command driver's exit status for a host that was already off.
ALREADY_OFF = 2


def _run(host: str, argv: list[str], timeout: float,
         env: dict[str, str] | None = None,
         off_status: int | None = None) -> str | None:
    """``argv``'s output; None when it exits ``off_status``."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True,
                              timeout=timeout, env=env, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise exception.FencingFailed(host=host, reason=str(exc)) from exc
    if off_status is not None and done.returncode == off_status:
        return None
    if done.returncode != 0:
        raise exception.FencingFailed(
            host=host, reason="%s exited %d: %s" % (
                argv[0], done.returncode,
                (done.stderr or done.stdout).strip()[:200]))
    return done.stdout


def record(db: db_api.Database, service: records.ComputeService) -> None:
    """Write a compute service's switches to its host's row at once (the
    inventory sync would copy them only minutes later)."""
    try:
        db.host_update(service.host, {
            "service_state": service.state, "service_status": service.status,
            "forced_down": service.forced_down,
            "disabled_reason": service.disabled_reason})
    except exception.NotFound:
        LOG.debug("Host %s is not in the hosts table yet", service.host)


def power_driver(conf: cfg.ConfigOpts) -> PowerDriver:
    """Return the power driver ``[engine] fence_driver`` names."""
    name = conf.engine.fence_driver
    if name == "command":
        return CommandDriver(conf.engine.fence_command,
                             conf.engine.fence_timeout)
    if name == "ipmi":
        return IpmiDriver(conf)
    return PowerDriver()


class Fencer:
    """Fences hosts through a power driver (``power_off``), then Nova's
    os-services (``cut_off``)."""

    def __init__(self, cloud: cloud_base.Cloud, driver: PowerDriver,
                 clock: clock_mod.Clock, stop: threading.Event,
                 poll_interval: float = 1.0, timeout: float = 60.0,
                 attempts: int = 1) -> None:
        self.cloud = cloud
        self.driver = driver
        self.clock = clock
        self.stop = stop
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.attempts = attempts

    def power_off(self, host: str, address: str | None,
                  no_address: str = NO_ADDRESS,
                  attempted: Callable[[str], None] | None = None) -> str:
        """Power ``host`` off in up to ``attempts`` tries, each told to
        ``attempted``; what the driver did, or ``PowerFencingFailed``."""
        tries: list[str] = []
        for number in range(1, self.attempts + 1):
            try:
                power = self.driver.fence(host, address, no_address)
            except exception.FencingFailed as exc:
                tries.append("power fencing attempt %d/%d failed: %s"
                             % (number, self.attempts,
                                exc.kwargs.get("reason", exc)))
                LOG.warning("Host %s: %s", host, tries[-1])
                if attempted is not None:
                    attempted(tries[-1])
                continue
            LOG.info("Host %s: %s", host, power)
            if tries:
                power += " (attempt %d/%d)" % (number, self.attempts)
            return power
        raise exception.PowerFencingFailed(host, tries)

    def cut_off(self, host: str, reason: str, power: str) -> FenceResult:
        """Force ``host``'s service down, then disable it with ``reason``
        (rewriting a reason of vmotiond's, never an operator's)."""
        service = self._service(host)
        forced = False
        if not service.forced_down:
            self.cloud.force_down_service(service.id, host, True)
            forced = True
            service = self._wait(host, lambda s: s.forced_down, "forced down")
        disabled = False
        if not service.operator_disabled and \
                service.disabled_reason != reason:
            self.cloud.disable_service(service.id, host, reason)
            disabled = service.status != "disabled"
            service = dataclasses.replace(service, status="disabled",
                                          disabled_reason=reason)
        return FenceResult(host, power, forced, disabled, service)

    def mark(self, host: str, reason: str, was: disabled_reason.Reason
             ) -> records.ComputeService | None:
        """Rewrite the disabled reason of ``host`` to ``reason`` if it is
        ``was`` now; the service as left, or None when left alone."""
        service = self._service(host)
        if service.status != "disabled" or \
                disabled_reason.parse(service.disabled_reason) != was:
            return None
        self.cloud.disable_service(service.id, host, reason)
        return dataclasses.replace(service, disabled_reason=reason)

    def _service(self, host: str) -> records.ComputeService:
        for service in self.cloud.list_compute_services():
            if service.host == host:
                return service
        raise exception.FencingFailed(
            host=host, reason="Nova has no nova-compute service on it")

    def _wait(self, host: str,
              ok: Callable[[records.ComputeService], bool],
              what: str) -> records.ComputeService:
        """Poll os-services until ``ok(service)``; Nova applies at once."""
        deadline = self.clock.monotonic() + self.timeout
        while True:
            service = self._service(host)
            if ok(service):
                return service
            if self.clock.monotonic() >= deadline:
                raise exception.FencingFailed(
                    host=host, reason="service not %s after %.0f s"
                    % (what, self.timeout))
            if self.clock.wait(self.stop, self.poll_interval):
                raise exception.Interrupted(reason="stopping while fencing")
