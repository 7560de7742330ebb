"""The numbers the host state machine decides with, read once from config."""

import dataclasses

from vmotiond.conf import defaults

_OPTION = defaults.Group("monitor")


@dataclasses.dataclass(frozen=True)
class Thresholds(defaults.Mirror):
    """Detection, damping and guard settings (see ``vmotiond.conf.monitor``).

    The defaults are the options' defaults.
    """

    heartbeat_threshold: float = _OPTION("heartbeat_threshold", float)
    down_grace: float = _OPTION("down_grace", float)
    down_observations: int = _OPTION("down_observations", int)
    lagging_threshold: float = _OPTION("lagging_threshold", float)
    probe_enabled: bool = _OPTION.derived("probe_driver", str,
                                          lambda driver: driver != "none")
    probe_failures: int = _OPTION("probe_failures", int)
    flap_window: float = _OPTION("flap_window", float)
    flap_threshold: int = _OPTION("flap_threshold", int)
    flap_hold_down: float = _OPTION("flap_hold_down", float)
    recovery_soak: float = _OPTION("recovery_soak", float)
    max_failing_share: float = _OPTION("max_failing_share", float)
    max_failing_hosts: int = _OPTION("max_failing_hosts", int)
    failure_window: float = _OPTION("failure_window", float)
    guard_hold_down: float = _OPTION("guard_hold_down", float)
    max_failing_share_per_zone: float = _OPTION(
        "max_failing_share_per_zone", float)
    max_failing_hosts_per_zone: int = _OPTION(
        "max_failing_hosts_per_zone", int)
    max_failing_share_per_aggregate: float = _OPTION(
        "max_failing_share_per_aggregate", float)
    max_failing_hosts_per_aggregate: int = _OPTION(
        "max_failing_hosts_per_aggregate", int)
    max_verdicts_per_cycle: int = _OPTION("max_verdicts_per_cycle", int)
