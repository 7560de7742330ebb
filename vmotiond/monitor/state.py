"""The host state machine: a pure function of one answer, records and time.

::

    up --stale--> suspect --K stale polls over the grace, probe fails--> down
     ^               |  \\--probe answers--> (process_failure, stays suspect)
     +----fresh------+
    down --forced down by the fence--> fenced
    down|fenced --fresh--> recovering --fresh for the soak--> recovered
    recovering --stale--> down|fenced (same incident, no new event)
    recovered --unfenced--> up;  recovered --stale--> suspect (new incident)
    any --operator--> maintenance | disabled  (watched, never recovered)

"fresh" and "stale" judge heartbeats only: a write of the fence or an
operator to the service record is none (see ``heartbeat``). A probe answer
``untrusted`` (the host's address is not its own) leaves heartbeats to
decide alone.

``host_down`` and ``host_recovered`` are decisions; they are withheld while
a guard holds (see ``guards``) or the host is damped for flapping, and the
host keeps its state so the decision is taken on a later cycle. A
``host_down`` is also withheld while its zone or aggregate is in a storm,
past the cycle's cap of verdicts, or held (``host_held``, once per
incident) while HA is paused over the host (see ``storm``).
"""

from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
import dataclasses
import datetime

from vmotiond import constants
from vmotiond.cloud import records as cloud_records
from vmotiond.monitor import guards
from vmotiond.monitor import heartbeat
from vmotiond.monitor import host_step
from vmotiond.monitor import records
from vmotiond.monitor import steady as steady_mod
from vmotiond.monitor import storm
from vmotiond.monitor.thresholds import Thresholds

__all__ = ["decide", "evaluate", "probe_candidates", "unsure", "unsure_of"]


def evaluate(services: Sequence[cloud_records.ComputeService] | None,
             probes: Mapping[str, str],
             previous: records.ClusterState,
             th: Thresholds,
             now: datetime.datetime,
             maintenance: Collection[str] = (),
             topo: storm.Topology | None = None,
             ) -> tuple[records.ClusterState, list[records.Event]]:
    """Run one cycle of the state machine.

    :param services: the nova-compute services of one os-services answer,
        or None when Nova could not be reached.
    :param probes: probe answers (``records.PROBE_*``) by host name; hosts
        that were not probed are absent.
    :param previous: the state the previous cycle returned.
    :param th: the thresholds.
    :param now: the monitor's clock (naive UTC).
    :param maintenance: hosts an operator put in maintenance.
    :param topo: hosts' zones and aggregates, and the paused scopes.
    :returns: the new state and the events of this cycle.
    """
    if services is None:
        return _unreachable(previous, th, now)
    return decide(steady_mod.prepare(services, previous, th, now,
                                     maintenance, probes), probes, topo)


def decide(plan: steady_mod.Plan, probes: Mapping[str, str],
           topo: storm.Topology | None = None
           ) -> tuple[records.ClusterState, list[records.Event]]:
    """``evaluate`` of the plan's answer with ``probes``: the hosts the
    plan left quiet keep their records, the others take a full step.

    A plan serves any probes of hosts it did not leave quiet (the
    manager's: it probes the hosts ``unsure`` of ``decide(plan, {})``),
    so the work that grows with the cloud is done once per cycle.
    """
    if not plan.quiet.keys().isdisjoint(probes):
        plan = steady_mod.prepare(plan.services, plan.previous, plan.th,
                                  plan.now, plan.maintenance, probes)
    previous, th, now, clock = plan.previous, plan.th, plan.now, plan.clock
    all_stale, maintenance = plan.all_stale, plan.maintenance
    threshold = th.heartbeat_threshold
    hosts = dict(plan.quiet)
    # Hosts judged in full, and quiet ones that turned suspect lately:
    # the only ones the guards may count as failing.
    judged = dict(plan.quiet_recent)
    candidates: dict[str, records.Event] = {}
    ages: dict[str, float] = {}
    events: list[records.Event] = []
    for svc, split, prev in plan.moving:
        obs = heartbeat.observe(svc, prev, clock, threshold, split)
        ages[svc.host] = obs.age
        if all_stale:
            # No heartbeat moved: nothing can be learnt about any host.
            hosts[svc.host] = judged[svc.host] = host_step.record_heartbeat(
                prev, svc.host, obs, now)
            continue
        rec, evs, cand = host_step.step(
            svc, prev, obs, probes.get(svc.host), clock, th, now,
            svc.host in maintenance)
        hosts[svc.host] = judged[svc.host] = rec
        events.extend(evs)
        if cand is not None:
            candidates[svc.host] = cand

    reasons = []
    if all_stale:
        reasons.append(records.REASON_ALL_STALE)
    # A quiet host is up, fresh and not lagging: watched, and failing
    # only when it turned suspect within the failure window.
    failing = guards.failing_hosts(judged, ages, probes, th, now)
    watched = len(hosts) - sum(
        1 for name, rec in judged.items()
        if rec.state in records.WATCHED_ONLY_STATES and hosts[name] is rec)
    if not all_stale and guards.mass_failure(len(failing), watched, th):
        reasons.append(records.REASON_MASS_FAILURE)
    evidence = {"failing": sorted(failing), "watched": watched,
                "freshest_heartbeat": host_step.iso(clock.freshest),
                "freshest_unchanged_for": clock.freshest_unchanged_for}
    guard_until, reasons_t, guarded, guard_events = guards.apply(
        previous, reasons, th, now, evidence)
    events[:0] = guard_events

    downs = [n for n, c in candidates.items() if c.kind == records.HOST_DOWN]
    holds = previous.domain_holds
    admitted: Collection[str] = downs
    if downs or holds or (failing and topo is not None):
        admission = storm.admit(
            downs, {n: (hosts[n].stale_since, n) for n in downs}, failing,
            hosts, holds, topo or _NO_TOPOLOGY, th, now)
        holds, admitted = admission.holds, frozenset(admission.decided)
        events.extend(_storm_alerts(admission, previous, failing, topo))
        for name, scope in admission.held.items():
            rec = hosts[name]
            if records.REASON_HA_PAUSED not in rec.reported:
                hosts[name] = records.evolve(rec, reported=rec.reported | {
                    records.REASON_HA_PAUSED})
                cand = candidates[name]
                events.append(records.Event(
                    records.HOST_HELD, host=name,
                    generation=cand.generation, reason=scope,
                    evidence={**cand.evidence, "paused": scope}))
    for name, cand in candidates.items():
        if guarded or (cand.kind == records.HOST_DOWN
                       and name not in admitted):
            continue
        hosts[name] = host_step.apply_decision(hosts[name], cand, now)
        events.append(cand)
    state = records.ClusterState(
        hosts=hosts, freshest=clock.freshest,
        freshest_seen_at=clock.freshest_seen_at, last_poll_at=now,
        guard_until=guard_until,
        guard_reasons=reasons_t, guarded=guarded, domain_holds=holds,
        steady=plan.memo)
    return state, events


_NO_TOPOLOGY = storm.Topology()


def _storm_alerts(admission: storm.Admission,
                  previous: records.ClusterState, failing: Collection[str],
                  topo: storm.Topology | None) -> list[records.Event]:
    """An alert for each zone or aggregate whose storm starts now."""
    members = topo.members if topo is not None else {}
    return [records.Event(
        records.ALERT, reason=records.REASON_DOMAIN_STORM,
        evidence={"domain": key,
                  "failing": sorted(set(failing) & members.get(key, set())),
                  "members": len(members.get(key, ()))})
        for key in admission.stormy if key not in previous.domain_holds]


def unsure_of(plan: steady_mod.Plan, state: records.ClusterState
              ) -> set[str]:
    """``unsure(state)`` for the state ``decide(plan, ...)`` made: only
    hosts the plan did not leave quiet (those are up) may be unsure."""
    return {svc.host for svc, _split, _prev in plan.moving
            if state.hosts[svc.host].state in _UNSURE}


def probe_candidates(services: Sequence[cloud_records.ComputeService],
                     previous: records.ClusterState,
                     th: Thresholds,
                     now: datetime.datetime,
                     maintenance: Collection[str] = ()) -> set[str]:
    """Hosts the manager should probe before calling ``evaluate``.

    Those that will be suspect or recovering in this cycle: a dry run of
    ``evaluate`` without probe answers.
    """
    if not th.probe_enabled:
        return set()
    state, _events = evaluate(services, {}, previous, th, now, maintenance)
    return unsure(state)


def unsure(state: records.ClusterState) -> set[str]:
    """Hosts of ``state`` a probe has a say on: suspect or recovering.

    When ``evaluate`` without probe answers leaves none, its result is
    the cycle's: no probe would be asked.
    """
    return {name for name, rec in state.hosts.items()
            if rec.state in _UNSURE}


_UNSURE = frozenset((constants.HOST_SUSPECT, constants.HOST_RECOVERING))


def _unreachable(previous: records.ClusterState, th: Thresholds,
                 now: datetime.datetime
                 ) -> tuple[records.ClusterState, list[records.Event]]:
    guard_until, reasons, guarded, events = guards.apply(
        previous, [records.REASON_NOVA_UNREACHABLE], th, now, {})
    state = dataclasses.replace(previous, guard_until=guard_until,
                                guard_reasons=reasons, guarded=guarded)
    return state, events
