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
            hosts[svc.host] = judged[svc.host] = _record_heartbeat(
                prev, svc.host, obs, now)
            continue
        rec, evs, cand = _step(svc, prev, obs, probes.get(svc.host), clock,
                               th, now, svc.host in maintenance)
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
                "freshest_heartbeat": _iso(clock.freshest),
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
        hosts[name] = _apply_decision(hosts[name], cand, now)
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


def _record_heartbeat(prev: records.HostRecord | None, name: str,
                      obs: heartbeat.Observation,
                      now: datetime.datetime) -> records.HostRecord:
    rec = prev or records.HostRecord(host=name, since=now)
    if (rec.heartbeat == obs.heartbeat
            and rec.heartbeat_seen_at == obs.heartbeat_seen_at
            and rec.written_at == obs.written_at
            and rec.service_fields == obs.service_fields):
        return rec
    return records.evolve(rec, heartbeat=obs.heartbeat,
                               heartbeat_seen_at=obs.heartbeat_seen_at,
                               written_at=obs.written_at,
                               service_fields=obs.service_fields)


def _step(svc: cloud_records.ComputeService,
          prev: records.HostRecord | None,
          obs: heartbeat.Observation,
          probe: str | None,
          clock: heartbeat.HeartbeatClock,
          th: Thresholds,
          now: datetime.datetime,
          in_maintenance: bool,
          ) -> tuple[records.HostRecord, list[records.Event],
                     records.Event | None]:
    """One host's transition; returns (record, reports, decision)."""
    rec = _record_heartbeat(prev, svc.host, obs, now)
    if prev is None:
        rec = records.evolve(rec, state=constants.HOST_UP)
    if rec.damped_until is not None and not rec.damped(now):
        rec = records.evolve(rec, damped_until=None)
    if th.probe_enabled and probe == records.PROBE_DEAD:
        rec = records.evolve(rec, probe_failures=rec.probe_failures + 1)
    elif rec.probe_failures and (probe in (
            records.PROBE_ALIVE, records.PROBE_UNTRUSTED, None) or (
            not th.probe_enabled)):
        rec = records.evolve(rec, probe_failures=0)

    if in_maintenance:
        return _watch_only(rec, constants.HOST_MAINTENANCE, now), [], None
    if svc.operator_disabled:
        return _watch_only(rec, constants.HOST_DISABLED, now), [], None
    if rec.state in records.WATCHED_ONLY_STATES:
        rec = _to(_reset(rec), constants.HOST_UP, now)

    state = rec.state
    if state in (constants.HOST_UP, constants.HOST_RECOVERED):
        if obs.stale:
            return _enter_suspect(rec, th, now)
        if state == constants.HOST_RECOVERED and _unfenced(svc):
            return _to(_reset(rec), constants.HOST_UP, now), [], None
        return rec, [], None
    if state == constants.HOST_SUSPECT:
        if not obs.stale:
            return _to(_reset(rec), constants.HOST_UP, now), [], None
        return _suspect(svc, rec, obs, probe, clock, th, now)
    if state in records.DECIDED_STATES:
        if not obs.stale:
            rec = records.evolve(rec, healthy_since=now)
            return _to(rec, constants.HOST_RECOVERING, now), [], None
        target = (constants.HOST_FENCED if svc.forced_down
                  else constants.HOST_DOWN)
        return _to(rec, target, now), [], None
    # recovering
    if obs.stale:
        target = (constants.HOST_FENCED if svc.forced_down
                  else constants.HOST_DOWN)
        rec = records.evolve(rec, healthy_since=None)
        return _to(rec, target, now), [], None
    if th.probe_enabled and probe == records.PROBE_DEAD:
        return records.evolve(rec, healthy_since=now), [], None
    healthy_since = rec.healthy_since or now
    rec = records.evolve(rec, healthy_since=healthy_since)
    if _seconds(now - healthy_since) >= th.recovery_soak:
        return rec, [], records.Event(
            records.HOST_RECOVERED, host=svc.host,
            generation=rec.generation,
            evidence={"heartbeat": _iso(rec.heartbeat),
                      "healthy_for": _seconds(now - healthy_since),
                      "probe": probe or "none"})
    return rec, [], None


def _enter_suspect(rec: records.HostRecord, th: Thresholds,
                   now: datetime.datetime
                   ) -> tuple[records.HostRecord, list[records.Event],
                              None]:
    window_start = now - datetime.timedelta(seconds=th.flap_window)
    entries = tuple(t for t in rec.suspect_entries if t > window_start)
    entries += (now,)
    rec = records.evolve(
        _reset(rec), suspect_entries=entries, stale_since=now, stale_count=1,
        probe_failures=rec.probe_failures, damped_until=rec.damped_until)
    events = []
    if len(entries) >= th.flap_threshold:
        if not rec.damped(now):
            events.append(records.Event(
                records.ALERT, host=rec.host, reason=records.REASON_FLAPPING,
                evidence={"suspect_entries": [_iso(t) for t in entries],
                          "window": th.flap_window}))
        rec = records.evolve(
            rec, damped_until=now + datetime.timedelta(
                seconds=th.flap_hold_down))
    return _to(rec, constants.HOST_SUSPECT, now), events, None


def _suspect(svc: cloud_records.ComputeService,
             rec: records.HostRecord,
             obs: heartbeat.Observation,
             probe: str | None,
             clock: heartbeat.HeartbeatClock,
             th: Thresholds,
             now: datetime.datetime,
             ) -> tuple[records.HostRecord, list[records.Event],
                        records.Event | None]:
    stale_since = rec.stale_since or now
    rec = records.evolve(rec, stale_count=rec.stale_count + 1,
                              stale_since=stale_since)
    stale_for = _seconds(now - stale_since)
    if (rec.stale_count < th.down_observations
            or stale_for < th.down_grace or rec.damped(now)):
        return rec, [], None
    evidence = {
        "heartbeat": _iso(rec.heartbeat),
        "updated_at": _iso(svc.updated_at),
        "heartbeat_age": obs.age,
        "heartbeat_unchanged_for": obs.unchanged_for,
        "freshest_heartbeat": _iso(clock.freshest),
        "stale_for": stale_for,
        "observations": rec.stale_count,
        "nova_state": svc.state,
        "forced_down": svc.forced_down,
        "probe": probe if th.probe_enabled else "none",
        "probe_failures": rec.probe_failures,
    }
    # A host whose address is not its own is judged on heartbeats alone.
    probing = th.probe_enabled and probe != records.PROBE_UNTRUSTED
    if probing and probe != records.PROBE_DEAD:
        kind, reason = ((records.PROCESS_FAILURE, None)
                        if probe == records.PROBE_ALIVE
                        else (records.ALERT, records.REASON_PROBE_UNKNOWN))
        key = reason or kind
        if key in rec.reported:
            return rec, [], None
        rec = records.evolve(rec, reported=rec.reported | {key})
        return rec, [records.Event(kind, host=svc.host,
                                   generation=rec.generation, reason=reason,
                                   evidence=evidence)], None
    if probing and rec.probe_failures < th.probe_failures:
        return rec, [], None
    return rec, [], records.Event(records.HOST_DOWN, host=svc.host,
                                  generation=rec.generation + 1,
                                  evidence=evidence)


def _apply_decision(rec: records.HostRecord, event: records.Event,
                    now: datetime.datetime) -> records.HostRecord:
    if event.kind == records.HOST_DOWN:
        rec = records.evolve(rec, generation=event.generation or 0)
        return _to(rec, constants.HOST_DOWN, now)
    return _to(rec, constants.HOST_RECOVERED, now)


def _watch_only(rec: records.HostRecord, state: str,
                now: datetime.datetime) -> records.HostRecord:
    return _to(_reset(rec), state, now)


def _reset(rec: records.HostRecord) -> records.HostRecord:
    """Forget the current episode (stale counters, one-shot reports)."""
    return records.evolve(rec, stale_since=None, stale_count=0,
                               probe_failures=0, healthy_since=None,
                               reported=frozenset())


def _to(rec: records.HostRecord, state: str,
        now: datetime.datetime) -> records.HostRecord:
    if rec.state == state:
        return rec
    return records.evolve(rec, state=state, since=now)


def _unfenced(svc: cloud_records.ComputeService) -> bool:
    return not svc.forced_down and svc.status == "enabled"


def _seconds(delta: datetime.timedelta) -> float:
    return delta.total_seconds()


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
