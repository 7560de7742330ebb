"""Which host may receive instances: one rule for every kind of move. Pure.

A host receives instances in a recovery, a drain or a custom migration when
Nova knows its compute service, it is not in maintenance, no operator
disabled its service, the monitor trusts it, the service is up and not
forced down, it is enabled (or the host is a standby host that vmotiond
keeps disabled), it is in the instance's availability zone and Placement
reports its capacity. A service disabled with a reason that does not start
with ``constants.FENCE_REASON_PREFIX`` was disabled by an operator: that
host never receives instances, not even as a standby host.

A move-back refills the host an evacuation emptied: vmotiond clears its
own fence first, so its role, zone and capacity do not count and its
service may still be down or disabled by vmotiond; the monitor must have
it ``recovered`` or ``up`` (a host the monitor does not know must be up).
"""

import dataclasses

from vmotiond import constants
from vmotiond.cloud import records

# The kinds of move, named by the notification that makes them.
KINDS = (constants.COMPUTE_HOST, constants.HOST_DRAIN,
         constants.CUSTOM_MIGRATION, constants.MOVE_BACK)

# Monitor states in which a host must not receive instances.
NOT_TARGETS = (constants.HOST_SUSPECT, constants.HOST_DOWN,
               constants.HOST_FENCED, constants.HOST_RECOVERING,
               constants.HOST_MAINTENANCE, constants.HOST_DISABLED)
# Monitor states in which a host may take its instances back.
HEALTHY = (constants.HOST_RECOVERED, constants.HOST_UP)

# Why a host is refused (``Refusal.code``).
UNKNOWN = "unknown"
MAINTENANCE = "maintenance"
OPERATOR_DISABLED = "operator-disabled"
MONITOR = "monitor"
DOWN = "down"
DISABLED = "disabled"
ZONE = "zone"
CAPACITY = "capacity"
UNHEALTHY = "unhealthy"


@dataclasses.dataclass(frozen=True)
class HostFacts:
    """One host as Nova, the hosts table and Placement describe it.

    ``monitor_state`` None: the host is not in the hosts table (its role is
    then normal and it is not in maintenance).
    """

    service: records.ComputeService | None
    role: str = constants.ROLE_NORMAL
    maintenance: bool = False
    monitor_state: str | None = None
    capacity: records.HostCapacity | None = None


@dataclasses.dataclass(frozen=True)
class Refusal:
    """Why a host may not receive instances: a code and a sentence."""

    code: str
    message: str


def refusal(kind: str, host: HostFacts, zone: str | None = None
            ) -> Refusal | None:
    """Why ``host`` may not receive instances in a move of ``kind`` (one
    of ``KINDS``), or None when it may; ``zone``: the instance's
    availability zone (None: any)."""
    if kind not in KINDS:
        raise ValueError("unknown kind of move: %s" % kind)
    service = host.service
    if service is None:
        return Refusal(UNKNOWN, "Nova has no compute service on it")
    if host.maintenance:
        return Refusal(MAINTENANCE, "it is in maintenance")
    if service.operator_disabled:
        return Refusal(OPERATOR_DISABLED, "its compute service is disabled "
                       "(%s): an operator's, not vmotiond's"
                       % (service.disabled_reason or "no reason given"))
    if kind == constants.MOVE_BACK:
        return _unhealthy(service, host.monitor_state)
    if host.monitor_state in NOT_TARGETS:
        return Refusal(MONITOR, "the monitor has it %s" % host.monitor_state)
    if service.forced_down or service.state != "up":
        return Refusal(DOWN, "its compute service is down")
    if service.status != "enabled" and host.role != constants.ROLE_STANDBY:
        return Refusal(DISABLED, "its compute service is disabled (%s)"
                       % (service.disabled_reason or "no reason given"))
    if zone is not None and service.zone != zone:
        return Refusal(ZONE, "it is in availability zone %s, the instance "
                       "in %s" % (service.zone, zone))
    if host.capacity is None:
        return Refusal(CAPACITY, "Placement reports no capacity for it")
    return None


def _unhealthy(service: records.ComputeService, monitor_state: str | None
               ) -> Refusal | None:
    if monitor_state in HEALTHY:
        return None
    if monitor_state is None and service.state == "up" and \
            not service.forced_down:
        return None
    return Refusal(UNHEALTHY, "it is not healthy: the monitor has it %s "
                   "(move-back needs recovered or up)"
                   % (monitor_state or "unknown"))
