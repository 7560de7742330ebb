"""Which hosts the state machine need not judge in full this cycle.

At 10,000 hosts nearly every host is up, with a heartbeat Nova reported
before and nothing pending: ``evaluate`` would return its record as it
is, unless its heartbeat turned stale. Such a host is *steady*; only its
age is looked at (``state.evaluate``). ``ClusterState.steady`` keeps the
service and host records judged steady in the last cycle, so when Nova's
answer brings the very same service object (``convert.ServiceReader``
keeps it while the item is unchanged) the judgement is not redone.
Pure functions; ``tests/unit/monitor/test_state_shortcuts.py`` checks
that the shortcuts change nothing but the cost.
"""

from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence

from vmotiond import constants
from vmotiond.cloud import records as cloud_records
from vmotiond.monitor import heartbeat
from vmotiond.monitor import records
from vmotiond.verdict import confirm


def split(services: Sequence[cloud_records.ComputeService],
          previous: records.ClusterState,
          probes: Mapping[str, str],
          maintenance: Collection[str],
          ) -> tuple[list[records.HostRecord | None],
                     list[heartbeat.Split]]:
    """For each service: its host's record if the host is steady (else
    None), and ``confirm.heartbeat_of`` of it."""
    known, memo = previous.hosts, previous.steady
    steady: list[records.HostRecord | None] = []
    splits: list[heartbeat.Split] = []
    for svc in services:
        name = svc.host
        prev = known.get(name)
        memoed = memo.get(name)
        if prev is not None and (
                (memoed is not None and memoed[0] is svc
                 and memoed[1] is prev and name not in probes
                 and name not in maintenance)
                or is_steady(svc, prev, probes, maintenance)):
            steady.append(prev)
            splits.append((svc.updated_at, None))   # as heartbeat_of
        else:
            steady.append(None)
            splits.append(confirm.heartbeat_of(svc, prev))
    return steady, splits


def is_steady(svc: cloud_records.ComputeService, prev: records.HostRecord,
              probes: Mapping[str, str], maintenance: Collection[str]
              ) -> bool:
    """Whether the state machine's step would return ``prev`` unchanged,
    with no event, unless the heartbeat turned stale: the host is up
    with nothing pending (no damping, probe failure or write), not
    probed, and Nova shows the heartbeat and service fields it showed
    before (so ``confirm.heartbeat_of`` is ``(updated_at, None)``)."""
    return (prev.state == constants.HOST_UP
            and prev.heartbeat is not None
            and svc.updated_at == prev.heartbeat
            and prev.written_at is None
            and prev.heartbeat_seen_at is not None
            and prev.damped_until is None and prev.probe_failures == 0
            and prev.service_fields == (svc.status, svc.forced_down,
                                        svc.disabled_reason)
            and svc.host not in probes and svc.host not in maintenance
            and not svc.operator_disabled)
