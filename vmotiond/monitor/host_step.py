"""One host's step of the monitor's state machine (see ``state``).

Pure functions of the host's record, its heartbeat observation, its probe
answer and the thresholds; ``state.decide`` runs them over the hosts that
moved and then applies the guards and the storm caps to their decisions.
"""

import datetime

from vmotiond import constants
from vmotiond.cloud import records as cloud_records
from vmotiond.monitor import heartbeat
from vmotiond.monitor import records
from vmotiond.monitor.thresholds import Thresholds


def record_heartbeat(prev: records.HostRecord | None, name: str,
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


def step(svc: cloud_records.ComputeService,
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
    rec = record_heartbeat(prev, svc.host, obs, now)
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
            evidence={"heartbeat": iso(rec.heartbeat),
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
                evidence={"suspect_entries": [iso(t) for t in entries],
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
        "heartbeat": iso(rec.heartbeat),
        "updated_at": iso(svc.updated_at),
        "heartbeat_age": obs.age,
        "heartbeat_unchanged_for": obs.unchanged_for,
        "freshest_heartbeat": iso(clock.freshest),
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


def apply_decision(rec: records.HostRecord, event: records.Event,
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


def iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
