"""The numbers the host state machine decides with, read once from config."""

import dataclasses

from oslo_config import cfg

from vmotiond.conf import defaults

_DEFAULT = defaults.Group("monitor")


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """Detection, damping and guard settings (see ``vmotiond.conf.monitor``).

    The defaults are the options' defaults.
    """

    heartbeat_threshold: float = _DEFAULT("heartbeat_threshold", float)
    down_grace: float = _DEFAULT("down_grace", float)
    down_observations: int = _DEFAULT("down_observations", int)
    lagging_threshold: float = _DEFAULT("lagging_threshold", float)
    probe_enabled: bool = _DEFAULT("probe_driver", str) != "none"
    probe_failures: int = _DEFAULT("probe_failures", int)
    flap_window: float = _DEFAULT("flap_window", float)
    flap_threshold: int = _DEFAULT("flap_threshold", int)
    flap_hold_down: float = _DEFAULT("flap_hold_down", float)
    recovery_soak: float = _DEFAULT("recovery_soak", float)
    max_failing_share: float = _DEFAULT("max_failing_share", float)
    max_failing_hosts: int = _DEFAULT("max_failing_hosts", int)
    failure_window: float = _DEFAULT("failure_window", float)
    guard_hold_down: float = _DEFAULT("guard_hold_down", float)

    @classmethod
    def from_conf(cls, conf: cfg.ConfigOpts) -> "Thresholds":
        """Build from the [monitor] group of ``conf``."""
        m = conf.monitor
        return cls(
            heartbeat_threshold=m.heartbeat_threshold,
            down_grace=m.down_grace,
            down_observations=m.down_observations,
            lagging_threshold=m.lagging_threshold,
            probe_enabled=m.probe_driver != "none",
            probe_failures=m.probe_failures,
            flap_window=m.flap_window,
            flap_threshold=m.flap_threshold,
            flap_hold_down=m.flap_hold_down,
            recovery_soak=m.recovery_soak,
            max_failing_share=m.max_failing_share,
            max_failing_hosts=m.max_failing_hosts,
            failure_window=m.failure_window,
            guard_hold_down=m.guard_hold_down,
        )
