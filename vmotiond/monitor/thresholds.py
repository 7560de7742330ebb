"""The numbers the host state machine decides with, read once from config."""

import dataclasses

from oslo_config import cfg


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """Detection, damping and guard settings (see ``vmotiond.conf.monitor``).

    The defaults equal the shipped config defaults.
    """

    heartbeat_threshold: float = 14.0
    down_grace: float = 9.0
    down_observations: int = 3
    lagging_threshold: float = 11.0
    probe_enabled: bool = True
    probe_failures: int = 2
    flap_window: float = 120.0
    flap_threshold: int = 3
    flap_hold_down: float = 120.0
    recovery_soak: float = 60.0
    max_failing_share: float = 0.5
    max_failing_hosts: int = 0
    failure_window: float = 60.0
    guard_hold_down: float = 60.0

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
